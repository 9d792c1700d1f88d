"""Read-only, for everyone: what the public pages show, as data. Drafts are invisible (404),
whoever asks; published synthesis figures only once the report is published."""

from datetime import UTC
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from consulta.api import schemas
from consulta.api.common import (
    PageIn,
    RecommendationCode,
    SessionKey,
    Slug,
    page_of,
    page_schema,
    responses,
)
from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback.actions import live_recommendations
from consulta.front.views import sessions_with_seats
from consulta.meetings.models import Session
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document

router = Router(tags=["public"])
Language = Literal["en", "fr", "es", "ar", "ru"]

ConsultationPage = page_schema(schemas.ConsultationOut, "ConsultationPage")
SessionPage = page_schema(schemas.SessionOut, "SessionPage")
RecommendationPage = page_schema(schemas.RecommendationOut, "RecommendationPage")
ProgrammePage = page_schema(schemas.ProgrammeItemOut, "ProgrammePage")


def public_consultations():
    return Consultation.objects.exclude(status=Consultation.Status.DRAFT)


def public_consultation(slug: str) -> Consultation:
    return get_object_or_404(public_consultations(), slug=slug)


def consultation_out(consultation: Consultation) -> dict:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "status": consultation.status,
        "organising_network": consultation.organising_network,
        "opens_on": consultation.opens_on,
        "closes_on": consultation.closes_on,
        "timezone": consultation.timezone,
        "open_for_feedback": consultation.is_open(),
        "background": consultation.background,
    }


def times(start, end, zone) -> dict:
    return {
        "starts_utc": start.astimezone(UTC),
        "ends_utc": end.astimezone(UTC),
        "starts_local": start.astimezone(zone),
        "ends_local": end.astimezone(zone),
    }


def session_out(session: Session) -> dict:
    return {
        "key": session.key,
        "region": session.region,
        "languages": list(session.languages or []),
        "status": session.status,
        "platform": session.platform,
        "timezone": session.timezone,
        **times(session.starts_at, session.ends_at, session.zone()),
        "capacity": session.capacity,
        "seats_left": session.seats_left(),
        "registration_open": session.registration_open(),
    }


def recommendation_out(recommendation: Recommendation, language: str, versions=None) -> dict:
    title, title_language = recommendation.title_in(language)
    text, _text_language = recommendation.text_in(language)
    if versions is None:
        versions = list(recommendation.versions.all())
    return {
        "code": recommendation.code,
        "pillar": recommendation.pillar.code,
        "pillar_title": recommendation.pillar.title,
        "status": recommendation.status,
        "illustrative": recommendation.illustrative,
        "language": title_language,
        "title": title,
        "text": text,
        "version": max((v.number for v in versions), default=None),
    }


def programme_item_out(item, start, end, zone) -> dict:
    return {
        "order": item.order,
        "title": item.title,
        "role": item.role,
        "speaker": item.speaker,
        "description": item.description,
        "duration_minutes": item.duration_minutes,
        **times(start, end, zone),
    }


def listed_recommendations(consultation: Consultation):
    """The live recommendations, with what `recommendation_out` reads."""
    return live_recommendations(consultation).select_related("pillar").prefetch_related("versions")


@router.get("/consultations", response=responses(ConsultationPage, 422), summary="Consultations")
def list_consultations(request, paging: Query[PageIn]):
    """Every consultation that is not a draft, by slug."""
    return page_of(public_consultations().order_by("slug"), paging, consultation_out)


@router.get(
    "/consultations/{slug}",
    response=responses(schemas.ConsultationOut, 404),
    summary="One consultation",
)
def get_consultation(request, slug: Slug):
    return consultation_out(public_consultation(slug))


@router.get(
    "/consultations/{slug}/sessions",
    response=responses(SessionPage, 404, 422),
    summary="Its sessions",
)
def list_sessions(request, slug: Slug, paging: Query[PageIn]):
    """Sessions in time order, in UTC and in the organiser's zone, with the seats left."""
    consultation = public_consultation(slug)
    sessions = sessions_with_seats(consultation).order_by("starts_at", "pk")
    return page_of(sessions, paging, session_out)


@router.get(
    "/consultations/{slug}/sessions/{key}/programme",
    response=responses(ProgrammePage, 404, 422),
    summary="A session's programme",
)
def get_programme(request, slug: Slug, key: SessionKey, paging: Query[PageIn]):
    """Programme items with their clock times, computed from the session's start."""
    session = get_object_or_404(
        Session.objects.select_related("consultation"),
        consultation=public_consultation(slug),
        key=key,
    )
    zone = session.zone()
    return page_of(session.schedule(), paging, lambda row: programme_item_out(*row, zone))


@router.get(
    "/consultations/{slug}/recommendations",
    response=responses(RecommendationPage, 404, 422),
    summary="Its recommendations",
)
def list_recommendations(request, slug: Slug, paging: Query[PageIn], lang: Language = "en"):
    """Recommendations in `lang`, falling back to English where a translation is missing
    (`language` says which one each text is in). Withdrawn ones are left out."""
    consultation = public_consultation(slug)
    return page_of(
        listed_recommendations(consultation),
        paging,
        lambda recommendation: recommendation_out(recommendation, lang),
    )


@router.get(
    "/consultations/{slug}/recommendations/{code}",
    response=responses(schemas.RecommendationDetailOut, 404, 422),
    summary="One recommendation with its versions",
)
def get_recommendation(request, slug: Slug, code: RecommendationCode, lang: Language = "en"):
    recommendation = get_object_or_404(listed_recommendations(public_consultation(slug)), code=code)
    versions = list(recommendation.versions.order_by("number"))
    return {
        **recommendation_out(recommendation, lang, versions),
        "versions": [
            {
                "number": version.number,
                "changed_at": version.changed_at,
                "rationale": version.rationale,
                "texts": version.texts,
            }
            for version in versions
        ],
    }


def synthesis_out(consultation: Consultation, language: str) -> dict:
    """The synthesis figures: counts, shares and intervals, participation. No comment, no
    quote, nothing about a person: the report's words stay in the report."""
    document = build_document(consultation, language)
    participation = document["participation"]
    return {
        "consultation": consultation.slug,
        "language": language,
        "generated_at": document["generated_at"],
        "answers": document["answers"],
        "choices": document["choices"],
        "respondents": participation["respondents"],
        "channels": document["channels"],
        "sessions": participation["sessions"],
        "recommendations": [
            {
                "code": rec["code"],
                "title": rec["title"],
                "answers": rec["answers"],
                "counts": rec["counts"],
                "share": rec["share"],
                "share_low": rec["share_low"],
                "share_high": rec["share_high"],
                "consensus": rec["consensus"],
                "priority_mean": rec["priority"]["mean"],
                "priority_low": rec["priority"]["low"],
                "priority_high": rec["priority"]["high"],
                "preferred": rec["preferred"],
                "preferred_low": rec["preferred_low"],
                "preferred_high": rec["preferred_high"],
            }
            for rec in document["recommendations"]
        ],
    }


@router.get(
    "/consultations/{slug}/synthesis",
    response=responses(schemas.SynthesisOut, 404, 422),
    summary="Published synthesis figures",
)
def get_synthesis(request, slug: Slug, lang: Language = "en"):
    """The figures of the published report; 404 until the report is published."""
    consultation = public_consultation(slug)
    if not reports.is_published(consultation):
        raise Http404
    return synthesis_out(consultation, lang)
