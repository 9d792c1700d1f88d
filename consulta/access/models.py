"""Organiser roles: an account organises a consultation (and only that one).

Platform administrators (active superusers) need no role; staff status alone grants nothing.
Roles change only through `consulta.access.actions` or, for administrators, the admin inline on
the consultation."""

from django.conf import settings
from django.db import models

from consulta.consultations.models import Consultation


class OrganiserRole(models.Model):
    """`user` organises `consultation`: its organiser pages, its objects in the admin, its
    synthesis and report, and capture in every one of its sessions."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="organiser_roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organiser_roles"
    )

    class Meta:
        ordering = ["consultation__slug", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="organise_once")
        ]
        verbose_name = "organiser"
        verbose_name_plural = "organisers"

    def __str__(self):
        return f"{self.user} organises {self.consultation.slug}"
