"""Write a consultation out in the definition format, with computed times added for readers.

The output loads back as it is: the computed fields (`local_start`, `local_end`, programme
`starts_at`/`ends_at`) are checked against the times on load, never taken from the file.
"""

import json
from datetime import UTC

import yaml

from consulta.consultations.models import Consultation, Organisation, ServedObjective
from consulta.definitions.schema import FORMAT_VERSION


def export_consultation(slug: str) -> dict:
    c = (
        Consultation.objects.select_related("framework")
        .prefetch_related(
            "co_leads",
            "aims",
            "timeline",
            "references",
            "served_objectives__objective",
            "framework__objectives",
            "pillars__co_leads",
            "recommendations__objectives",
            "sessions__programme",
        )
        .get(slug=slug)
    )
    organisations = set(c.co_leads.all())
    for pillar in c.pillars.all():
        organisations |= set(pillar.co_leads.all())
    data = {
        "format": FORMAT_VERSION,
        "slug": c.slug,
        "title": c.title,
        "status": c.status,
        "timezone": c.timezone,
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "personal_data_retention_days": c.personal_data_retention_days,
        "organising_network": c.organising_network,
        "background": c.background,
        "mandate": c.mandate,
        "objectives": [aim.text for aim in c.aims.all()],
        "organisations": [_organisation(o) for o in sorted(organisations, key=_by_name)],
        "co_leads": [o.short_name for o in sorted(c.co_leads.all(), key=_by_name)],
        "framework": _framework(c),
        "timeline": [
            _compact(
                {
                    "title": e.title,
                    "date": e.starts_on,
                    "until": e.ends_on,
                    "place": e.place,
                    "description": e.description,
                }
            )
            for e in c.timeline.all()
        ],
        "references": [
            _compact({"title": r.title, "url": r.url, "note": r.note}) for r in c.references.all()
        ],
        "pillars": [_pillar(c, pillar) for pillar in c.pillars.all()],
        "sessions": [_session(s) for s in c.sessions.all()],
    }
    return _compact(data)


def dump(data: dict, fmt: str) -> str:
    """Serialise an export as `json` or `yaml`; dates and times as ISO-8601 text."""
    plain = json.loads(json.dumps(data, default=_iso))
    if fmt == "json":
        return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, width=100)


def _iso(value):
    return value.isoformat()


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_name(organisation: Organisation) -> str:
    return organisation.short_name


def _compact(mapping: dict) -> dict:
    """Leave out empty optional values so the file stays readable."""
    return {k: v for k, v in mapping.items() if v not in (None, "", [], {})}


def _organisation(o: Organisation) -> dict:
    return _compact({"short_name": o.short_name, "name": o.name, "url": o.url})


def _framework(c: Consultation) -> dict | None:
    if not c.framework:
        return None
    served = list(c.served_objectives.all())
    return _compact(
        {
            "slug": c.framework.slug,
            "title": c.framework.title,
            "short_title": c.framework.short_title,
            "objectives": [
                {"number": o.number, "title": o.title} for o in c.framework.objectives.all()
            ],
            "primary": sorted(
                s.objective.number for s in served if s.role == ServedObjective.Role.PRIMARY
            ),
            "related": sorted(
                s.objective.number for s in served if s.role == ServedObjective.Role.RELATED
            ),
        }
    )


def _pillar(c: Consultation, pillar) -> dict:
    recommendations = [r for r in c.recommendations.all() if r.pillar_id == pillar.pk]
    return _compact(
        {
            "code": pillar.code,
            "title": pillar.title,
            "description": pillar.description,
            "presenter_role": pillar.presenter_role,
            "co_leads": [o.short_name for o in sorted(pillar.co_leads.all(), key=_by_name)],
            "recommendations": [_recommendation(r) for r in recommendations],
        }
    )


def _recommendation(r) -> dict:
    texts = r.texts()
    return _compact(
        {
            "code": r.code,
            "status": r.status,
            "illustrative": r.illustrative or None,
            "objectives": sorted(o.number for o in r.objectives.all()),
            "title": {lang: t["title"] for lang, t in texts.items() if t["title"]},
            "text": {lang: t["text"] for lang, t in texts.items() if t["text"]},
        }
    )


def _session(s) -> dict:
    items = list(s.programme.all())
    zone = s.zone()
    return _compact(
        {
            "key": s.key,
            "region": s.region,
            "languages": s.languages,
            "start": _utc(s.starts_at),
            "end": _utc(s.ends_at),
            "timezone": s.timezone,
            "local_start": s.local_start().isoformat(),
            "local_end": s.local_end().isoformat(),
            "platform": s.platform,
            "join_url": s.join_url,
            "registration_url": s.registration_url,
            "capacity": s.capacity,
            "status": s.status,
            "programme": [
                _compact(
                    {
                        "duration": item.duration_minutes,
                        "starts_at": f"{start.astimezone(zone):%H:%M}",
                        "ends_at": f"{end.astimezone(zone):%H:%M}",
                        "title": item.title,
                        "role": item.role,
                        "speaker": item.speaker,
                        "description": item.description,
                    }
                )
                for item, start, end in s.schedule(items)
            ],
        }
    )
