"""The shape and the rules of a consultation definition file, with no Django import.

Problems of form (a missing field, a word where a number belongs) are reported first, all of
them; once the form is right, every problem of meaning (clashing sessions, unknown objectives,
an over-long programme …) is reported. Each problem names its path in the file, such as
`sessions[2].start`, so the author can find it.
"""

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from consulta.lib.languages import FALLBACK_LANGUAGE, language_problem
from consulta.lib.names import RESERVED_SLUGS
from consulta.lib.schedule import (
    Slot,
    clock_times,
    overlapping_slots,
    programme_fit,
    shift_keeping_wall_time,
    slot_problem,
    time_zone_problem,
    weeks_to_shift,
)

FORMAT_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

Text = Annotated[str, Field(max_length=20000)]
Line = Annotated[str, Field(min_length=1, max_length=300)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(Exception):
    """A definition that cannot be loaded; `problems` names every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def path_of(location) -> str:
    """('sessions', 2, 'start') -> 'sessions[2].start'"""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_url(value: str) -> str:
    if value and not URL_PATTERN.match(value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value


class OrganisationDef(Part):
    short_name: Annotated[str, Field(min_length=1, max_length=40)]
    name: Line
    url: str = ""

    _url = field_validator("url")(_check_url)


class ObjectiveDef(Part):
    number: Annotated[int, Field(ge=1, le=999)]
    title: Line


class FrameworkDef(Part):
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=50)]
    title: Line
    short_title: Annotated[str, Field(max_length=40)] = ""
    objectives: list[ObjectiveDef] = Field(min_length=1)
    primary: list[int] = []
    related: list[int] = []


class EngagementDef(Part):
    title: Line
    date: dt.date | None = None
    until: dt.date | None = None
    place: Annotated[str, Field(max_length=200)] = ""
    description: Text = ""


class ReferenceDef(Part):
    title: Line
    url: str = ""
    note: Text = ""

    _url = field_validator("url")(_check_url)


class RecommendationDef(Part):
    code: Annotated[str, Field(min_length=1, max_length=20)]
    status: Literal["draft", "revised", "final", "withdrawn"] = "draft"
    illustrative: bool = False
    objectives: list[int] = []
    title: dict[str, Annotated[str, Field(max_length=300)]]
    text: dict[str, Text]


class PillarDef(Part):
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=20)]
    title: Line
    description: Text = ""
    presenter_role: Annotated[str, Field(max_length=200)] = ""
    co_leads: list[str] = []
    recommendations: list[RecommendationDef] = []


class ProgrammeItemDef(Part):
    duration: Minutes
    title: Line
    role: Annotated[str, Field(max_length=200)] = ""
    speaker: Annotated[str, Field(max_length=200)] = ""
    description: Text = ""
    # Written by `consulta export` for readers; checked against the computed value on load.
    starts_at: str | None = None
    ends_at: str | None = None


class SessionDef(Part):
    key: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=60)] | None = None
    region: Annotated[str, Field(min_length=1, max_length=100)]
    languages: list[str] = Field(min_length=1)
    start: datetime
    end: datetime
    timezone: str | None = None
    platform: Annotated[str, Field(max_length=60)] = "Zoom"
    join_url: str = ""
    registration_url: str = ""
    capacity: Annotated[int, Field(ge=1)] | None = None
    status: Literal["scheduled", "postponed", "cancelled", "held"] = "scheduled"
    programme: list[ProgrammeItemDef] = []
    # Written by `consulta export` for readers; checked against start/end on load.
    local_start: datetime | None = None
    local_end: datetime | None = None

    _join = field_validator("join_url", "registration_url")(_check_url)

    def zone_name(self, consultation_zone: str) -> str:
        return self.timezone or consultation_zone

    def aware(self, moment: datetime, consultation_zone: str) -> datetime:
        """A naive time in the file is wall-clock time in the session's organiser zone."""
        if moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=ZoneInfo(self.zone_name(consultation_zone)))

    def slot_key(self) -> str:
        return self.key or slugify(self.region)


class ConsultationDefinition(Part):
    format: Literal[1] = FORMAT_VERSION
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=50)]
    title: Line
    status: Literal["draft", "open", "closed", "reported"] = "draft"
    timezone: str = "Europe/Paris"
    opens_on: date | None = None
    closes_on: date | None = None
    personal_data_retention_days: Annotated[int, Field(ge=1, le=36500)] = 365
    organising_network: Annotated[str, Field(max_length=200)] = ""
    background: Text = ""
    mandate: Text = ""
    objectives: list[Text] = []
    co_leads: list[str] = []
    organisations: list[OrganisationDef] = []
    framework: FrameworkDef | None = None
    timeline: list[EngagementDef] = []
    references: list[ReferenceDef] = []
    pillars: list[PillarDef] = []
    sessions: list[SessionDef] = []


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def parse_document(text: str) -> dict:
    """YAML (of which JSON is a subset) into a mapping, or DefinitionError with the line."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "the file"
        reason = getattr(error, "problem", None) or str(error)
        raise DefinitionError(
            [Problem("", f"not valid YAML or JSON at {where}: {reason}")]
        ) from None
    if not isinstance(document, dict):
        raise DefinitionError(
            [Problem("", "the file must hold one mapping (key: value) at its top")]
        )
    return document


def check_definition(document: dict) -> tuple["ConsultationDefinition", list[str]]:
    """Validate a parsed document; return (definition, warnings) or raise DefinitionError."""
    try:
        definition = ConsultationDefinition.model_validate(document)
    except ValidationError as error:
        raise DefinitionError(
            [Problem(path_of(e["loc"]), _plain(e)) for e in error.errors()]
        ) from None
    problems, warnings = _meaning_problems(definition)
    if problems:
        raise DefinitionError(problems)
    return definition, warnings


def _plain(error: dict) -> str:
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling and the format in the README)"
    if error["type"] == "missing":
        return "required"
    return message.removeprefix("Value error, ")


def _meaning_problems(d: ConsultationDefinition) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    warnings: list[str] = []

    def problem(path: str, message: str) -> None:
        problems.append(Problem(path, message))

    if d.slug in RESERVED_SLUGS:
        problem("slug", f"{d.slug!r} is reserved for Consulta's own pages; choose another")
    zone_ok = _check_zone(d.timezone, "timezone", problem)
    if d.opens_on and d.closes_on and d.closes_on < d.opens_on:
        problem("closes_on", f"closes ({d.closes_on}) before it opens ({d.opens_on})")

    org_names = _unique(
        [(f"organisations[{i}].short_name", o.short_name) for i, o in enumerate(d.organisations)],
        "organisation",
        problem,
    )
    for i, name in enumerate(d.co_leads):
        _check_known(name, org_names, f"co_leads[{i}]", "organisation", problem)

    objective_numbers: set[int] = set()
    if d.framework:
        f = d.framework
        objective_numbers = set(
            _unique(
                [
                    (f"framework.objectives[{i}].number", o.number)
                    for i, o in enumerate(f.objectives)
                ],
                "objective number",
                problem,
            )
        )
        for role in ("primary", "related"):
            for i, number in enumerate(getattr(f, role)):
                _check_objective(number, objective_numbers, f, f"framework.{role}[{i}]", problem)
        for number in set(f.primary) & set(f.related):
            problem("framework.related", f"objective {number} is already primary")

    for i, entry in enumerate(d.timeline):
        if entry.until and not entry.date:
            problem(f"timeline[{i}].date", "a date range needs its first day")
        elif entry.until and entry.date and entry.until < entry.date:
            problem(f"timeline[{i}].until", f"ends ({entry.until}) before it starts ({entry.date})")

    _unique(
        [(f"pillars[{i}].code", p.code) for i, p in enumerate(d.pillars)], "pillar code", problem
    )
    seen_codes: dict[str, str] = {}
    for i, pillar in enumerate(d.pillars):
        for j, name in enumerate(pillar.co_leads):
            _check_known(name, org_names, f"pillars[{i}].co_leads[{j}]", "organisation", problem)
        for j, rec in enumerate(pillar.recommendations):
            path = f"pillars[{i}].recommendations[{j}]"
            if rec.code in seen_codes:
                problem(f"{path}.code", f"{rec.code} is already used by {seen_codes[rec.code]}")
            else:
                seen_codes[rec.code] = path
            for field in ("title", "text"):
                texts = getattr(rec, field)
                for lang in texts:
                    reason = language_problem(lang)
                    if reason:
                        problem(f"{path}.{field}.{lang}", reason)
                if not texts.get(FALLBACK_LANGUAGE, "").strip():
                    problem(f"{path}.{field}.{FALLBACK_LANGUAGE}", "the English text is required")
            for k, number in enumerate(rec.objectives):
                if not d.framework:
                    problem(f"{path}.objectives[{k}]", "objectives need a framework in the file")
                else:
                    _check_objective(
                        number, objective_numbers, d.framework, f"{path}.objectives[{k}]", problem
                    )

    _check_sessions(d, zone_ok, problem, warnings)
    return problems, warnings


def _check_sessions(d, consultation_zone_ok, problem, warnings) -> None:
    _unique(
        [(f"sessions[{i}].key", s.slot_key()) for i, s in enumerate(d.sessions)],
        "session key (sessions of the same region need a distinct `key`)",
        problem,
    )
    slots = []
    for i, session in enumerate(d.sessions):
        path = f"sessions[{i}]"
        for j, lang in enumerate(session.languages):
            reason = language_problem(lang)
            if reason:
                problem(f"{path}.languages[{j}]", reason)
        if session.timezone is not None:
            zone_ok = _check_zone(session.timezone, f"{path}.timezone", problem)
        else:
            zone_ok = consultation_zone_ok
        if not zone_ok:
            continue
        start = session.aware(session.start, d.timezone)
        end = session.aware(session.end, d.timezone)
        reason = slot_problem(start, end)
        if reason:
            problem(f"{path}.end", reason)
            continue
        slots.append(Slot(i, session.region, start, end))
        _check_derived_times(session, start, end, d.timezone, path, problem)
        fit = programme_fit(start, end, [item.duration for item in session.programme])
        if fit.error():
            problem(f"{path}.programme", fit.error())
        elif fit.warning():
            warnings.append(f"{path}.programme ({session.region}): {fit.warning()}")
    for earlier, later in overlapping_slots(slots):
        problem(
            f"sessions[{later.key}].start",
            f"overlaps sessions[{earlier.key}] ({earlier.region}, "
            f"{earlier.start.isoformat()} to {earlier.end.isoformat()}) for the same region",
        )


def _check_derived_times(session, start, end, consultation_zone, path, problem) -> None:
    """Exported files carry computed times for readers; an edited one must still agree."""
    for field, value in (("local_start", start), ("local_end", end)):
        written = getattr(session, field)
        if written is not None and session.aware(written, consultation_zone) != value:
            problem(
                f"{path}.{field}",
                f"{written.isoformat()} does not match start/end; correct it or remove it",
            )
    zone = ZoneInfo(session.zone_name(consultation_zone))
    times = clock_times(start, [item.duration for item in session.programme])
    for k, (item, (item_start, item_end)) in enumerate(zip(session.programme, times, strict=True)):
        for field, value in (("starts_at", item_start), ("ends_at", item_end)):
            written = getattr(item, field)
            computed = f"{value.astimezone(zone):%H:%M}"
            if written is not None and written != computed:
                problem(
                    f"{path}.programme[{k}].{field}",
                    f"{written} does not match the computed clock time {computed}; "
                    "correct it or remove it",
                )


def _check_zone(name: str, path: str, problem) -> bool:
    reason = time_zone_problem(name)
    if reason:
        problem(path, reason)
    return reason is None


def _unique(items: list[tuple[str, object]], what: str, problem) -> list:
    seen: dict[object, str] = {}
    for path, value in items:
        if value in seen:
            problem(path, f"{what} {value!r} is used twice (first at {seen[value]})")
        else:
            seen[value] = path
    return list(seen)


def _check_known(name: str, known: list[str], path: str, what: str, problem) -> None:
    if name not in known:
        listed = ", ".join(known) or "none"
        problem(path, f"unknown {what} {name!r}; list it under `organisations` (listed: {listed})")


def _check_objective(number, known: set[int], framework: FrameworkDef, path: str, problem) -> None:
    if number not in known:
        span = f"{min(known)}–{max(known)}" if known else "none defined"
        problem(path, f"objective {number} does not exist in framework {framework.slug} ({span})")


def shifted(definition: ConsultationDefinition, first_day: date, slug: str, title: str | None):
    """A copy of `definition` for a new round whose first session is on or just after `first_day`.

    Everything moves by the same whole number of weeks, so sessions keep their weekdays and
    their clock times in the organiser's zone; the earlier-engagements timeline stays as it was.
    """
    if not definition.sessions:
        raise DefinitionError([Problem("sessions", "a definition without sessions has no dates")])
    zone = definition.timezone
    starts = [s.aware(s.start, zone) for s in definition.sessions]
    first = min(starts)
    first_session = definition.sessions[starts.index(first)]
    first_local_day = first.astimezone(ZoneInfo(first_session.zone_name(zone))).date()
    weeks = weeks_to_shift(first_local_day, first_day)

    def move_day(day):
        return day + timedelta(weeks=weeks) if day else None

    sessions = []
    for session in definition.sessions:
        session_zone = session.zone_name(zone)
        sessions.append(
            session.model_copy(
                update={
                    "start": shift_keeping_wall_time(
                        session.aware(session.start, zone), session_zone, weeks
                    ),
                    "end": shift_keeping_wall_time(
                        session.aware(session.end, zone), session_zone, weeks
                    ),
                    "local_start": None,
                    "local_end": None,
                    "status": "scheduled",
                    "programme": [
                        item.model_copy(update={"starts_at": None, "ends_at": None})
                        for item in session.programme
                    ],
                }
            )
        )
    return definition.model_copy(
        update={
            "slug": slug,
            "title": title or definition.title,
            "opens_on": move_day(definition.opens_on),
            "closes_on": move_day(definition.closes_on),
            "sessions": sessions,
        }
    )
