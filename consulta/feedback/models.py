"""Feedback on recommendations: who answered (without personal data), what they answered,
pairwise priorities, points captured live by moderators, and the moderation trail.

Personal data stays on the registration (personal link) or on the respondent's own contact
fields (open submissions, imports), which erasure clears; answers keep only the stakeholder
group, country, region and language they need to be counted.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consulta.consultations.models import Consultation, Recommendation
from consulta.meetings.models import Session
from consulta.registrations.models import Registration, StakeholderGroup


class Channel(models.TextChoices):
    PERSONAL_LINK = "personal_link", _("Personal link")
    OPEN_SUBMISSION = "open_submission", _("Open written submission")
    LIVE_CAPTURE = "live_capture", _("Live capture")
    IMPORT = "import", _("Import")


class Support(models.IntegerChoices):
    NO_OPINION = 0, _("No opinion")
    STRONGLY_DISAGREE = 1, _("Strongly disagree")
    DISAGREE = 2, _("Disagree")
    NEUTRAL = 3, _("Neither agree nor disagree")
    AGREE = 4, _("Agree")
    STRONGLY_AGREE = 5, _("Strongly agree")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    ESSENTIAL = 4, _("Essential")


class Stance(models.TextChoices):
    SUPPORTS = "supports", _("Supports")
    CONCERNS = "concerns", _("Concerns")
    PROPOSES_CHANGE = "proposes_change", _("Proposes change")
    QUESTION = "question", _("Question")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class ImportBatch(models.Model):
    """One imported file; its checksum makes importing the same file again add nothing."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "checksum"], name="import_once")
        ]

    def __str__(self):
        return f"{self.filename} ({self.rows} rows)"


class Respondent(models.Model):
    """Someone who answered, through one channel. Counted by group, country, region, language."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="respondents"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="respondent"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="respondents"
    )
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=5, blank=True)
    # Contact details of respondents without a registration (open submissions, imports);
    # personal data, shown to organisers only and cleared on erasure.
    email = models.EmailField(blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=20, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Open submissions count only once their e-mail address is confirmed.",
    )
    link_nonce = models.CharField(max_length=40, default=new_nonce)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="respondents"
    )
    source_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="The respondent's identifier in an imported file (its id, else its e-mail).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "created_at"]
        indexes = [models.Index(fields=["consultation", "channel"])]

    def __str__(self):
        return f"Respondent {self.pk} ({self.get_channel_display()})"

    def counts(self) -> bool:
        """Whether this respondent's answers count: open submissions need a confirmed e-mail."""
        return self.confirmed_at is not None


class Answer(models.Model):
    """One version of a respondent's answer on one recommendation; the current one counts."""

    # No index of their own: the constraints' and the index's below start with them, and
    # every answer saved would update two more indexes for nothing.
    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="answers", db_index=False
    )
    support = models.PositiveSmallIntegerField(choices=Support.choices, null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    proposed_text = models.TextField(blank=True)
    language = models.CharField(max_length=5, blank=True)
    is_current = models.BooleanField(default=True)
    submission_key = models.CharField(
        max_length=64,
        help_text="Sent with the form; the same key twice (double click, retry) is one answer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recommendation", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "recommendation"],
                condition=Q(is_current=True),
                name="one_current_answer",
            ),
            models.UniqueConstraint(
                fields=["respondent", "recommendation", "submission_key"],
                name="answer_submitted_once",
            ),
        ]
        indexes = [models.Index(fields=["recommendation", "is_current"])]

    def __str__(self):
        return f"Answer {self.pk} on {self.recommendation.code}"

    def is_empty(self) -> bool:
        return (
            self.support is None
            and self.priority is None
            and not self.comment.strip()
            and not self.proposed_text.strip()
        )


class PairwiseChoice(models.Model):
    """'Which should come first?': the chosen one of a pair, or none for "can't decide"."""

    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="pairwise_choices"
    )
    first = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    chosen = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submission_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["respondent", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "submission_key"], name="pairwise_submitted_once"
            ),
            models.CheckConstraint(
                condition=Q(chosen__isnull=True)
                | Q(chosen=models.F("first"))
                | Q(chosen=models.F("second")),
                name="pairwise_chosen_from_pair",
            ),
        ]

    def __str__(self):
        return f"Pairwise choice {self.pk}"


class SessionModerator(models.Model):
    """A moderator or rapporteur who may capture the discussion of one session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="moderators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderated_sessions"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="moderator_once")]

    def __str__(self):
        return f"{self.user} moderates {self.session}"


class CapturedPoint(models.Model):
    """A point made in a live discussion, recorded by a moderator: who (group, country), about
    which recommendation (or none: general), stance and a short note. Never a name, unless the
    speaker's registration allows attribution to their organisation."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="captured_points")
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    country = models.CharField(max_length=2, blank=True)
    stance = models.CharField(max_length=20, choices=Stance.choices)
    note = models.TextField(max_length=1000)
    attributed_to = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Only a speaker whose registration allows attribution to their organisation.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="captured_point_submitted_once"
            )
        ]

    def __str__(self):
        return f"Point {self.pk} ({self.stance})"


class ModerationEntry(models.Model):
    """Append-only trail of hiding and showing again; hidden content is never deleted."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        SHOW = "show", _("Shown again")

    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.PROTECT, related_name="moderation"
    )
    point = models.ForeignKey(
        CapturedPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="moderation"
    )
    action = models.CharField(max_length=4, choices=Action.choices)
    reason = models.TextField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.moderator} at {self.at:%Y-%m-%d %H:%M}"
