"""The one write path for accounts: two-factor devices. Logins themselves are Django's."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they enrolled one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows: the same one until it is
    confirmed, so reloading the page does not invalidate a code already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, token: str) -> bool:
    """Confirm `device` if `token` is the code it shows now; a second device is never
    confirmed (enrolment is for an account without one)."""
    if confirmed_device(device.user) is not None:
        return False
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.devices_for_user(device.user, confirmed=False).delete()
    return True


@transaction.atomic
def turn_off(user) -> int:
    """Remove every two-factor device of `user` (the caller has checked a current code and
    that the user is no administrator). Returns how many were removed."""
    removed, _by_model = TOTPDevice.objects.devices_for_user(user).delete()
    return removed
