"""A consultation, what it is about (pillars, recommendations, framework objectives) and who leads it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consulta.lib.languages import SUPPORTED_LANGUAGES, pick_translation
from consulta.lib.names import RESERVED_SLUGS
from consulta.lib.schedule import time_zone_problem


def validate_time_zone(name: str) -> None:
    problem = time_zone_problem(name)
    if problem:
        raise ValidationError(problem)


def validate_slug_not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"{slug!r} is reserved for Consulta's own pages; choose another.")


class Organisation(models.Model):
    """An organisation that leads, co-leads or runs part of a consultation (ICRC, IOM …)."""

    short_name = models.CharField(max_length=40, unique=True, help_text="Acronym, e.g. IOM.")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name


class Framework(models.Model):
    """A policy framework with numbered objectives, e.g. the Global Compact for Migration."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.short_title or self.title


class FrameworkObjective(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_objective_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.framework} objective {self.number}: {self.title}"


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        REPORTED = "reported", _("Reported")

    slug = models.SlugField(unique=True, validators=[validate_slug_not_reserved])
    title = models.CharField(max_length=300)
    background = models.TextField(blank=True, help_text="Markdown.")
    mandate = models.TextField(blank=True, help_text="Markdown.")
    organising_network = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    timezone = models.CharField(
        "organiser time zone",
        max_length=64,
        default="Europe/Paris",
        validators=[validate_time_zone],
        help_text="IANA name; session times are entered in this zone.",
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations"
    )
    co_leads = models.ManyToManyField(Organisation, blank=True, related_name="co_led_consultations")
    personal_data_retention_days = models.PositiveIntegerField(
        "keep personal data for (days)",
        default=365,
        help_text="Counted from the closing date (else the last session's day); then "
        "`consulta purge-personal-data` erases participants' names and contact details and "
        "keeps their answers, counted anonymously.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "slug"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "The consultation closes before it opens."})

    def is_open(self, today=None) -> bool:
        """Open for registration and feedback: status open and today within its dates."""
        if self.status != self.Status.OPEN:
            return False
        today = today or timezone.localdate()
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)


class ConsultationObjective(models.Model):
    """One of the consultation's own aims, e.g. 'gather feedback on the drafts'."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="aims")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["consultation", "order"]

    def __str__(self):
        return self.text[:80]


class ServedObjective(models.Model):
    """A framework objective the consultation serves, as its primary focus or a related one."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary"
        RELATED = "related", "Related"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="served_objectives"
    )
    objective = models.ForeignKey(FrameworkObjective, on_delete=models.PROTECT)
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["consultation", "role", "objective__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "objective"], name="served_objective_once"
            )
        ]

    def __str__(self):
        return f"{self.objective} ({self.role})"


class Engagement(models.Model):
    """An earlier step on the consultation's timeline (a talk, a regional meeting, research)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="timeline"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="For a date range.")
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["consultation", "order"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.ends_on and not self.starts_on:
            raise ValidationError({"starts_on": "A date range needs its first day."})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The engagement ends before it starts."})


class Reference(models.Model):
    """A footnote or link the consultation cites."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="references"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    url = models.URLField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["consultation", "order"]

    def __str__(self):
        return self.title


class Pillar(models.Model):
    """A thematic part of the consultation with its own co-leads and recommendations."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="pillars")
    code = models.SlugField(max_length=20, help_text="Prefix of its recommendation codes, e.g. MM.")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    presenter_role = models.CharField(max_length=200, blank=True)
    co_leads = models.ManyToManyField(Organisation, blank=True, related_name="co_led_pillars")

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "code"], name="pillar_code_unique")
        ]

    def __str__(self):
        return self.title


TEXT_FIELDS = [f"{kind}_{lang}" for lang in SUPPORTED_LANGUAGES for kind in ("title", "text")]


class Recommendation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVISED = "revised", _("Revised")
        FINAL = "final", _("Final")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="recommendations"
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="recommendations")
    code = models.CharField(max_length=20)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    illustrative = models.BooleanField(
        default=False,
        help_text="Written for a demonstration, not an organisation's actual text; shown as such.",
    )
    objectives = models.ManyToManyField(FrameworkObjective, blank=True)
    title_en = models.CharField("title (English)", max_length=300)
    text_en = models.TextField("text (English)")
    title_fr = models.CharField("title (French)", max_length=300, blank=True)
    text_fr = models.TextField("text (French)", blank=True)
    title_es = models.CharField("title (Spanish)", max_length=300, blank=True)
    text_es = models.TextField("text (Spanish)", blank=True)
    title_ar = models.CharField("title (Arabic)", max_length=300, blank=True)
    text_ar = models.TextField("text (Arabic)", blank=True)
    title_ru = models.CharField("title (Russian)", max_length=300, blank=True)
    text_ru = models.TextField("text (Russian)", blank=True)

    class Meta:
        ordering = ["consultation", "pillar__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "code"], name="recommendation_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title_en}"

    def texts(self) -> dict[str, dict[str, str]]:
        """The title and text in every language that has them."""
        return {
            lang: {"title": getattr(self, f"title_{lang}"), "text": getattr(self, f"text_{lang}")}
            for lang in SUPPORTED_LANGUAGES
            if getattr(self, f"title_{lang}") or getattr(self, f"text_{lang}")
        }

    def title_in(self, language: str) -> tuple[str, str]:
        """(title, language it is in): English when `language` has no translation."""
        return pick_translation({k: v["title"] for k, v in self.texts().items()}, language)

    def text_in(self, language: str) -> tuple[str, str]:
        """(text, language it is in): English when `language` has no translation."""
        return pick_translation({k: v["text"] for k, v in self.texts().items()}, language)

    def current_version(self):
        return self.versions.order_by("-number").first()


class RecommendationVersion(models.Model):
    """The wording of a recommendation at one point in its history; never edited afterwards."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    texts = models.JSONField(help_text="{language: {title, text}} as they stood in this version.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(default=timezone.now)
    rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"], name="recommendation_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.recommendation.code} v{self.number}"
