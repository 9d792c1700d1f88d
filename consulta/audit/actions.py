"""The one write path for the audit trail: `record` one entry for each change an organiser,
co-lead or moderator makes, called directly from the write path that makes it.

What an entry may hold: the record's type, id and a label that never names a participant, and
in `before`/`after` only the fields that changed. Participants' names, e-mail addresses and
needs never enter an entry: `record` replaces any such field's value with "(changed)", so a
caller that snapshots a participant's record still records only the fact of the change.
"""

import contextlib
import contextvars
import datetime
import decimal
import uuid

from django.db import models

from consulta.audit.middleware import client_address
from consulta.audit.models import AuditEntry
from consulta.consultations.models import Consultation

SYSTEM = "system"
CHANGED = "(changed)"

# Field names whose values are personal data: recorded as CHANGED, never as values.
PERSONAL_FIELDS = frozenset(
    {"email", "given_name", "family_name", "full_name", "needs", "organisation", "identity"}
)

# Models whose str() never names a participant and needs no query; others get "<type> <id>".
LABELLED_BY_STR = frozenset(
    {
        "consultations.consultation",
        "consultations.pillar",
        "consultations.recommendation",
        "consultations.recommendationversion",
        "consultations.organisation",
        "consultations.framework",
        "consultations.engagement",
        "consultations.reference",
        "meetings.session",
        "meetings.programmeitem",
        "feedback.importbatch",
    }
)


# What runs the changes made without a person (a command), while `acting_as` is in force.
_source: contextvars.ContextVar[str] = contextvars.ContextVar("audit_source", default=SYSTEM)


@contextlib.contextmanager
def acting_as(source: str):
    """Within this block, changes made without a person are recorded as made by `source`
    (e.g. "consulta load"), including those recorded by the write paths it calls."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def record(
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    consultation=None,
) -> AuditEntry:
    """Append one entry: `actor` (a user; None for a command, named by `acting_as`, else
    "system") did `action` (a verb code like "recommendation.revised") on `obj`.

    `consultation` (an instance or a primary key) defaults to the one `obj` belongs to. Call it
    inside the write path's transaction, so that the entry and the change stand or fall together.
    """
    consultation = _consultation_of(obj) if consultation is None else consultation
    if isinstance(consultation, int):
        consultation = Consultation.objects.only("slug").get(pk=consultation)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else _source.get())[:150],
        consultation=consultation,
        consultation_slug=consultation.slug if consultation else "",
        action=action,
        object_type=obj._meta.model_name if isinstance(obj, models.Model) else "",
        object_id=str(obj.pk) if isinstance(obj, models.Model) and obj.pk is not None else "",
        object_label=label(obj)[:200],
        before=_clean(before or {}),
        after=_clean(after or {}),
        ip=client_address.get(),
    )


def label(obj) -> str:
    """A short, human label for `obj` that never names a participant."""
    if not isinstance(obj, models.Model):
        return ""
    if obj._meta.label_lower in LABELLED_BY_STR:
        return str(obj)
    return f"{obj._meta.verbose_name} {obj.pk}"


def snapshot(instance: models.Model, fields=None, exclude=()) -> dict:
    """The concrete field values of `instance` (foreign keys as ids), JSON-ready."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in exclude:
            continue
        if fields is not None and field.name not in fields:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """(before, after) reduced to the fields whose values differ (a missing field is None)."""
    changed = [
        name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)
    ]
    return (
        {name: before.get(name) for name in changed},
        {name: after.get(name) for name in changed},
    )


def _consultation_of(obj):
    """The consultation `obj` belongs to, as an instance or a primary key, or None."""
    if isinstance(obj, Consultation):
        return obj if obj.pk is not None else None
    for path in ("consultation_id", "recommendation", "session", "pillar"):
        value = getattr(obj, path, None) if isinstance(obj, models.Model) else None
        if isinstance(value, int):
            return value
        if isinstance(value, models.Model) and getattr(value, "consultation_id", None):
            return value.consultation_id
    return None


def _clean(values: dict) -> dict:
    return {
        name: CHANGED if name in PERSONAL_FIELDS else _plain(value)
        for name, value in values.items()
    }


def _plain(value):
    """`value` as JSON can hold it: dates as ISO text (instants in UTC), sets as sorted lists,
    models as ids."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()  # one instant, one text
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def record_export(actor, consultation, fmt: str, filters: dict, rows: int) -> AuditEntry:
    """Who exported which participants' personal data: the format, the filters and how many
    rows. A search term may be a participant's name, so only the fact of a search is kept."""
    shown = {name: value for name, value in filters.items() if name != "q"}
    if filters.get("q"):
        shown["search"] = True
    after = {"format": fmt, "filters": shown, "rows": rows}
    return record(actor, "registrations.exported", consultation=consultation, after=after)
