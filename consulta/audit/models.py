"""The audit trail: who changed what, when, from what to what. Append-only.

Entries are written only by `consulta.audit.actions.record`. Nothing in Consulta updates or
deletes them: the model and its queryset refuse to, and on PostgreSQL a trigger refuses
UPDATE and DELETE on the table itself (see the migration), so even raw SQL cannot rewrite the
past. The one change the trigger lets through is the database forgetting a deleted account or
consultation (its reference set to NULL): the username and slug copied on the entry remain.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.consultations.models import Consultation


class AppendOnly(Exception):
    """Audit entries are never changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be updated")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, help_text="The username when it happened, or what ran it (a command)."
    )
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consultation_slug = models.SlugField(max_length=100, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="client IP address")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        # No base_manager_name: deleting an account or a consultation sets the reference to
        # NULL through Django's plain base manager, which the refusals above do not affect.

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")
