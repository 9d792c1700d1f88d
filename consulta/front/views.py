"""Public pages: what a participant or a reader sees without logging in."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from consulta.consultations.models import Consultation, Recommendation
from consulta.lib import clock
from consulta.lib.markup import render_markdown
from consulta.meetings.models import Session
from consulta.permissions import consultation_for_visitor, visible_consultations
from consulta.registrations.privacy import retention_schedule

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def home(request):
    """Every consultation that is not a draft; drafts only for their organisers."""
    consultations = (
        visible_consultations(request.user)
        .annotate(session_count=Count("sessions"))
        .order_by("slug")
    )
    return render(request, "front/home.html", {"consultations": consultations})


def privacy(request):
    """The privacy notice, with how long each consultation keeps personal data."""
    return render(request, "front/privacy.html", {"retention": retention_schedule()})


def published_consultation(request, slug, queryset=None) -> Consultation:
    """A consultation the visitor may see: drafts only for their organisers (else 404)."""
    return consultation_for_visitor(request, slug, queryset)


def sessions_with_seats(consultation):
    return (
        Session.objects.filter(consultation=consultation)
        .select_related("consultation")
        .annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed"))
        )
    )


@dataclass
class SessionView:
    """A session as one viewer sees it: times in their zone (or UTC) and the organiser's."""

    session: Session
    when: str
    languages: list[str]
    open: bool
    seats_left: int | None


def session_view(session: Session, request) -> SessionView:
    language = get_language()
    zone = request.viewer_zone or clock.UTC_ZONE
    return SessionView(
        session=session,
        when=clock.slot(session.starts_at, session.ends_at, zone, language, session.timezone),
        languages=[str(LANGUAGE_NAMES.get(code, code)) for code in session.languages],
        open=session.registration_open(),
        seats_left=session.seats_left(),
    )


@dataclass
class RecommendationView:
    code: str
    title: str
    text: str
    fell_back: bool
    illustrative: bool
    status: str
    objectives: list[int]


def recommendation_view(recommendation: Recommendation, language: str) -> RecommendationView:
    title, title_language = recommendation.title_in(language)
    text, text_language = recommendation.text_in(language)
    return RecommendationView(
        code=recommendation.code,
        title=title,
        text=text,
        fell_back=language not in (title_language, text_language)
        or title_language != text_language,
        illustrative=recommendation.illustrative,
        status=recommendation.get_status_display(),
        objectives=sorted(o.number for o in recommendation.objectives.all()),
    )


def zone_context(request) -> dict:
    return {
        "zones": clock.all_zones(),
        "viewer_zone": request.viewer_zone,
        "refused_zone": request.viewer_zone_refused,
    }


def consultation(request, slug):
    queryset = Consultation.objects.select_related("framework").prefetch_related(
        "co_leads",
        "aims",
        "timeline",
        "references",
        "served_objectives__objective",
        Prefetch(
            "pillars__recommendations",
            queryset=Recommendation.objects.exclude(status=Recommendation.Status.WITHDRAWN)
            .prefetch_related("objectives")
            .order_by("order"),
        ),
        "pillars__co_leads",
    )
    consultation = published_consultation(request, slug, queryset)
    language = get_language()
    pillars = [
        {
            "pillar": pillar,
            "co_leads": list(pillar.co_leads.all()),
            "recommendations": [
                recommendation_view(r, language) for r in pillar.recommendations.all()
            ],
        }
        for pillar in consultation.pillars.all()
    ]
    served = list(consultation.served_objectives.all())
    context = {
        "consultation": consultation,
        "background": render_markdown(consultation.background),
        "mandate": render_markdown(consultation.mandate),
        "pillars": pillars,
        "primary_objectives": [s.objective for s in served if s.role == "primary"],
        "related_objectives": sorted(
            (s.objective for s in served if s.role == "related"), key=lambda o: o.number
        ),
        "sessions": [session_view(s, request) for s in sessions_with_seats(consultation)],
        "any_illustrative": any(r.illustrative for p in pillars for r in p["recommendations"]),
        **zone_context(request),
    }
    return render(request, "front/consultation.html", context)


def session(request, slug, key):
    consultation = published_consultation(request, slug)
    found = sessions_with_seats(consultation).prefetch_related("programme").filter(key=key).first()
    if found is None:
        raise Http404
    language = get_language()
    viewer_zone = request.viewer_zone or clock.UTC_ZONE
    programme = [
        {
            "item": item,
            "viewer": clock.span(start, end, viewer_zone, language),
            "organiser": clock.span(start, end, found.timezone, language),
        }
        for item, start, end in found.schedule()
    ]
    context = {
        "consultation": consultation,
        "view": session_view(found, request),
        "session": found,
        "programme": programme,
        "show_both_zones": viewer_zone != found.timezone,
        **zone_context(request),
    }
    return render(request, "front/session.html", context)
