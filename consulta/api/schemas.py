"""What the API sends and accepts. Times are ISO 8601: `*_utc` in UTC (Z), `*_local` in the
organiser's zone with its offset, so a client never has to know the zone rules."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator

from consulta.feedback.views.participant import MAX_TEXT


class ConsultationOut(Schema):
    slug: str
    title: str
    status: str
    organising_network: str
    opens_on: date | None
    closes_on: date | None
    timezone: str = Field(description="The organiser's IANA time zone.")
    open_for_feedback: bool
    background: str = Field(description="Markdown source.")


class SessionOut(Schema):
    key: str
    region: str
    languages: list[str]
    status: str
    platform: str
    timezone: str = Field(description="The zone the session's times were set in.")
    starts_utc: datetime
    ends_utc: datetime
    starts_local: datetime
    ends_local: datetime
    capacity: int | None
    seats_left: int | None
    registration_open: bool


class ProgrammeItemOut(Schema):
    order: int
    title: str
    role: str
    speaker: str
    description: str
    duration_minutes: int
    starts_utc: datetime
    ends_utc: datetime
    starts_local: datetime
    ends_local: datetime


class RecommendationOut(Schema):
    code: str
    pillar: str
    pillar_title: str
    status: str
    illustrative: bool
    language: str = Field(description="The language of title and text (English as fallback).")
    title: str
    text: str
    version: int | None = Field(description="The number of the current wording.")


class WordingOut(Schema):
    title: str
    text: str


class VersionOut(Schema):
    number: int
    changed_at: datetime
    rationale: str
    texts: dict[str, WordingOut] = Field(description="Wording by language code.")


class RecommendationDetailOut(RecommendationOut):
    versions: list[VersionOut]


class RecommendationFiguresOut(Schema):
    code: str
    title: str
    answers: int = Field(description="Respondents answering this recommendation.")
    counts: list[int] = Field(description="Answers per level: no opinion, then 1 to 5.")
    share: float | None = Field(description="Share agreeing (4 or 5) among those with a view.")
    share_low: float | None
    share_high: float | None
    consensus: float | None
    priority_mean: float | None
    priority_low: float | None
    priority_high: float | None
    preferred: float | None = Field(
        description="Chance of being preferred to another recommendation, from pairwise choices."
    )
    preferred_low: float | None
    preferred_high: float | None


class SessionParticipationOut(Schema):
    key: str
    region: str
    registered: int
    waitlisted: int
    attended: int
    answered: int
    response_rate: float | None


class ChannelOut(Schema):
    code: str
    label: str
    respondents: int


class SynthesisOut(Schema):
    consultation: str
    language: str
    generated_at: datetime
    answers: int
    choices: int
    respondents: int
    channels: list[ChannelOut]
    sessions: list[SessionParticipationOut]
    recommendations: list[RecommendationFiguresOut]


class RegistrationOut(Schema):
    id: int
    consultation: str
    session: str
    status: str
    given_name: str
    family_name: str
    email: str
    organisation: str
    stakeholder_group: str
    country: str
    language: str
    needs: str
    attribution: str
    registered_at: datetime
    attended: bool | None


def _a_number(value):
    """JSON's 4 and 4.0 are the same number; `true` and "4" are not numbers."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a whole number")
    return value


SupportLevel = Annotated[int, Field(ge=0, le=5), BeforeValidator(_a_number)]
PriorityLevel = Annotated[int, Field(ge=1, le=4), BeforeValidator(_a_number)]


# An answer's two schemas are plain pydantic models, not django-ninja's `Schema`: they only
# carry dicts, and `Schema` reads every field through a Python getter meant for model
# instances, which cost a twentieth of saving an answer. The OpenAPI description is the same.


class AnswerIn(BaseModel):
    support: SupportLevel | None = Field(
        None, description="0 no opinion, 1 strongly disagree … 5 strongly agree."
    )
    priority: PriorityLevel | None = Field(None, description="1 low … 4 essential.")
    comment: str = Field("", max_length=MAX_TEXT)
    proposed_text: str = Field("", max_length=MAX_TEXT, description="A proposed rewording.")


class AnswerOut(BaseModel):
    recommendation: str
    support: int | None
    priority: int | None
    comment: str
    proposed_text: str
    language: str
    saved_at: datetime
    submission_key: str = Field(description="The Idempotency-Key this version was saved with.")


class FeedbackOut(Schema):
    id: int
    recommendation: str
    respondent: int
    channel: str
    stakeholder_group: str
    country: str
    language: str
    support: int | None
    priority: int | None
    comment: str
    proposed_text: str
    saved_at: datetime
    hidden: bool


class AttendanceOut(Schema):
    dry_run: bool
    rows: int = Field(description="Participants in the report (one per e-mail).")
    matched: int
    unmatched: int
    marked: int = Field(description="Registrations marked as attended (0 in a dry run).")


ReportFormat = Literal["html", "pdf", "docx", "xlsx"]
