"""Regional sessions of a consultation and the programme each one follows."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now as current_time
from django.utils.translation import gettext_lazy as _

from consulta.consultations.models import Consultation, validate_time_zone
from consulta.lib.languages import language_problem
from consulta.lib.schedule import Slot, clock_times, overlapping_slots, programme_fit, slot_problem


def validate_languages(codes) -> None:
    if not isinstance(codes, list) or not codes:
        raise ValidationError('Give at least one language, e.g. ["en", "fr"].')
    problems = [p for p in (language_problem(str(code)) for code in codes) if p]
    if problems:
        raise ValidationError(problems)


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sessions"
    )
    key = models.SlugField(
        max_length=60, help_text="Stable identifier within the consultation, e.g. africa."
    )
    region = models.CharField(max_length=100)
    languages = models.JSONField(
        default=list,
        validators=[validate_languages],
        help_text='Interpretation, e.g. ["fr", "en"].',
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(
        "organiser time zone",
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA name the organiser entered the times in, e.g. Europe/Paris.",
    )
    platform = models.CharField(max_length=60, default="Zoom")
    join_url = models.URLField(blank=True)
    registration_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Revision number sent in calendar files, so clients update the event.",
    )

    class Meta:
        ordering = ["consultation", "starts_at", "key"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "key"], name="session_key_unique")
        ]

    def __str__(self):
        return f"{self.region} ({self.key})"

    def registration_open(self, now=None) -> bool:
        """Registration runs until the session starts, while it is scheduled and published."""
        now = now or current_time()
        return (
            self.status == self.Status.SCHEDULED
            and self.consultation.status == Consultation.Status.OPEN
            and now < self.starts_at
        )

    def seats_left(self) -> int | None:
        """Free seats, or None when the session has no capacity limit.

        Uses the `confirmed_count` annotation when the list view provided one (one query for
        every session), otherwise counts.
        """
        if self.capacity is None:
            return None
        taken = getattr(self, "confirmed_count", None)
        if taken is None:
            taken = self.registrations.filter(status="confirmed").count()
        return max(0, self.capacity - taken)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_start(self):
        """Start in the organiser's zone, as they entered it."""
        return self.starts_at.astimezone(self.zone())

    def local_end(self):
        return self.ends_at.astimezone(self.zone())

    def schedule(self, items=None):
        """[(item, start, end)] with clock times computed from the session start."""
        items = list(self.programme.all()) if items is None else items
        times = clock_times(self.starts_at, [item.duration_minutes for item in items])
        return [(item, start, end) for item, (start, end) in zip(items, times, strict=True)]

    def programme_fit(self, items=None):
        items = list(self.programme.all()) if items is None else items
        return programme_fit(self.starts_at, self.ends_at, [i.duration_minutes for i in items])

    def programme_warnings(self) -> list[str]:
        """What the organiser should know about the programme (never shown to participants)."""
        fit = self.programme_fit()
        return [message for message in (fit.error(), fit.warning()) if message]

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at:
            problem = slot_problem(self.starts_at, self.ends_at)
            if problem:
                errors["ends_at"] = f"The session {problem}."
        if errors:
            raise ValidationError(errors)
        if self.starts_at and self.ends_at and self.consultation_id and self.region:
            self._check_no_overlap()

    def _check_no_overlap(self):
        others = Session.objects.filter(consultation_id=self.consultation_id).exclude(pk=self.pk)
        slots = [Slot(s, s.region, s.starts_at, s.ends_at) for s in others]
        mine = Slot(self, self.region, self.starts_at, self.ends_at)
        for earlier, later in overlapping_slots([*slots, mine]):
            if mine is earlier or mine is later:
                other = later.key if earlier is mine else earlier.key
                raise ValidationError(
                    {
                        "starts_at": f"This session overlaps another {self.region} session: "
                        f"{other.key}, {other.local_start():%d %b %Y %H:%M}–"
                        f"{other.local_end():%H:%M} {other.timezone}."
                    }
                )


class ProgrammeItem(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="programme")
    order = models.PositiveSmallIntegerField(default=0)
    duration_minutes = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    role = models.CharField(
        max_length=200, blank=True, help_text="e.g. Moderator: UNNM Secretariat"
    )
    speaker = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "order", "pk"]

    def __str__(self):
        return f"{self.duration_minutes} min — {self.title}"
