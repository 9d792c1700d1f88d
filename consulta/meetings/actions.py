"""Writes on sessions that other parts of Consulta must not forget."""

from django.db.models import F

from consulta.meetings.models import Session


def note_session_changed(session: Session) -> None:
    """Bump the calendar SEQUENCE so that clients update the event they already hold."""
    Session.objects.filter(pk=session.pk).update(sequence=F("sequence") + 1)
    session.refresh_from_db(fields=["sequence"])
