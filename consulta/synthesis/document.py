"""The synthesis of a consultation as one plain, JSON-ready document, in one language.

Every view of the synthesis reads this: the dashboard, the HTML, DOCX and PDF reports and the
XLSX annex, so a figure is computed once and reads the same everywhere. It holds no personal
data: quotes carry a stakeholder group and region, or an organisation where allowed.
"""

import math
from datetime import UTC, datetime

import numpy as np
from django.utils import translation

from consulta.feedback.diff import word_diff
from consulta.feedback.models import Channel, Priority, Stance, Support
from consulta.revisions.summary import what_changed
from consulta.synthesis import core
from consulta.synthesis.adapter import load_inputs, participation


def number(value):
    """Floats as JSON can carry them: nan and infinities become None."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def build_document(consultation, language: str = "en", **filters) -> dict:
    """`filters` (region, group, channel) narrow the answers counted, for the dashboard."""
    with translation.override(language):
        inputs = load_inputs(consultation, **filters)
        result = core.synthesise(
            inputs.answers,
            inputs.choices,
            len(inputs.recommendations),
            len(inputs.regions),
            len(inputs.groups),
        )
        analysis = _analyse(inputs.comments)
        n_channels = len(Channel.choices)
        by_channel = np.bincount(
            inputs.answers.recommendation * n_channels + inputs.answer_channels,
            minlength=len(inputs.recommendations) * n_channels,
        ).reshape(len(inputs.recommendations), n_channels)
        recommendations = [
            _recommendation(i, rec, inputs, result, analysis.get(i, {}), language, by_channel[i])
            for i, rec in enumerate(inputs.recommendations)
        ]
        return {
            "consultation": {
                "slug": consultation.slug,
                "title": consultation.title,
                "organising_network": consultation.organising_network,
                "status": consultation.status,
            },
            "language": language,
            "filters": {name: value for name, value in filters.items() if value},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "participation": participation(consultation),
            "channels": [
                {"code": code, "label": str(label), "respondents": inputs.channels.get(code, 0)}
                for code, label in Channel.choices
            ],
            "answers": len(inputs.answers),
            "choices": int(inputs.choices.chosen.size),
            "undecided_choices": result.undecided_choices,
            "rank_agreement": number(result.rank_agreement),
            "ranking": _ranking(recommendations),
            "regions": inputs.regions,
            "groups": [label for _code, label in inputs.groups],
            "recommendations": recommendations,
            "scale": [str(Support(v).label) for v in range(0, 6)],
            "priorities": [str(label) for _v, label in Priority.choices],
            "revisions": what_changed(consultation, language),
        }


def _analyse(comments):
    from consulta.synthesis.themes import analyse_comments

    return analyse_comments(comments) if comments else {}


def _recommendation(i, rec, inputs, result, analysis, language, by_channel) -> dict:
    title, title_language = rec.title_in(language)
    text, text_language = rec.text_in(language)
    counts = result.counts[i]
    comments = inputs.comments

    def quote(index):
        comment = comments[index]
        return {
            "text": comment.text,
            "attribution": comment.attribution,
            "language": comment.language,
        }

    themes = {
        lang: [
            {
                "terms": theme.terms,
                "size": theme.size,
                "quotes": [quote(member) for member in theme.quotes],
            }
            for theme in found
        ]
        for lang, found in analysis.get("themes", {}).items()
    }
    rewordings = []
    for group in analysis.get("rewordings", []):
        first = comments[group[0]]
        rewordings.append(
            {
                "size": len(group),
                "text": first.proposed_text,
                "diff": [
                    {"kind": segment.kind, "text": segment.text}
                    for segment in word_diff(
                        rec.text_in(first.language or language)[0], first.proposed_text
                    )
                ],
                "attributions": sorted({comments[m].attribution for m in group}),
            }
        )
    points = [p for p in inputs.points if p.recommendation == i]
    stances = {str(label): {} for _code, label in Stance.choices}
    for point in points:
        label = str(Stance(point.stance).label)
        stances[label][point.region] = stances[label].get(point.region, 0) + 1
    ranking = result.ranking
    return {
        "index": i,
        "code": rec.code,
        "pillar": rec.pillar.title,
        "title": title,
        "text": text,
        "fell_back": title_language != language or text_language != language,
        "illustrative": rec.illustrative,
        "answers": int(result.respondents_answering[i]),
        "by_channel": [
            {"code": code, "label": str(label), "answers": int(n)}
            for (code, label), n in zip(Channel.choices, by_channel, strict=True)
        ],
        "counts": [int(c) for c in counts],
        "on_scale": int(counts[1:].sum()),
        "share": number(result.share[i]),
        "share_low": number(result.share_low[i]),
        "share_high": number(result.share_high[i]),
        "consensus": number(result.consensus[i]),
        "by_region": _split(result.by_region, i, inputs.regions),
        "by_group": _split(result.by_group, i, [label for _c, label in inputs.groups]),
        "priority": {
            "counts": [int(c) for c in result.priority_counts[i]],
            "mean": number(result.priority_mean[i]),
            "low": number(result.priority_low[i]),
            "high": number(result.priority_high[i]),
        },
        "preferred": number(ranking.preferred[i]) if ranking else None,
        "preferred_low": number(ranking.preferred_low[i]) if ranking else None,
        "preferred_high": number(ranking.preferred_high[i]) if ranking else None,
        "languages": analysis.get("languages", {}),
        "themes": themes,
        "duplicates": [
            {"size": d["size"], "example": quote(d["example"])}
            for d in analysis.get("duplicates", [])
        ],
        "rewordings": rewordings,
        "points": {
            "by_stance": stances,
            "notes": [
                {
                    "stance": str(Stance(p.stance).label),
                    "region": p.region,
                    "note": p.note,
                    "attribution": p.attribution,
                }
                for p in points
            ],
        },
    }


def _split(split: core.Split, i: int, names: list[str]) -> dict:
    return {
        "groups": [
            {"name": name, "answers": int(split.answers[i][g]), "share": number(split.share[i][g])}
            for g, name in enumerate(names)
        ],
        "p_value": number(split.p_value[i]),
        "q_value": number(split.q_value[i]),
        "gap": number(split.gap[i]),
        "diverges": bool(split.diverges[i]),
        "group_consensus": number(split.group_consensus[i]),
    }


def _ranking(recommendations: list[dict]) -> list[dict]:
    rows = [
        {
            "code": r["code"],
            "title": r["title"],
            "preferred": r["preferred"],
            "preferred_low": r["preferred_low"],
            "preferred_high": r["preferred_high"],
            "priority_mean": r["priority"]["mean"],
            "priority_low": r["priority"]["low"],
            "priority_high": r["priority"]["high"],
        }
        for r in recommendations
    ]
    return sorted(rows, key=lambda row: (-(row["preferred"] or 0), -(row["priority_mean"] or 0)))
