"""The synthesis dashboard of organisers and co-leads: the consultation's figures and charts, and one page per
recommendation, both filtered by region, stakeholder group and channel.

Everything shown comes from the synthesis document (`build_document`), computed for each
request in a fixed number of queries whatever the number of answers. Every figure links to the
answers behind it in the feedback inbox (`manage-feedback`, organisers only), with the inbox's
own filters: `recommendation` (a code), `session` (a session's key; the dashboard's region),
`group`, `channel` and `stance`.
"""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from consulta.feedback.models import Channel, Stance
from consulta.permissions import (
    co_lead_required,
    co_led_pillars,
    consultation_for_synthesis,
    organises,
)
from consulta.registrations.models import StakeholderGroup
from consulta.synthesis import charts
from consulta.synthesis.core import MIN_GROUP_ANSWERS
from consulta.synthesis.document import build_document

# Drawing a chart takes a few tenths of a second; a drawn chart is kept, under a fingerprint of
# everything it shows, for as long as nothing in it changes (and at most this long).
CHART_CACHE_SECONDS = 24 * 3600

# The channels a respondent answers through (live capture records points, not respondents).
ANSWER_CHANNELS = [(code, label) for code, label in Channel.choices if code != Channel.LIVE_CAPTURE]


class SynthesisFilters(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    group = forms.ChoiceField(
        label=_("Stakeholder group"),
        required=False,
        choices=[("", _("Any group")), *StakeholderGroup.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *ANSWER_CHANNELS]
    )

    def __init__(self, data, *, regions):
        super().__init__(data)
        self.fields["region"].choices = [("", _("Every region"))] + [(r, r) for r in regions]

    def valid_filters(self) -> dict:
        """The filters given that make sense; a wrong one is reported on the form and ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def described(self, filters: dict) -> list[tuple[str, str]]:
        """(label, chosen value) of each active filter, to state them above the figures."""
        described = []
        for name, value in filters.items():
            field = self.fields[name]
            described.append((str(field.label), str(dict(field.choices).get(value, value))))
        return described


class Dashboard:
    """What both pages need: the consultation, its filters, the document, and the links."""

    def __init__(self, request, slug):
        # Organisers, and co-leads of a pillar of this consultation.
        self.consultation = consultation_for_synthesis(request, slug)
        self.organiser = organises(request.user, self.consultation)
        self.revisable = set(
            self.consultation.recommendations.filter(
                pillar__in=co_led_pillars(request.user)
            ).values_list("code", flat=True)
        )
        sessions = list(
            self.consultation.sessions.order_by("starts_at").values_list("key", "region")
        )
        self.region_key = {}
        for key, region in sessions:
            self.region_key.setdefault(region, key)
        self.form = SynthesisFilters(request.GET or None, regions=list(self.region_key))
        self.filters = self.form.valid_filters() if request.GET else {}
        self.document = build_document(self.consultation, get_language(), **self.filters)
        self.group_code = {str(label): code for code, label in StakeholderGroup.choices}
        self.query = urlencode(self.filters)

    def inbox(self, **params) -> str:
        """The inbox with the dashboard's filters, narrowed (or widened, with None) by `params`;
        `region` is turned into the inbox's `session`. Co-leads, who may not see who answered,
        drill down to the revision page instead, where answers show no personal data."""
        if not self.organiser:
            code = params.get("recommendation")
            if code in self.revisable:
                return reverse("revisions-revise", args=[self.consultation.slug, code])
            if code and code != "general":
                return self.page(code)
            return reverse("revisions", args=[self.consultation.slug])
        query = dict(self.filters)
        query.update(params)
        region = query.pop("region", None)
        if region:
            query["session"] = self.region_key.get(region, "")
        query = {name: value for name, value in query.items() if value}
        return reverse("manage-feedback", args=[self.consultation.slug]) + "?" + urlencode(query)

    def page(self, code: str | None = None) -> str:
        """The dashboard, or a recommendation's page, with the same filters."""
        if code is None:
            url = reverse("manage-synthesis", args=[self.consultation.slug])
        else:
            url = reverse("manage-synthesis-recommendation", args=[self.consultation.slug, code])
        return url + (f"?{self.query}" if self.query else "")

    def context(self, **extra) -> dict:
        return {
            "consultation": self.consultation,
            "doc": self.document,
            "form": self.form,
            "active_filters": self.form.described(self.filters),
            "filters": self.filters,
            "min_group_answers": MIN_GROUP_ANSWERS,
            "organiser": self.organiser,
            **extra,
        }


def _cell(text, url="") -> dict:
    return {"text": text, "url": url}


def _table(chart: charts.Chart, header_url, cell_url) -> dict:
    """A chart's data table with links: `header_url(row_key)`, `cell_url(row_key, column_key)`
    (either may return "" for no link)."""
    rows = []
    for key, row in zip(chart.row_keys, chart.rows, strict=True):
        rows.append(
            {
                "header": _cell(row[0], header_url(key)),
                "cells": [
                    _cell(text, cell_url(key, column))
                    for text, column in zip(row[1:], chart.column_keys, strict=False)
                ],
            }
        )
    return {
        "key": chart.key,
        "title": chart.title,
        "caption": chart.caption,
        "svg": cache.get_or_set(
            f"consulta:synthesis:chart:{chart.fingerprint()}", chart.svg, CHART_CACHE_SECONDS
        ),
        "headers": chart.headers,
        "rows": rows,
    }


@co_lead_required
def dashboard(request, slug):
    """Headline figures, the four charts with their tables, the ranking, the recommendations."""
    board = Dashboard(request, slug)
    doc = board.document

    def by_recommendation(code, _column=None):
        return board.inbox(recommendation=code)

    def by_region(code, region):
        if region not in board.region_key:
            return ""
        return board.inbox(recommendation=code, region=region)

    def by_session(key, column):
        return "" if column != "answered" else board.inbox(session=key, region=None)

    figures = [
        _table(charts.support_chart(doc), board.page, by_recommendation),
        _table(charts.priorities_chart(doc), board.page, by_recommendation),
        _table(charts.regions_chart(doc), board.page, by_region),
        _table(
            charts.participation_chart(doc),
            lambda key: board.inbox(session=key, region=None),
            by_session,
        ),
    ]
    by_code = {r["code"]: r for r in doc["recommendations"]}
    priority_order = sorted(
        (row for row in doc["ranking"] if row["priority_mean"] is not None),
        key=lambda row: -row["priority_mean"],
    )
    priority_rank = {row["code"]: n for n, row in enumerate(priority_order, start=1)}
    ranking = [
        {
            "rank": n,
            "code": row["code"],
            "title": row["title"],
            "url": board.page(row["code"]),
            "inbox": board.inbox(recommendation=row["code"]),
            "preferred": charts.percent_interval(
                row["preferred"], row["preferred_low"], row["preferred_high"]
            ),
            "priority": charts.decimal_interval(
                row["priority_mean"], row["priority_low"], row["priority_high"]
            ),
            "priority_rank": priority_rank.get(row["code"], charts.NO_DATA),
        }
        for n, row in enumerate(doc["ranking"], start=1)
    ]
    recommendations = [
        {
            "code": rec["code"],
            "title": rec["title"],
            "pillar": rec["pillar"],
            "url": board.page(rec["code"]),
            "answers": rec["answers"],
            "share": charts.percent_interval(rec["share"], rec["share_low"], rec["share_high"]),
            "by_region": rec["by_region"]["diverges"],
            "by_group": rec["by_group"]["diverges"],
        }
        for rec in by_code.values()
    ]
    channels = [
        dict(channel, url=board.inbox(channel=channel["code"]))
        for channel in doc["channels"]
        if channel["code"] != Channel.LIVE_CAPTURE or channel["respondents"]
    ]
    return render(
        request,
        "synthesis/dashboard/dashboard.html",
        board.context(
            respondents=sum(channel["respondents"] for channel in doc["channels"]),
            channels=channels,
            figures=figures,
            ranking=ranking,
            recommendations=recommendations,
            rank_agreement=doc["rank_agreement"],
            inbox_url=board.inbox(),
        ),
    )


@co_lead_required
def recommendation(request, slug, code):
    """One recommendation: support, consensus, divergence, priority, preference, themes and
    quotes, form letters, rewordings, captured points."""
    board = Dashboard(request, slug)
    doc = board.document
    rec = next((r for r in doc["recommendations"] if r["code"] == code), None)
    if rec is None:
        raise Http404
    support = _table(
        charts.support_chart(doc, codes={code}),
        lambda _key: "",
        lambda key, _column: board.inbox(recommendation=key),
    )
    rank = next((n for n, row in enumerate(doc["ranking"], start=1) if row["code"] == code), None)
    languages = dict(settings.LANGUAGES)
    stance_code = {str(label): value for value, label in Stance.choices}
    regions = doc["regions"]
    points = [
        {
            "stance": stance,
            "cells": [
                _cell(
                    by_region.get(region, 0),
                    board.inbox(
                        recommendation=code,
                        region=region,
                        stance=stance_code.get(stance, ""),
                        group=None,
                        channel=Channel.LIVE_CAPTURE,
                    )
                    if by_region.get(region)
                    else "",
                )
                for region in regions
            ],
            "total": sum(by_region.values()),
        }
        for stance, by_region in rec["points"]["by_stance"].items()
    ]
    return render(
        request,
        "synthesis/dashboard/recommendation.html",
        board.context(
            rec=rec,
            support=support,
            share=charts.percent_interval(rec["share"], rec["share_low"], rec["share_high"]),
            rank=rank,
            ranked=len(doc["ranking"]),
            preferred=charts.percent_interval(
                rec["preferred"], rec["preferred_low"], rec["preferred_high"]
            ),
            priority=charts.decimal_interval(
                rec["priority"]["mean"], rec["priority"]["low"], rec["priority"]["high"]
            ),
            priority_counts=list(zip(doc["priorities"], rec["priority"]["counts"], strict=False)),
            splits=[
                _split(
                    rec["by_region"],
                    gettext("By region"),
                    gettext("Share supporting by region"),
                    gettext("Region"),
                    "regions",
                    lambda name: (
                        board.inbox(recommendation=code, region=name)
                        if name in board.region_key
                        else ""
                    ),
                ),
                _split(
                    rec["by_group"],
                    gettext("By stakeholder group"),
                    gettext("Share supporting by stakeholder group"),
                    gettext("Stakeholder group"),
                    "groups",
                    lambda name: board.inbox(
                        recommendation=code, group=board.group_code.get(name, "")
                    ),
                ),
            ],
            themes=[
                {"language": code_, "name": languages.get(code_, code_), "themes": found}
                for code_, found in rec["themes"].items()
            ],
            language_counts=_language_counts(rec["languages"], languages),
            points=points,
            regions=regions,
            dashboard_url=board.page(),
            inbox_url=board.inbox(recommendation=code),
            points_url=board.inbox(recommendation=code, group=None, channel=Channel.LIVE_CAPTURE),
        ),
    )


def _split(split: dict, title: str, caption: str, what: str, key: str, url) -> dict:
    """A divergence table: each group's answers and share, linked to its answers."""
    return {
        "key": key,
        "title": title,
        "caption": caption,
        "what": what,
        "rows": [
            {
                "name": group["name"],
                "answers": group["answers"],
                "share": charts.percent(group["share"])
                if group["answers"] >= MIN_GROUP_ANSWERS
                else gettext("too few answers"),
                "url": url(group["name"]) if group["answers"] else "",
            }
            for group in split["groups"]
        ],
        "diverges": split["diverges"],
        "gap": charts.percent(split["gap"]),
        "q_value": charts.q_value(split["q_value"]),
        "p_value": charts.q_value(split["p_value"]),
        "group_consensus": f"{split['group_consensus']:.2f}"
        if split["group_consensus"] is not None
        else charts.NO_DATA,
    }


def _language_counts(counts, languages: dict) -> list[tuple[str, str, object]]:
    """(code, name, comments) per language, if the document gives counts per language."""
    if not isinstance(counts, dict):
        return []
    return [(code, languages.get(code, code), n) for code, n in counts.items()]
