"""Who co-leads a pillar (and so may revise its recommendations), which feedback motivated each
revision, and the decisions to keep a text as it stands.

Versions themselves live in `consulta.consultations` (`RecommendationVersion`); this app only
adds what explains them. Every write goes through `consulta.revisions.actions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consulta.consultations.models import Pillar, Recommendation, RecommendationVersion
from consulta.feedback.models import Answer, CapturedPoint


class PillarCoLead(models.Model):
    """An account (usually not staff) of a pillar's co-lead: it may revise the pillar's
    recommendations and read the synthesis of its consultation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pillar_co_leads"
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="co_lead_accounts")

    class Meta:
        ordering = ["pillar__consultation__slug", "pillar__order", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "pillar"], name="co_lead_once")]
        verbose_name = "pillar co-lead account"

    def __str__(self):
        return f"{self.user} co-leads {self.pillar.code}"


class RevisionLink(models.Model):
    """One feedback item (an answer, or a point captured in a session) that motivated a version."""

    version = models.ForeignKey(
        RecommendationVersion, on_delete=models.CASCADE, related_name="links"
    )
    # An erased respondent or a point its author took back takes its links with it.
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="revision_links"
    )
    point = models.ForeignKey(
        CapturedPoint,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revision_links",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__isnull=False, point__isnull=True)
                | Q(answer__isnull=True, point__isnull=False),
                name="revision_link_one_item",
            ),
            models.UniqueConstraint(
                fields=["version", "answer"],
                condition=Q(answer__isnull=False),
                name="revision_link_answer_once",
            ),
            models.UniqueConstraint(
                fields=["version", "point"],
                condition=Q(point__isnull=False),
                name="revision_link_point_once",
            ),
        ]

    def __str__(self):
        item = f"answer {self.answer_id}" if self.answer_id else f"point {self.point_id}"
        return f"{self.version} ← {item}"


class KeptDecision(models.Model):
    """The decision to keep a recommendation's text as it stands, and why. The latest counts."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="kept_decisions"
    )
    version = models.ForeignKey(
        RecommendationVersion,
        on_delete=models.CASCADE,
        related_name="kept_decisions",
        help_text="The version whose text is kept.",
    )
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "-decided_at", "-pk"]

    def __str__(self):
        return f"{self.recommendation.code}: kept v{self.version.number}"
