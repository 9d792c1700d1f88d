"""A participant's own registration and answers, through their personal token.

Saving an answer needs an `Idempotency-Key` header (1–64 letters, digits, `-` or `_`; a UUID
does): the same key sent again — a retry after a timeout, a lost response — returns the answer
stored the first time, marked `Idempotent-Replayed: true`, and stores nothing more. Reusing a
key for a different answer is refused (422) rather than silently ignored.
"""

from django.http import HttpResponse
from ninja import Header, Query, Router

from consulta.api import schemas
from consulta.api.auth import PersonalToken
from consulta.api.common import (
    PageIn,
    RecommendationCode,
    page_of,
    page_schema,
    responses,
)
from consulta.api.errors import ApiError
from consulta.feedback import actions
from consulta.feedback.models import Answer, Respondent
from consulta.feedback.views.participant import SUBMISSION_KEY, cancelled_message, closed_message

router = Router(tags=["participant"], auth=PersonalToken())
AnswerPage = page_schema(schemas.AnswerOut, "AnswerPage")


def registration_out(registration) -> dict:
    return {
        "id": registration.pk,
        "consultation": registration.session.consultation.slug,
        "session": registration.session.key,
        "status": registration.status,
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "stakeholder_group": registration.stakeholder_group,
        "country": registration.country,
        "language": registration.language,
        "needs": registration.needs,
        "attribution": registration.attribution,
        "registered_at": registration.created_at,
        "attended": registration.attended,
    }


def answer_out(answer: Answer) -> dict:
    return {
        "recommendation": answer.recommendation.code,
        "support": answer.support,
        "priority": answer.priority,
        "comment": answer.comment,
        "proposed_text": answer.proposed_text,
        "language": answer.language,
        "saved_at": answer.created_at,
        "submission_key": answer.submission_key,
    }


@router.get("/me", response=responses(schemas.RegistrationOut, 401), summary="My registration")
def get_me(request):
    return registration_out(request.auth)


@router.get("/me/answers", response=responses(AnswerPage, 401, 422), summary="My current answers")
def list_my_answers(request, paging: Query[PageIn]):
    respondent = Respondent.objects.filter(registration=request.auth).first()
    answers = (
        Answer.objects.filter(respondent=respondent, is_current=True)
        .select_related("recommendation")
        .order_by("recommendation__pillar__order", "recommendation__order")
        if respondent
        else Answer.objects.none()
    )
    return page_of(answers, paging, answer_out)


def same_answer(answer: Answer, values: dict) -> bool:
    return (
        answer.support == values["support"]
        and answer.priority == values["priority"]
        and answer.comment == values["comment"].strip()
        and answer.proposed_text == values["proposed_text"].strip()
    )


def key_reused() -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different answer; use a new key.",
        {"Idempotency-Key": ["Already used for a different answer."]},
    )


def replayed(response: HttpResponse, answer: Answer, values: dict, recommendation) -> dict:
    if answer.recommendation_id != recommendation.pk or not same_answer(answer, values):
        raise key_reused()
    response["Idempotent-Replayed"] = "true"
    answer.recommendation = recommendation
    return answer_out(answer)


@router.put(
    "/me/answers/{code}",
    response=responses(schemas.AnswerOut, 400, 401, 404, 409, 422),
    summary="Save my answer on a recommendation",
    auth=PersonalToken(with_recommendation=True),
)
def put_my_answer(
    request,
    code: RecommendationCode,
    payload: schemas.AnswerIn,
    response: HttpResponse,
    idempotency_key: str = Header(
        ..., alias="Idempotency-Key", pattern=SUBMISSION_KEY.pattern, max_length=64
    ),
):
    """Store a new version of the answer (the previous one is kept in the history). An answer
    identical to the current one stores nothing new."""
    registration = request.auth
    if not registration.is_active():
        raise ApiError(409, "cancelled", str(cancelled_message()))
    recommendation = request.recommendation  # read with the token
    if recommendation is None:
        raise ApiError(404, "not_found", f"No recommendation {code!r} in this consultation.")
    values = payload.model_dump()
    respondent = actions.respondent_for_registration(registration)
    try:
        saved = actions.record_answer(
            respondent,
            recommendation,
            values | {"language": registration.language},
            submission_key=idempotency_key,
            consultation=registration.session.consultation,  # read with the token just now
            key_per_respondent=True,
        )
    except actions.FeedbackClosed:
        raise ApiError(409, "closed", str(closed_message())) from None
    except actions.SubmissionKeyReused:
        raise key_reused() from None
    except actions.DuplicateSubmission:
        earlier = (
            Answer.objects.filter(respondent=respondent, submission_key=idempotency_key)
            .order_by()
            .first()
        )
        if earlier is None:
            raise ApiError(
                409,
                "saved_elsewhere",
                "Another answer to this recommendation was saved at the same moment; "
                "read it and send yours again if needed.",
            ) from None
        return replayed(response, earlier, values, recommendation)
    if saved.replayed:
        return replayed(response, saved.answer, values, recommendation)
    saved.answer.recommendation = recommendation
    return answer_out(saved.answer)
