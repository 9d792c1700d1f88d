"""`consulta send-reminders` e-mails each registered participant once, a day ahead."""

import pytest
from django.core.management import call_command

from consulta.registrations import actions
from tests.conftest import participant

pytestmark = pytest.mark.django_db


def test_reminders_go_out_once_a_day_ahead(
    demo, time_machine, django_capture_on_commit_callbacks, mailoutbox
):
    time_machine.move_to("2024-01-20T09:00:00+00:00", tick=False)
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    actions.register_participant(africa, participant())
    actions.register_participant(europe, participant(email="jonas@example.eu", language="ru"))
    cancelled = actions.register_participant(africa, participant(email="gone@example.org"))
    actions.cancel_registration(cancelled.registration)

    time_machine.move_to("2024-01-28T14:00:00+00:00", tick=False)  # Africa starts in 23 hours
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-reminders")
    assert [m.to for m in mailoutbox] == [["wanjiru@example.org"]]
    assert "Reminder" in mailoutbox[0].subject
    assert mailoutbox[0].attachments[0][0] == "invitation.ics"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-reminders")
    assert len(mailoutbox) == 1, "never twice"

    time_machine.move_to("2024-02-01T14:00:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-reminders")
    assert [m.to for m in mailoutbox][1:] == [["jonas@example.eu"]]
    assert "Напоминание" in mailoutbox[1].subject or "Reminder" in mailoutbox[1].subject
