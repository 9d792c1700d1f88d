"""RFC 5545 calendar files for sessions, built with the icalendar library.

The UID of a session never changes (consultation slug, session key and the site's host), and
SEQUENCE follows `Session.sequence`, so a calendar client updates an event it already holds
instead of adding a second one. Feeds use METHOD:PUBLISH, e-mailed invitations METHOD:REQUEST.
"""

from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consulta.lib.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from consulta.meetings.models import Session

PRODUCT_ID = "-//Consulta//Consultation calendar//EN"


def session_uid(session: Session) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "consulta.invalid"
    return f"{session.consultation.slug}.{session.key}@{host}"


def public_session_url(session: Session, language: str) -> str:
    with translation.override(language):
        path = reverse("session", args=[session.consultation.slug, session.key])
    return settings.SITE_URL + path


def _event(session: Session, language: str, attendee=None) -> icalendar.Event:
    with translation.override(language):
        event = icalendar.Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("sequence", session.sequence)
        event.add(
            "summary",
            _("%(title)s — %(region)s session")
            % {"title": session.consultation.title, "region": session.region},
        )
        event.add("description", _description(session, language))
        event.add("url", public_session_url(session, language))
        event.add("location", session.join_url or session.platform)
        status = "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED"
        event.add("status", status)
        organiser = icalendar.vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
        organiser.params["cn"] = icalendar.vText(
            session.consultation.organising_network or "Consulta"
        )
        event.add("organizer", organiser)
        if attendee is not None:
            address = icalendar.vCalAddress(f"mailto:{attendee.email}")
            address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            address.params["partstat"] = icalendar.vText("ACCEPTED")
            address.params["rsvp"] = icalendar.vText("FALSE")
            event.add("attendee", address)
    return event


def _description(session: Session, language: str) -> str:
    zone = session.zone()
    lines = []
    for item, start, end in session.schedule():
        line = f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M} {item.title}"
        if item.role:
            line += f" ({item.role})"
        lines.append(line)
    if lines:
        lines.insert(0, _("Programme (%(zone)s):") % {"zone": session.timezone})
    if session.join_url:
        lines += ["", _("Join: %(url)s") % {"url": session.join_url}]
    lines += ["", public_session_url(session, language)]
    return "\n".join(lines)


def _calendar(method: str, language: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def calendar_language(asked: str | None) -> str:
    return asked if asked in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE


def session_calendar(session: Session, language: str, *, method="PUBLISH", attendee=None) -> bytes:
    """One session: METHOD:PUBLISH to download, METHOD:REQUEST with an attendee to invite."""
    calendar = _calendar(method, language)
    calendar.add_component(_event(session, language, attendee))
    return calendar.to_ical()


def consultation_feed(sessions, language: str) -> bytes:
    """Every session of a consultation, for subscribing to at a stable address."""
    calendar = _calendar("PUBLISH", language)
    for session in sessions:
        calendar.add_component(_event(session, language))
    return calendar.to_ical()
