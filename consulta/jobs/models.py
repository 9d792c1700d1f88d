"""A job is one piece of background work and everything organisers need to know about it;
a rendered report is the file a report-rendering job leaves behind."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consulta.consultations.models import Consultation


class Job(models.Model):
    """One piece of work however many attempts it takes. It names what it is about by kind and
    primary key only, so no personal data sits in the queue or on the jobs page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed")
        DONE = "done", _("Done")

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    # Whose organisers see the job (None: platform administrators only).
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, related_name="jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    # When the next attempt may start; None once the job is done or failed for good.
    run_after = models.DateTimeField(default=timezone.now, null=True)
    # When the job was last handed to the queue: None while an attempt waits for the worker's
    # sweep (a backend that cannot defer, or a process that stopped before handing it over).
    queued_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "run_after"]),
            models.Index(fields=["kind", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.kind} {self.object_id})"


class RenderedReport(models.Model):
    """A report file prepared in the background, kept in the database so that any web
    process can serve what any worker rendered. It shows the data as they were when it was
    rendered (`rendered_at`)."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word (DOCX)")
        XLSX = "xlsx", _("Data annex (XLSX)")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="rendered_reports"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=8)
    job = models.OneToOneField(
        Job, on_delete=models.SET_NULL, null=True, related_name="rendered_report"
    )
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(null=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.consultation.slug} report {self.language}.{self.format}"

    @property
    def ready(self) -> bool:
        return self.rendered_at is not None
