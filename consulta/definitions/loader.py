"""Write a checked consultation definition to the database: create what is new, update what
changed, leave the rest untouched, so that loading the same file twice changes nothing.

What the file no longer lists: sessions are deleted; recommendations are never deleted (their
history and any feedback must survive) but marked withdrawn.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from consulta.audit.actions import acting_as, record
from consulta.consultations import actions
from consulta.consultations.models import (
    Consultation,
    ConsultationObjective,
    Engagement,
    Framework,
    FrameworkObjective,
    Organisation,
    Pillar,
    Recommendation,
    Reference,
    ServedObjective,
)
from consulta.definitions.exporter import export_consultation
from consulta.definitions.schema import (
    ConsultationDefinition,
    DefinitionError,
    Problem,
    check_definition,
    parse_document,
    shifted,
)
from consulta.meetings.actions import note_session_changed
from consulta.meetings.models import ProgrammeItem, Session


@dataclass
class LoadReport:
    consultation: Consultation | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    withdrawn: list[str] = field(default_factory=list)  # recommendations' codes
    warnings: list[str] = field(default_factory=list)

    def changed_anything(self) -> bool:
        return bool(+self.created or +self.updated or +self.deleted)

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(set(+self.created) | set(+self.updated) | set(+self.deleted)):
            out.append(
                f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
                f"{self.deleted[kind]} deleted"
            )
        return out or ["nothing changed"]

    def summary(self) -> str:
        created, updated = sum(self.created.values()), sum(self.updated.values())
        deleted = sum(self.deleted.values())
        if not (created or updated or deleted):
            return "nothing changed"
        return f"{created} created, {updated} updated, {deleted} deleted"


def load_file(path: Path, **options) -> LoadReport:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([Problem("", f"cannot read {path}: {error}")]) from None
    return load_text(text, **options)


def load_text(text: str, **options) -> LoadReport:
    return load_document(parse_document(text), **options)


def load_document(
    document: dict,
    *,
    shift_to: date | None = None,
    slug: str | None = None,
    title: str | None = None,
    status: str | None = None,
    actor=None,
    source: str = "consulta load",
) -> LoadReport:
    """Check and load a parsed definition, optionally as a new round (`shift_to`, new slug).

    The audit trail records the load as done by `actor`, or by `source` when there is none."""
    definition, warnings = check_definition(document)
    if shift_to or slug or title or status:
        if shift_to:
            definition = shifted(definition, shift_to, slug or definition.slug, title)
        changes = {"slug": slug, "title": title, "status": status}
        definition = definition.model_copy(update={k: v for k, v in changes.items() if v})
        definition, warnings = check_definition(definition.model_dump())
    return load_definition(definition, warnings, actor=actor, source=source)


def copy_as_new_round(
    consultation: Consultation, first_day: date, slug: str, title: str, actor=None
):
    """A draft copy of `consultation` whose sessions start on or just after `first_day`."""
    document = export_consultation(consultation.slug)
    return load_document(
        document, shift_to=first_day, slug=slug, title=title, status="draft", actor=actor
    )


def load_definition(
    definition: ConsultationDefinition, warnings=(), actor=None, source="consulta load"
) -> LoadReport:
    """Write `definition`; a load that changes something is one entry in the audit trail."""
    report = LoadReport(warnings=list(warnings))
    with transaction.atomic(), acting_as(source):
        _Writer(definition, report, actor).write()
        if report.changed_anything():
            counts = {"created": report.created, "updated": report.updated}
            counts |= {"deleted": report.deleted, "withdrawn": report.withdrawn}
            after = {name: value for name, value in counts.items() if value}
            record(actor, "definition.loaded", report.consultation, after=after)
    return report


class _Writer:
    """Walks a definition in order, writing each object only where it differs."""

    def __init__(self, definition: ConsultationDefinition, report: LoadReport, actor=None):
        self.d = definition
        self.report = report
        self.actor = actor
        self.organisations: dict[str, Organisation] = {}
        self.objectives: dict[int, FrameworkObjective] = {}

    def write(self):
        d = self.d
        for i, org in enumerate(d.organisations):
            self.organisations[org.short_name] = self.upsert(
                Organisation,
                {"short_name": org.short_name},
                {"name": org.name, "url": org.url},
                f"organisations[{i}]",
            )
        framework = self.write_framework() if d.framework else None
        consultation = self.upsert(
            Consultation,
            {"slug": d.slug},
            {
                "title": d.title,
                "status": d.status,
                "timezone": d.timezone,
                "opens_on": d.opens_on,
                "closes_on": d.closes_on,
                "personal_data_retention_days": d.personal_data_retention_days,
                "organising_network": d.organising_network,
                "background": d.background,
                "mandate": d.mandate,
                "framework": framework,
            },
            "",
        )
        self.report.consultation = consultation
        self.set_many(consultation, "co_leads", [self.organisations[n] for n in d.co_leads])
        self.sync_served_objectives(consultation)
        self.sync_list(
            consultation.aims.all(),
            ConsultationObjective,
            {"consultation": consultation},
            [{"text": text} for text in d.objectives],
            "objectives",
        )
        self.sync_list(
            consultation.timeline.all(),
            Engagement,
            {"consultation": consultation},
            [
                {
                    "title": e.title,
                    "starts_on": e.date,
                    "ends_on": e.until,
                    "place": e.place,
                    "description": e.description,
                }
                for e in d.timeline
            ],
            "timeline",
        )
        self.sync_list(
            consultation.references.all(),
            Reference,
            {"consultation": consultation},
            [{"title": r.title, "url": r.url, "note": r.note} for r in d.references],
            "references",
        )
        self.write_pillars(consultation)
        self.write_sessions(consultation)

    def write_framework(self) -> Framework:
        f = self.d.framework
        framework = self.upsert(
            Framework,
            {"slug": f.slug},
            {"title": f.title, "short_title": f.short_title},
            "framework",
        )
        for i, objective in enumerate(f.objectives):
            self.objectives[objective.number] = self.upsert(
                FrameworkObjective,
                {"framework": framework, "number": objective.number},
                {"title": objective.title},
                f"framework.objectives[{i}]",
            )
        return framework

    def sync_served_objectives(self, consultation: Consultation):
        f = self.d.framework
        wanted = set()
        if f:
            wanted |= {(self.objectives[n].pk, ServedObjective.Role.PRIMARY) for n in f.primary}
            wanted |= {(self.objectives[n].pk, ServedObjective.Role.RELATED) for n in f.related}
        existing = set(consultation.served_objectives.values_list("objective_id", "role"))
        if wanted == existing:
            return
        consultation.served_objectives.all().delete()
        ServedObjective.objects.bulk_create(
            ServedObjective(consultation=consultation, objective_id=pk, role=role)
            for pk, role in sorted(wanted)
        )
        self.report.updated["framework objectives served"] += 1

    def write_pillars(self, consultation: Consultation):
        listed_codes = set()
        for i, p in enumerate(self.d.pillars):
            pillar = self.upsert(
                Pillar,
                {"consultation": consultation, "code": p.code},
                {
                    "order": i,
                    "title": p.title,
                    "description": p.description,
                    "presenter_role": p.presenter_role,
                },
                f"pillars[{i}]",
            )
            self.set_many(pillar, "co_leads", [self.organisations[n] for n in p.co_leads])
            for j, r in enumerate(p.recommendations):
                listed_codes.add(r.code)
                self.write_recommendation(
                    consultation, pillar, j, r, f"pillars[{i}].recommendations[{j}]"
                )
        for leftover in consultation.recommendations.exclude(code__in=listed_codes).exclude(
            status=Recommendation.Status.WITHDRAWN
        ):
            leftover.status = Recommendation.Status.WITHDRAWN
            leftover.save(update_fields=["status"])
            self.report.updated["recommendations"] += 1
            self.report.withdrawn.append(leftover.code)
        stale_pillars = consultation.pillars.exclude(code__in=[p.code for p in self.d.pillars])
        stale_pillars = stale_pillars.filter(recommendations__isnull=True)
        self.report.deleted["pillars"] += stale_pillars.delete()[1].get("consultations.Pillar", 0)

    def write_recommendation(self, consultation, pillar, order, r, path):
        langs = set(r.title) | set(r.text)
        texts = {
            lang: {"title": r.title.get(lang, ""), "text": r.text.get(lang, "")} for lang in langs
        }
        values = {
            "pillar": pillar,
            "order": order,
            "status": r.status,
            "illustrative": r.illustrative,
        }
        existing = Recommendation.objects.filter(consultation=consultation, code=r.code).first()
        with self.at(path):
            if existing is None:
                recommendation = actions.create_recommendation(
                    consultation=consultation, code=r.code, texts=texts, by=self.actor, **values
                )
                self.report.created["recommendations"] += 1
            else:
                recommendation = existing
                revised = actions.revise_recommendation(
                    recommendation, texts, by=self.actor, rationale="Updated from a definition file"
                )
                changed = self.assign(recommendation, values)
                if changed:
                    recommendation.save()
                if revised or changed:
                    self.report.updated["recommendations"] += 1
        self.set_many(recommendation, "objectives", [self.objectives[n] for n in r.objectives])

    def write_sessions(self, consultation: Consultation):
        keys = [s.slot_key() for s in self.d.sessions]
        stale = consultation.sessions.exclude(key__in=keys)
        kept = [
            key for key in stale.filter(registrations__isnull=False).values_list("key", flat=True)
        ]
        if kept:
            raise DefinitionError(
                [
                    Problem(
                        "sessions",
                        f"session {key!r} has registrations and cannot be removed; keep it "
                        "in the file with `status: cancelled` instead",
                    )
                    for key in sorted(set(kept))
                ]
            )
        self.report.deleted["sessions"] += stale.delete()[1].get("meetings.Session", 0)
        for i, s in enumerate(self.d.sessions):
            existed = consultation.sessions.filter(key=s.slot_key()).exists()
            changes_before = self.change_count()
            session = self.upsert(
                Session,
                {"consultation": consultation, "key": s.slot_key()},
                {
                    "region": s.region,
                    "languages": s.languages,
                    "starts_at": s.aware(s.start, self.d.timezone),
                    "ends_at": s.aware(s.end, self.d.timezone),
                    "timezone": s.zone_name(self.d.timezone),
                    "platform": s.platform,
                    "join_url": s.join_url,
                    "registration_url": s.registration_url,
                    "capacity": s.capacity,
                    "status": s.status,
                },
                f"sessions[{i}]",
            )
            self.sync_list(
                session.programme.all(),
                ProgrammeItem,
                {"session": session},
                [
                    {
                        "duration_minutes": item.duration,
                        "title": item.title,
                        "role": item.role,
                        "speaker": item.speaker,
                        "description": item.description,
                    }
                    for item in s.programme
                ],
                "programme items",
                path=f"sessions[{i}].programme",
            )
            if existed and self.change_count() != changes_before:
                note_session_changed(session)

    def change_count(self) -> int:
        return sum((self.report.created + self.report.updated + self.report.deleted).values())

    # -- generic, idempotent writes ------------------------------------------------------------

    def upsert(self, model, lookup: dict, values: dict, path: str):
        label = str(model._meta.verbose_name_plural)
        instance = model.objects.filter(**lookup).first()
        with self.at(path):
            if instance is None:
                instance = model(**lookup, **values)
                instance.clean_fields()
                instance.save()
                self.report.created[label] += 1
            elif self.assign(instance, values):
                instance.clean_fields()
                instance.save()
                self.report.updated[label] += 1
        return instance

    def sync_list(self, current, model, parent: dict, rows: list[dict], label, path=None):
        """Make the ordered children of a parent equal to `rows`, position by position."""
        existing = list(current.order_by("order", "pk"))
        path = path or label
        for order, values in enumerate(rows):
            values = {**values, "order": order}
            with self.at(f"{path}[{order}]"):
                if order < len(existing):
                    if self.assign(existing[order], values):
                        existing[order].clean_fields()
                        existing[order].save()
                        self.report.updated[label] += 1
                else:
                    child = model(**parent, **values)
                    child.clean_fields()
                    child.save()
                    self.report.created[label] += 1
        for extra in existing[len(rows) :]:
            extra.delete()
            self.report.deleted[label] += 1

    def set_many(self, instance, field_name: str, targets: list):
        manager = getattr(instance, field_name)
        if {t.pk for t in targets} != set(manager.values_list("pk", flat=True)):
            manager.set(targets)
            self.report.updated[
                f"{instance._meta.verbose_name} {field_name.replace('_', '-')}"
            ] += 1

    @staticmethod
    def assign(instance, values: dict) -> bool:
        changed = False
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        return changed

    def at(self, path: str):
        return _ProblemsAt(path)


class _ProblemsAt:
    """Turns a model's own validation error into a DefinitionError naming the path in the file."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError):
            problems = []
            for name, messages in error.message_dict.items():
                where = self.path if name == "__all__" else f"{self.path}.{name}".lstrip(".")
                problems.extend(Problem(where, message) for message in messages)
            raise DefinitionError(problems) from None
        return False
