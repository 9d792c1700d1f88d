"""Calendar files at stable addresses, for downloading or subscribing."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from consulta.consultations.models import Consultation
from consulta.meetings import calendar
from consulta.meetings.models import Session


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _published(slug: str) -> Consultation:
    return get_object_or_404(
        Consultation.objects.exclude(status=Consultation.Status.DRAFT), slug=slug
    )


def consultation_feed(request, slug):
    consultation = _published(slug)
    sessions = consultation.sessions.select_related("consultation").prefetch_related("programme")
    language = calendar.calendar_language(request.GET.get("lang"))
    return _ics(calendar.consultation_feed(sessions, language), f"{slug}.ics")


def session_calendar(request, slug, key):
    consultation = _published(slug)
    session = get_object_or_404(
        Session.objects.select_related("consultation").prefetch_related("programme"),
        consultation=consultation,
        key=key,
    )
    language = calendar.calendar_language(request.GET.get("lang"))
    return _ics(calendar.session_calendar(session, language), f"{slug}-{key}.ics")
