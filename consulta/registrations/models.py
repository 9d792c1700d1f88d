"""Who registered for which session, their choices, and whether they attended."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from consulta.meetings.models import Session


class StakeholderGroup(models.TextChoices):
    MEMBER_STATE = "member_state", _("Member State")
    UN_SYSTEM = "un_system", _("UN system")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    MIGRANT_LED = "migrant_led", _("Migrant- or diaspora-led organisation")
    ACADEMIA = "academia", _("Academia")
    NHRI = "nhri", _("National human rights institution")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    TRADE_UNION = "trade_union", _("Trade union")
    OTHER = "other", _("Other")


class Attribution(models.TextChoices):
    """How a participant's contributions may be reported."""

    CHATHAM_HOUSE = (
        "chatham_house",
        _("Chatham House rule: report my contributions only by stakeholder group and region"),
    )
    ORGANISATION = "organisation", _("Attribute my contributions to my organisation")


def new_link_nonce() -> str:
    return secrets.token_urlsafe(16)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    email = models.EmailField(_("e-mail"), help_text="Stored in lower case.")
    organisation = models.CharField(_("organisation"), max_length=200)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    country = models.CharField(_("country"), max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    language = models.CharField(_("preferred language"), max_length=5)
    needs = models.TextField(_("interpretation or accessibility needs"), blank=True)
    attribution = models.CharField(
        max_length=20, choices=Attribution.choices, default=Attribution.CHATHAM_HOUSE
    )
    timezone = models.CharField(
        max_length=64, help_text="The zone the participant viewed times in; used in e-mails."
    )
    consented_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(
        help_text="When the participant last joined the session or its waiting list; "
        "the waiting list is served in this order."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    link_nonce = models.CharField(
        max_length=40,
        default=new_link_nonce,
        help_text="Part of the personal link; changing it revokes every link sent so far.",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True, help_text="Unknown until marked.")
    attendance_source = models.CharField(max_length=40, blank=True)
    personal_data_erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the name, e-mail and other identifying details were erased (at the "
        "participant's request or after the retention period); answers stay, counted.",
    )

    class Meta:
        ordering = ["session", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="one_registration_per_email")
        ]
        indexes = [models.Index(fields=["session", "status", "queued_at"])]

    def __str__(self):
        return f"Registration {self.pk} for {self.session}"

    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    def is_erased(self) -> bool:
        """Personal data erased: the registration only counts, it names nobody."""
        return self.personal_data_erased_at is not None
