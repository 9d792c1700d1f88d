"""Read a consultation's counted feedback from the database into the plain inputs of the
synthesis core. The only place where the synthesis touches Django.

What counts: current, visible (not hidden), non-empty answers of counted respondents
(`consulta.feedback.submissions.counted_respondents`: personal links, confirmed open
submissions, imports); pairwise choices of the same respondents; visible captured points.
Nothing personal leaves this module: quotes are attributed to a stakeholder group and region,
or to an organisation where its author allowed that, never to a name or an e-mail address.
"""

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback.models import Answer, CapturedPoint, Channel, PairwiseChoice
from consulta.feedback.submissions import counted_respondents
from consulta.registrations.models import Attribution, Registration, StakeholderGroup
from consulta.synthesis.core import AnswerTable, ChoiceTable

NO_REGION = -1
CHANNELS = [code for code, _label in Channel.choices]


@dataclass(frozen=True)
class Comment:
    recommendation: int
    text: str
    language: str
    region: str
    group: str
    attribution: str  # "Civil society, Africa" or "IOM (civil society, Africa)"
    channel: str
    proposed_text: str = ""


@dataclass(frozen=True)
class Point:
    recommendation: int | None
    region: str
    group: str
    stance: str
    note: str
    attribution: str


@dataclass
class Inputs:
    consultation: Consultation
    recommendations: list[Recommendation]
    regions: list[str]
    groups: list[tuple[str, str]]  # (code, label)
    answers: AnswerTable
    choices: ChoiceTable
    comments: list[Comment] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)  # respondents per channel
    answer_channels: np.ndarray | None = None  # per answer, index into CHANNELS


def load_inputs(
    consultation: Consultation,
    *,
    region: str | None = None,
    group: str | None = None,
    channel: str | None = None,
) -> Inputs:
    """`region` (a session's region name), `group` (a stakeholder group code) and `channel`
    narrow the answers and choices counted; the dashboard's filters."""
    recommendations = list(
        consultation.recommendations.exclude(status=Recommendation.Status.WITHDRAWN)
        .select_related("pillar")
        .order_by("pillar__order", "order")
    )
    rec_index = {r.pk: i for i, r in enumerate(recommendations)}
    regions = list(
        dict.fromkeys(consultation.sessions.order_by("starts_at").values_list("region", flat=True))
    )
    region_index = {name: i for i, name in enumerate(regions)}
    groups = [(code, str(label)) for code, label in StakeholderGroup.choices]
    group_index = {code: i for i, (code, _label) in enumerate(groups)}
    group_label = dict(groups)

    respondents = counted_respondents(consultation)
    if region:
        respondents = respondents.filter(session__region=region)
    if group:
        respondents = respondents.filter(stakeholder_group=group)
    if channel:
        respondents = respondents.filter(channel=channel)
    rows = list(
        Answer.objects.filter(
            respondent__in=respondents,
            is_current=True,
            hidden_at__isnull=True,
            recommendation_id__in=rec_index,
        )
        .exclude(support__isnull=True, priority__isnull=True, comment="", proposed_text="")
        .values_list(
            "recommendation_id",
            "support",
            "priority",
            "comment",
            "proposed_text",
            "language",
            "respondent__session__region",
            "respondent__stakeholder_group",
            "respondent__attribution",
            "respondent__organisation",
            "respondent__registration__organisation",
            "respondent__channel",
        )
        .order_by("pk")
    )
    n = len(rows)
    recommendation = np.empty(n, dtype=np.int64)
    region = np.empty(n, dtype=np.int64)
    group = np.empty(n, dtype=np.int64)
    support = np.empty(n, dtype=np.int64)
    priority = np.empty(n, dtype=np.int64)
    answer_channels = np.empty(n, dtype=np.int64)
    channel_index = {code: i for i, code in enumerate(CHANNELS)}
    comments = []
    for i, (
        rec,
        sup,
        pri,
        comment,
        proposed,
        language,
        reg,
        grp,
        attribution,
        org,
        reg_org,
        channel,
    ) in enumerate(rows):
        recommendation[i] = rec_index[rec]
        region[i] = region_index.get(reg, NO_REGION) if reg else NO_REGION
        group[i] = group_index.get(grp, group_index["other"])
        support[i] = -1 if sup is None else sup
        priority[i] = 0 if pri is None else pri
        answer_channels[i] = channel_index[channel]
        if comment.strip() or proposed.strip():
            comments.append(
                Comment(
                    recommendation=rec_index[rec],
                    text=comment.strip(),
                    language=language,
                    region=reg or _("No session"),
                    group=group_label.get(grp, grp),
                    attribution=_attribution(
                        group_label.get(grp, grp), reg, attribution, reg_org or org
                    ),
                    channel=channel,
                    proposed_text=proposed.strip(),
                )
            )
    answers = AnswerTable(recommendation, region, group, support, priority)
    choices = _choices(respondents, rec_index)
    points = _points(consultation, rec_index, group_label)
    channels = dict(
        respondents.values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    return Inputs(
        consultation=consultation,
        recommendations=recommendations,
        regions=regions,
        groups=groups,
        answers=answers,
        choices=choices,
        comments=comments,
        points=points,
        channels={channel: channels.get(channel, 0) for channel, _label in Channel.choices},
        answer_channels=answer_channels,
    )


def _attribution(group: str, region: str | None, attribution: str, organisation: str) -> str:
    """Chatham House by default: group and region; the organisation only where allowed."""
    where = f"{group}, {region}" if region else group
    if attribution == Attribution.ORGANISATION and organisation.strip():
        return f"{organisation.strip()} ({where})"
    return where


def _choices(respondents, rec_index: dict[int, int]) -> ChoiceTable:
    rows = list(
        PairwiseChoice.objects.filter(respondent__in=respondents)
        .filter(first_id__in=rec_index, second_id__in=rec_index)
        .values_list("first_id", "second_id", "chosen_id")
        .order_by("pk")
    )
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return ChoiceTable(empty, empty, empty)
    first, second, chosen = (np.array(column, dtype=object) for column in zip(*rows, strict=True))
    return ChoiceTable(
        np.array([rec_index[x] for x in first], dtype=np.int64),
        np.array([rec_index[x] for x in second], dtype=np.int64),
        np.array([rec_index.get(x, -1) if x is not None else -1 for x in chosen], dtype=np.int64),
    )


def _points(consultation, rec_index, group_label) -> list[Point]:
    points = []
    for point in (
        CapturedPoint.objects.filter(session__consultation=consultation, hidden_at__isnull=True)
        .select_related("session", "attributed_to")
        .order_by("created_at", "pk")
    ):
        group = group_label.get(point.stakeholder_group, point.stakeholder_group)
        allowed = (
            point.attributed_to and point.attributed_to.attribution == Attribution.ORGANISATION
        )
        organisation = point.attributed_to.organisation if allowed else ""
        points.append(
            Point(
                recommendation=rec_index.get(point.recommendation_id)
                if point.recommendation_id
                else None,
                region=point.session.region,
                group=group,
                stance=point.stance,
                note=point.note,
                attribution=_attribution(
                    group,
                    point.session.region,
                    Attribution.ORGANISATION if allowed else "",
                    organisation,
                ),
            )
        )
    return points


def participation(consultation: Consultation) -> dict:
    """Registered, waitlisted, attended and answering, per session and overall; registrations
    by stakeholder group, language and country. Counts only, nothing personal."""
    sessions = list(
        consultation.sessions.order_by("starts_at").annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
            attended=Count("registrations", filter=Q(registrations__attended=True)),
        )
    )
    respondents = counted_respondents(consultation)
    answering = dict(
        respondents.filter(answers__is_current=True)
        .values("session")
        .annotate(n=Count("id", distinct=True))
        .values_list("session", "n")
    )
    registrations = Registration.objects.filter(
        session__consultation=consultation, status=Registration.Status.CONFIRMED
    )

    def by(field_name):
        return dict(
            registrations.values_list(field_name)
            .annotate(n=Count("id"))
            .values_list(field_name, "n")
        )

    rows = []
    for session in sessions:
        answered = answering.get(session.pk, 0)
        rows.append(
            {
                "key": session.key,
                "region": session.region,
                "registered": session.registered,
                "waitlisted": session.waitlisted,
                "attended": session.attended,
                "answered": answered,
                "response_rate": answered / session.registered if session.registered else None,
            }
        )
    return {
        "sessions": rows,
        "by_group": by("stakeholder_group"),
        "by_language": by("language"),
        "by_country": by("country"),
        "respondents": respondents.count(),
    }
