"""The data annex: the synthesis document's aggregates as plain tables, one per sheet.

The XLSX annex writes these sheets as they are (numbers as numbers, shares between 0 and 1);
the HTML, PDF and DOCX reports show the same sheets as formatted tables, so the annex and the
report cannot disagree. Aggregates only: no quote, no comment, nothing about a person.

Column keys are stable, language-independent names (the XLSX's header row); labels are in the
report's language. Call inside `translation.override(language)`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from consulta.feedback.models import Support
from consulta.lib.countries import country_name
from consulta.registrations.models import StakeholderGroup

TEXT, INTEGER, SHARE, DECIMAL, BOOLEAN = "text", "integer", "share", "decimal", "boolean"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    meaning: str


@dataclass
class Sheet:
    name: str  # the XLSX sheet's name: stable, short, in English
    title: str  # in the report's language
    columns: list[Column]
    rows: list[list]
    # For the printed report: groups of column keys shown as separate tables, so a wide sheet
    # fits the page. Empty: one table with every column.
    parts: list[list[str]] = field(default_factory=list)

    def column(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


def sheets(document: dict) -> list[Sheet]:
    return [
        _totals(document),
        _recommendations(document),
        _split(document, "Regions", _("Support by region"), "by_region", "region", _("Region")),
        _split(
            document,
            "Groups",
            _("Support by stakeholder group"),
            "by_group",
            "group",
            _("Stakeholder group"),
        ),
        _participation(document),
        _registrations(document),
        _channels(document),
        _ranking(document),
    ]


def _code_column() -> Column:
    return Column("code", _("Code"), TEXT, _("The recommendation's code."))


def _priority_interval() -> list[Column]:
    """The bootstrap interval of the mean priority, as two columns (both sheets show it)."""
    return [
        Column(
            "priority_low",
            _("Low end"),
            DECIMAL,
            # xgettext:no-python-format
            _("Bootstrap 95% interval, low end."),
        ),
        Column(
            "priority_high",
            _("High end"),
            DECIMAL,
            # xgettext:no-python-format
            _("Bootstrap 95% interval, high end."),
        ),
    ]


def _preference_interval() -> list[Column]:
    """The interval of the chance of being preferred, as two columns (both sheets show it)."""
    return [
        Column(
            "preferred_low",
            _("Low end"),
            SHARE,
            # xgettext:no-python-format
            _("95% interval, low end."),
        ),
        Column(
            "preferred_high",
            _("High end"),
            SHARE,
            # xgettext:no-python-format
            _("95% interval, high end."),
        ),
    ]


def _totals(document: dict) -> Sheet:
    participation = document["participation"]
    rows = [
        ["respondents", _("Respondents"), participation["respondents"]],
        ["answers", _("Answers"), document["answers"]],
        ["recommendations", _("Recommendations"), len(document["recommendations"])],
        ["sessions", _("Regional sessions"), len(participation["sessions"])],
        [
            "registered",
            _("Registered"),
            sum(s["registered"] for s in participation["sessions"]),
        ],
        ["attended", _("Attended"), sum(s["attended"] for s in participation["sessions"])],
        ["pairwise_choices", _("Pairwise choices"), document["choices"]],
        ["undecided_choices", _("“Can't decide” choices"), document["undecided_choices"]],
        [
            "rank_agreement",
            _("Agreement of the two rankings (Kendall's tau)"),
            document["rank_agreement"],
        ],
    ]
    return Sheet(
        "Totals",
        _("Totals"),
        [
            Column("figure", _("Figure"), TEXT, _("A stable name for the figure.")),
            Column("label", _("Meaning"), TEXT, _("What the figure is.")),
            Column("value", _("Value"), DECIMAL, _("The figure.")),
        ],
        rows,
        parts=[["label", "value"]],
    )


def _recommendations(document: dict) -> Sheet:
    scale = [str(Support(v).label) for v in range(6)]
    columns = [
        _code_column(),
        Column("title", _("Recommendation"), TEXT, _("The recommendation's title.")),
        Column(
            "answers",
            _("Answers"),
            INTEGER,
            _("Answers of any kind: support, priority, comment or rewording."),
        ),
        *[
            Column(
                f"support_{v}",
                scale[v],
                INTEGER,
                _("Answers “%(label)s” (support %(value)d).") % {"label": scale[v], "value": v},
            )
            for v in range(6)
        ],
        Column(
            "on_scale",
            _("On the scale"),
            INTEGER,
            _("Answers from 1 to 5 (“no opinion” left out)."),
        ),
        Column(
            "share",
            _("Share supporting"),
            SHARE,
            _("(support_4 + support_5) / on_scale."),
        ),
        Column(
            "share_low",
            _("Low end"),
            SHARE,
            # xgettext:no-python-format
            _("Wilson 95% interval, low end."),
        ),
        Column(
            "share_high",
            _("High end"),
            SHARE,
            # xgettext:no-python-format
            _("Wilson 95% interval, high end."),
        ),
        Column(
            "consensus",
            _("Consensus"),
            DECIMAL,
            _("Tastle–Wierman consensus of support_1 … support_5, from 0 to 1."),
        ),
        Column(
            "priority_answers",
            _("Priority answers"),
            INTEGER,
            _("Answers giving a priority."),
        ),
        Column(
            "priority_mean",
            _("Mean priority"),
            DECIMAL,
            _("Mean priority from 1 (low) to 4 (essential)."),
        ),
        *_priority_interval(),
        Column(
            "preferred",
            _("Chance of being preferred"),
            SHARE,
            _("Bradley–Terry: chance of being preferred to another recommendation at random."),
        ),
        *_preference_interval(),
        Column(
            "regions_q",
            _("Regions: q"),
            DECIMAL,
            _("Kruskal–Wallis p-value across regions, Benjamini–Hochberg adjusted."),
        ),
        Column(
            "regions_gap",
            _("Regions: gap"),
            SHARE,
            _("Largest difference of shares supporting between regions with 5 answers or more."),
        ),
        Column(
            "regions_diverge",
            _("Regions diverge"),
            BOOLEAN,
            _("q below 0.05 and a gap of at least 20 points."),
        ),
        Column(
            "regions_group_consensus",
            _("Group-informed consensus (regions)"),
            DECIMAL,
            _("Pol.is group-informed consensus across regions."),
        ),
        Column(
            "groups_q",
            _("Groups: q"),
            DECIMAL,
            _("Kruskal–Wallis p-value across stakeholder groups, Benjamini–Hochberg adjusted."),
        ),
        Column(
            "groups_gap",
            _("Groups: gap"),
            SHARE,
            _("Largest difference of shares supporting between groups with 5 answers or more."),
        ),
        Column(
            "groups_diverge",
            _("Groups diverge"),
            BOOLEAN,
            _("q below 0.05 and a gap of at least 20 points."),
        ),
        Column(
            "groups_group_consensus",
            _("Group-informed consensus (groups)"),
            DECIMAL,
            _("Pol.is group-informed consensus across stakeholder groups."),
        ),
    ]
    rows = []
    for r in document["recommendations"]:
        priority = r["priority"]
        rows.append(
            [
                r["code"],
                r["title"],
                r["answers"],
                *r["counts"],
                r["on_scale"],
                r["share"],
                r["share_low"],
                r["share_high"],
                r["consensus"],
                sum(priority["counts"]),
                priority["mean"],
                priority["low"],
                priority["high"],
                r["preferred"],
                r["preferred_low"],
                r["preferred_high"],
                r["by_region"]["q_value"],
                r["by_region"]["gap"],
                r["by_region"]["diverges"],
                r["by_region"]["group_consensus"],
                r["by_group"]["q_value"],
                r["by_group"]["gap"],
                r["by_group"]["diverges"],
                r["by_group"]["group_consensus"],
            ]
        )
    return Sheet(
        "Recommendations",
        _("Recommendations"),
        columns,
        rows,
        parts=[
            ["code", "answers", *[f"support_{v}" for v in range(6)], "on_scale"],
            [
                "code",
                "share",
                "share_low",
                "share_high",
                "consensus",
                "priority_answers",
                "priority_mean",
                "priority_low",
                "priority_high",
            ],
            [
                "code",
                "preferred",
                "preferred_low",
                "preferred_high",
                "regions_q",
                "regions_gap",
                "regions_diverge",
                "groups_q",
                "groups_gap",
                "groups_diverge",
            ],
        ],
    )


def _split(document, name, title, split, key, label) -> Sheet:
    columns = [
        _code_column(),
        Column(key, label, TEXT, label),
        Column("answers", _("Answers on the scale"), INTEGER, _("Answers from 1 to 5.")),
        Column("share", _("Share supporting"), SHARE, _("Share agreeing or strongly agreeing.")),
    ]
    present = {
        g["name"] for r in document["recommendations"] for g in r[split]["groups"] if g["answers"]
    }
    rows = [
        [r["code"], g["name"], g["answers"], g["share"]]
        for r in document["recommendations"]
        for g in r[split]["groups"]
        if g["name"] in present
    ]
    return Sheet(name, title, columns, rows)


def _participation(document: dict) -> Sheet:
    columns = [
        Column("region", _("Region"), TEXT, _("The regional session.")),
        Column("registered", _("Registered"), INTEGER, _("Confirmed registrations.")),
        Column("waitlisted", _("Waiting list"), INTEGER, _("Registrations on the waiting list.")),
        Column("attended", _("Attended"), INTEGER, _("Registered participants who attended.")),
        Column(
            "answered",
            _("Answered"),
            INTEGER,
            _("Counted respondents from this session who answered."),
        ),
        Column("response_rate", _("Response rate"), SHARE, _("answered / registered.")),
    ]
    rows = [
        [
            s["region"],
            s["registered"],
            s["waitlisted"],
            s["attended"],
            s["answered"],
            s["response_rate"],
        ]
        for s in document["participation"]["sessions"]
    ]
    return Sheet("Participation", _("Participation by session"), columns, rows)


def _registrations(document: dict) -> Sheet:
    language = document["language"]
    participation = document["participation"]
    languages = dict(settings.LANGUAGES)
    groups = dict(StakeholderGroup.choices)
    rows = []
    for dimension, label, counts, name in (
        ("stakeholder_group", _("Stakeholder group"), participation["by_group"], groups.get),
        ("language", _("Language"), participation["by_language"], languages.get),
        (
            "country",
            _("Country"),
            participation["by_country"],
            lambda code: country_name(code, language),
        ),
    ):
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))):
            rows.append([dimension, label, code, str(name(code) or code or _("Not given")), n])
    columns = [
        Column("dimension", _("By"), TEXT, _("stakeholder_group, language or country.")),
        Column("dimension_label", _("By"), TEXT, _("The same, in words.")),
        Column("value", _("Code"), TEXT, _("The group, language or country code.")),
        Column("label", _("Value"), TEXT, _("Its name.")),
        Column("registered", _("Registered"), INTEGER, _("Confirmed registrations.")),
    ]
    return Sheet(
        "Registrations",
        _("Registrations by stakeholder group, language and country"),
        columns,
        rows,
        parts=[["dimension_label", "label", "registered"]],
    )


def _channels(document: dict) -> Sheet:
    columns = [
        Column("channel", _("Code"), TEXT, _("The channel's code.")),
        Column("label", _("Channel"), TEXT, _("How the feedback came in.")),
        Column("respondents", _("Respondents"), INTEGER, _("Counted respondents.")),
    ]
    rows = [[c["code"], c["label"], c["respondents"]] for c in document["channels"]]
    return Sheet(
        "Channels", _("Respondents by channel"), columns, rows, parts=[["label", "respondents"]]
    )


def _ranking(document: dict) -> Sheet:
    columns = [
        Column("rank", _("Rank"), INTEGER, _("Order by chance of being preferred.")),
        _code_column(),
        Column("title", _("Recommendation"), TEXT, _("The recommendation's title.")),
        Column("preferred", _("Chance of being preferred"), SHARE, _("Bradley–Terry.")),
        *_preference_interval(),
        Column("priority_mean", _("Mean priority"), DECIMAL, _("From 1 (low) to 4 (essential).")),
        *_priority_interval(),
    ]
    rows = [
        [
            n,
            row["code"],
            row["title"],
            row["preferred"],
            row["preferred_low"],
            row["preferred_high"],
            row["priority_mean"],
            row["priority_low"],
            row["priority_high"],
        ]
        for n, row in enumerate(document["ranking"], start=1)
    ]
    return Sheet(
        "Ranking",
        _("Ranking"),
        columns,
        rows,
        parts=[[c.key for c in columns if c.key != "title"]],
    )
