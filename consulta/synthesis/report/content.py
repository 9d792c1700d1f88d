"""The report's content, once, as a tree of sections and blocks built from the synthesis
document; the HTML (and so the PDF) and the DOCX renderers only lay it out.

Blocks are plain dataclasses: headings come from sections, then paragraphs, key figures,
tables (numbered, with a caption and a header row), figures (a chart with its data table
beside it), verbatim quotes, rewordings as word diffs, and lists. Tables and figures are
numbered in reading order. Every number is formatted here, in the report's language, so that
all formats print the same text.

Call `build_report` inside `translation.override(language)`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consulta.synthesis.core import MIN_GROUP_ANSWERS
from consulta.synthesis.report import annex, text
from consulta.synthesis.report.text import decimal, integer, percent, with_interval

try:  # drawn by consulta/synthesis/charts.py (matplotlib); the report works without it
    from consulta.synthesis import charts
except ImportError:  # pragma: no cover
    charts = None


@dataclass
class Cell:
    text: str
    value: float | int | None = None  # the raw number behind the text, if any
    figure: str = ""  # a stable name for the figure ("share"), for pages and tests


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell]]
    number: int = 0
    row_headers: bool = True  # the first cell of each row heads the row
    kind = "table"

    @property
    def anchor(self) -> str:
        return f"table-{self.number}"

    @property
    def label(self) -> str:
        return _("Table %(number)d: %(caption)s") % {"number": self.number, "caption": self.caption}


@dataclass
class Figure:
    chart: object  # consulta.synthesis.charts.Chart
    caption: str
    table: Table
    number: int = 0
    kind = "figure"

    @property
    def anchor(self) -> str:
        return f"figure-{self.number}"

    @property
    def label(self) -> str:
        return _("Figure %(number)d: %(caption)s") % {
            "number": self.number,
            "caption": self.caption,
        }

    @property
    def note(self) -> str:
        return getattr(self.chart, "caption", "")

    @property
    def svg(self) -> str:
        """The chart as inline SVG, described by its data table beside it."""
        return self.chart.svg().replace(
            'role="img"', f'role="img" aria-describedby="{self.table.anchor}"', 1
        )


@dataclass
class Paragraph:
    text: str
    style: str = ""  # "" | "lead" | "note" | "label" (a heading) | "illustrative" | "status"
    language: str = ""  # set when the text is not in the report's language
    kind = "paragraph"


@dataclass
class Facts:
    """Key figures: (label, value) pairs."""

    items: list[tuple[str, Cell]]
    kind = "facts"


@dataclass
class Quote:
    text: str
    attribution: str
    language: str = ""
    kind = "quote"


@dataclass
class Segment:
    kind: str  # "same" | "removed" | "added" (consulta.feedback.diff)
    text: str


@dataclass
class Rewording:
    heading: str
    segments: list[Segment]
    language: str = ""
    kind = "rewording"


@dataclass
class Bullets:
    items: list[str]
    kind = "bullets"


@dataclass
class Section:
    title: str
    anchor: str
    level: int  # 1 = chapter (HTML h2, Word's Heading 1) … 3
    blocks: list = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    style: str = ""  # "annex": printed landscape

    def add(self, block):
        self.blocks.append(block)
        return block

    def section(self, title: str, anchor: str, **kwargs) -> "Section":
        child = Section(title, anchor, self.level + 1, **kwargs)
        self.children.append(child)
        return child


@dataclass
class Report:
    language: str
    direction: str
    title: str
    subtitle: str
    network: str
    generated: str
    illustrative: bool
    notes: list[str]
    sections: list[Section]
    slug: str


class _Numbers:
    def __init__(self):
        self.tables = 0
        self.figures = 0

    def table(self, caption, header, rows, row_headers=True) -> Table:
        self.tables += 1
        rows = [[c if isinstance(c, Cell) else Cell(str(c)) for c in row] for row in rows]
        return Table(caption, header, rows, self.tables, row_headers)

    def figure(self, chart, caption, table: Table | None = None) -> Figure | None:
        """A numbered figure with its data table beside it: `table` when the report already
        has one with the same numbers, else the chart's own."""
        if chart is None:
            return None
        self.figures += 1
        number = self.figures
        if table is None:
            table = self.table(
                _("Data of figure %(number)d: %(caption)s")
                % {"number": number, "caption": caption},
                list(chart.headers),
                chart.rows,
            )
        return Figure(chart, caption, table, number)


def build_report(document: dict) -> Report:
    language = document["language"]
    numbers = _Numbers()
    recommendations = document["recommendations"]
    illustrative = any(r["illustrative"] for r in recommendations)
    notes = []
    if illustrative:
        notes.append(
            _(
                "Illustrative: the recommendations in this report were written to demonstrate "
                "Consulta. They are not the organising network's wording."
            )
        )
    notes.append(
        _(
            "Chatham House rule: quotes are attributed to a stakeholder group and a region, an "
            "organisation only where its participant allowed it, never to a person."
        )
    )
    sections = [
        _summary(document, numbers),
        _participation(document, numbers),
        _priorities(document, numbers),
        _recommendations(document, numbers),
        _regions(document, numbers),
        _method(),
        _annex(document, numbers),
    ]
    return Report(
        language=language,
        direction="rtl" if language in ("ar",) else "ltr",
        title=document["consultation"]["title"],
        subtitle=_("Synthesis report"),
        network=document["consultation"]["organising_network"],
        generated=_("Generated on %(date)s")
        % {"date": text.long_date(document["generated_at"], language)},
        illustrative=illustrative,
        notes=notes,
        sections=sections,
        slug=document["consultation"]["slug"],
    )


def _chart(name: str, document: dict, **kwargs):
    function = getattr(charts, name, None) if charts else None
    return function(document, **kwargs) if function else None


def _label(rec: dict) -> str:
    return f"{rec['code']} · {rec['title']}"


# Summary.


def _summary(document: dict, numbers: _Numbers) -> Section:
    language = document["language"]
    participation = document["participation"]
    recommendations = document["recommendations"]
    section = Section(_("Summary"), "summary", 1)
    section.add(
        Facts(
            [
                (
                    _("Respondents"),
                    Cell(
                        integer(participation["respondents"], language),
                        participation["respondents"],
                        "respondents",
                    ),
                ),
                (
                    _("Answers"),
                    Cell(integer(document["answers"], language), document["answers"], "answers"),
                ),
                (
                    _("Regional sessions"),
                    Cell(
                        integer(len(participation["sessions"]), language),
                        len(participation["sessions"]),
                    ),
                ),
                (
                    _("Recommendations"),
                    Cell(integer(len(recommendations), language), len(recommendations)),
                ),
                (
                    _("Pairwise choices"),
                    Cell(integer(document["choices"], language), document["choices"], "choices"),
                ),
            ]
        )
    )

    top = [
        row
        for row in document["ranking"]
        if row["preferred"] is not None or row["priority_mean"] is not None
    ][:3]
    section.add(Paragraph(_("Top priorities"), "label"))
    if top:
        section.add(Bullets([_priority_line(row, language) for row in top]))
    else:
        section.add(Paragraph(_("No priorities were given.")))

    measured = sorted(
        (r for r in recommendations if r["consensus"] is not None),
        key=lambda r: (-r["consensus"], -(r["share"] or 0)),
    )[:3]
    section.add(Paragraph(_("Highest consensus"), "label"))
    if measured:
        section.add(
            Bullets(
                [
                    _(
                        "%(recommendation)s: consensus %(consensus)s, %(share)s supporting. %(reading)s"
                    )
                    % {
                        "recommendation": _label(r),
                        "consensus": decimal(r["consensus"], language),
                        "share": percent(r["share"], language),
                        "reading": text.consensus_sentence(r["consensus"]),
                    }
                    for r in measured
                ]
            )
        )
    else:
        section.add(Paragraph(_("No answers on the support scale yet.")))

    section.add(Paragraph(_("Divergences"), "label"))
    divergences = [
        line for r in recommendations for line in _divergence_lines(r, language, with_label=True)
    ]
    if divergences:
        section.add(Bullets(divergences))
    else:
        section.add(
            Paragraph(
                _(
                    "No recommendation shows a difference between regions or stakeholder groups "
                    "that is both significant and at least 20 points wide."
                )
            )
        )
    return section


def _priority_line(row: dict, language: str) -> str:
    parts = []
    if row["preferred"] is not None:
        parts.append(
            _("%(chance)s chance of being preferred")
            % {
                "chance": with_interval(
                    row["preferred"], row["preferred_low"], row["preferred_high"], language
                )
            }
        )
    if row["priority_mean"] is not None:
        parts.append(
            _("mean priority %(mean)s")
            % {
                "mean": with_interval(
                    row["priority_mean"],
                    row["priority_low"],
                    row["priority_high"],
                    language,
                    as_percent=False,
                )
            }
        )
    return f"{row['code']} · {row['title']}: " + "; ".join(parts)


def _extremes(split: dict):
    """The groups with the lowest and highest share among those with enough answers."""
    enough = [
        g for g in split["groups"] if g["answers"] >= MIN_GROUP_ANSWERS and g["share"] is not None
    ]
    if len(enough) < 2:
        return None
    return min(enough, key=lambda g: g["share"]), max(enough, key=lambda g: g["share"])


def _divergence_lines(rec: dict, language: str, with_label: bool = False) -> list[str]:
    lines = []
    for split, sentence in (
        (
            rec["by_region"],
            _(
                "regions differ: from %(low)s supporting (%(low_name)s) to %(high)s "
                "(%(high_name)s), %(q)s"
            ),
        ),
        (
            rec["by_group"],
            _(
                "stakeholder groups differ: from %(low)s supporting (%(low_name)s) to "
                "%(high)s (%(high_name)s), %(q)s"
            ),
        ),
    ):
        extremes = _extremes(split)
        if not split["diverges"] or not extremes:
            continue
        low, high = extremes
        line = sentence % {
            "low": percent(low["share"], language),
            "low_name": low["name"],
            "high": percent(high["share"], language),
            "high_name": high["name"],
            "q": _q(split["q_value"], language),
        }
        lines.append(f"{_label(rec)}: {line}" if with_label else line[:1].upper() + line[1:])
    return lines


def _q(q, language) -> str:
    """The adjusted p-value as "q = 0.012", or "q < 0.001"."""
    if q is None:
        return "q = " + text.MISSING
    if q < 0.001:
        return "q < " + decimal(0.001, language, 3)
    return "q = " + decimal(q, language, 3)


# Process and participation.


def _participation(document: dict, numbers: _Numbers) -> Section:
    language = document["language"]
    participation = document["participation"]
    sessions = participation["sessions"]
    section = Section(_("Process and participation"), "participation", 1)
    registered = sum(s["registered"] for s in sessions)
    attended = sum(s["attended"] for s in sessions)
    answered = sum(s["answered"] for s in sessions)
    section.add(
        Paragraph(
            ngettext(
                "%(registered)s people registered for %(count)s regional session; %(attended)s "
                "attended. %(respondents)s respondents gave %(answers)s answers, through every "
                "channel together.",
                "%(registered)s people registered for %(count)s regional sessions; %(attended)s "
                "attended. %(respondents)s respondents gave %(answers)s answers, through every "
                "channel together.",
                len(sessions),
            )
            % {
                "registered": integer(registered, language),
                "count": integer(len(sessions), language),
                "attended": integer(attended, language),
                "respondents": integer(participation["respondents"], language),
                "answers": integer(document["answers"], language),
            }
        )
    )
    chart = _chart("participation_chart", document, key="report-participation")
    rows = [
        [
            s["region"],
            Cell(integer(s["registered"], language), s["registered"]),
            Cell(integer(s["waitlisted"], language), s["waitlisted"]),
            Cell(integer(s["attended"], language), s["attended"]),
            Cell(integer(s["answered"], language), s["answered"]),
            Cell(percent(s["response_rate"], language), s["response_rate"]),
        ]
        for s in sessions
    ]
    rows.append(
        [
            _("All sessions"),
            Cell(integer(registered, language), registered),
            Cell(integer(sum(s["waitlisted"] for s in sessions), language)),
            Cell(integer(attended, language), attended),
            Cell(integer(answered, language), answered),
            Cell(percent(answered / registered if registered else None, language)),
        ]
    )
    figure_number = numbers.figures + 1
    table = numbers.table(
        _("Registered, attended and answered, by session")
        + (_(" (data of figure %(number)d)") % {"number": figure_number} if chart else ""),
        [
            _("Session"),
            _("Registered"),
            _("Waiting list"),
            _("Attended"),
            _("Answered"),
            _("Response rate"),
        ],
        rows,
    )
    section.add(numbers.figure(chart, _("Participation by session"), table) or table)
    registrations = annex.sheets(document)[5]  # Registrations: one sorted place for the labels
    for dimension, caption, header in (
        ("stakeholder_group", _("Registrations by stakeholder group"), _("Stakeholder group")),
        ("language", _("Registrations by language"), _("Language")),
        ("country", _("Registrations by country"), _("Country")),
    ):
        rows = [
            [row[3], Cell(integer(row[4], language), row[4])]
            for row in registrations.rows
            if row[0] == dimension
        ]
        if rows:
            section.add(numbers.table(caption, [header, _("Registered")], rows))
    section.add(
        numbers.table(
            _("Respondents by channel"),
            [_("Channel"), _("Respondents")],
            [
                [c["label"], Cell(integer(c["respondents"], language), c["respondents"])]
                for c in document["channels"]
            ],
        )
    )
    return section


# Priorities.


def _priorities(document: dict, numbers: _Numbers) -> Section:
    language = document["language"]
    section = Section(_("Priorities"), "priorities", 1)
    section.add(
        Paragraph(
            _(
                "Two measures rank the recommendations. Respondents gave each one a priority, "
                "from low (1) to essential (4); and in pairwise choices they picked which of two "
                "recommendations should come first. The ranking below follows the chance of being "
                "preferred to another recommendation picked at random."
            )
        )
    )
    if document["choices"]:
        section.add(
            Paragraph(
                ngettext(
                    "%(choices)s pairwise choice was made, of which %(undecided)s “can't decide”.",
                    "%(choices)s pairwise choices were made, of which %(undecided)s “can't decide”.",
                    document["choices"],
                )
                % {
                    "choices": integer(document["choices"], language),
                    "undecided": integer(document["undecided_choices"], language),
                }
            )
        )
    else:
        section.add(
            Paragraph(_("No pairwise choices were made: the ranking follows the mean priority."))
        )
    tau = document["rank_agreement"]
    if tau is not None:
        section.add(
            Paragraph(
                _(
                    "Agreement between the ranking by mean priority and the ranking from pairwise "
                    "choices (Kendall's tau): %(tau)s, where 1 means the same order and 0 no "
                    "relation."
                )
                % {"tau": decimal(tau, language)}
            )
        )
    chart = _chart("priorities_chart", document, key="report-priorities")
    rows = [
        [
            Cell(integer(n, language), n),
            Cell(row["code"]),
            row["title"],
            Cell(
                with_interval(
                    row["preferred"], row["preferred_low"], row["preferred_high"], language
                ),
                row["preferred"],
                "preferred",
            ),
            Cell(
                with_interval(
                    row["priority_mean"],
                    row["priority_low"],
                    row["priority_high"],
                    language,
                    as_percent=False,
                ),
                row["priority_mean"],
                "priority",
            ),
        ]
        for n, row in enumerate(document["ranking"], start=1)
    ]
    figure_number = numbers.figures + 1
    table = numbers.table(
        _("Ranking of the recommendations")
        + (_(" (data of figure %(number)d)") % {"number": figure_number} if chart else ""),
        [
            _("Rank"),
            _("Code"),
            _("Recommendation"),
            # xgettext:no-python-format
            _("Chance of being preferred (95% interval)"),
            # xgettext:no-python-format
            _("Mean priority (95% interval)"),
        ],
        rows,
    )
    section.add(numbers.figure(chart, _("Priorities"), table) or table)
    return section


# Recommendation by recommendation.


def _recommendations(document: dict, numbers: _Numbers) -> Section:
    section = Section(_("Recommendation by recommendation"), "recommendations", 1)
    section.add(
        Paragraph(
            _(
                "For each recommendation: its text, how respondents rated it, where regions and "
                "stakeholder groups differ, what they wrote, and what changed."
            )
        )
    )
    section.add(_heard_and_changed(document, numbers))
    figure = numbers.figure(
        _chart("support_chart", document, key="report-support"),
        _("Support for each recommendation"),
    )
    if figure:
        section.add(figure)
    for rec in document["recommendations"]:
        _recommendation(section, rec, document, numbers)
    return section


def _recommendation(parent: Section, rec: dict, document: dict, numbers: _Numbers) -> None:
    language = document["language"]
    code = rec["code"]
    section = parent.section(_label(rec), f"rec-{code}")
    section.add(Paragraph(_("Pillar: %(pillar)s") % {"pillar": rec["pillar"]}, "note"))
    if rec["illustrative"]:
        section.add(
            Paragraph(
                _("Illustrative recommendation, written for the demonstration."), "illustrative"
            )
        )
    if rec["fell_back"]:
        section.add(Paragraph(_("Not yet translated: shown in English."), "note"))
    section.add(Paragraph(rec["text"], "lead", "en" if rec["fell_back"] else ""))
    if not rec["answers"] and not (rec.get("points") or {}).get("notes"):
        section.add(Paragraph(_("No answers on this recommendation."), "note"))
        _changed(section, rec, document)
        return
    priority = rec["priority"]
    section.add(
        Facts(
            [
                (_("Answers"), Cell(integer(rec["answers"], language), rec["answers"], "answers")),
                (
                    _("Answers by channel"),
                    Cell(
                        " · ".join(
                            f"{row['label']} {integer(row['answers'], language)}"
                            for row in rec.get("by_channel", [])
                            if row["answers"]
                        )
                        or "—"
                    ),
                ),
                (
                    _("Answers on the scale"),
                    Cell(integer(rec["on_scale"], language), rec["on_scale"], "on_scale"),
                ),
                (
                    # xgettext:no-python-format
                    _("Share supporting (95% interval)"),
                    Cell(
                        with_interval(rec["share"], rec["share_low"], rec["share_high"], language),
                        rec["share"],
                        "share",
                    ),
                ),
                (
                    _("Consensus (0 to 1)"),
                    Cell(decimal(rec["consensus"], language), rec["consensus"], "consensus"),
                ),
                (
                    # xgettext:no-python-format
                    _("Mean priority (95% interval)"),
                    Cell(
                        with_interval(
                            priority["mean"],
                            priority["low"],
                            priority["high"],
                            language,
                            as_percent=False,
                        ),
                        priority["mean"],
                        "priority",
                    ),
                ),
                (
                    # xgettext:no-python-format
                    _("Chance of being preferred (95% interval)"),
                    Cell(
                        with_interval(
                            rec["preferred"], rec["preferred_low"], rec["preferred_high"], language
                        ),
                        rec["preferred"],
                        "preferred",
                    ),
                ),
            ]
        )
    )
    section.add(Paragraph(text.consensus_sentence(rec["consensus"])))

    scale = document["scale"]
    counts = rec["counts"]
    on_scale = rec["on_scale"]
    rows = [
        [
            scale[v],
            Cell(integer(counts[v], language), counts[v], f"support_{v}"),
            Cell(percent(counts[v] / on_scale if on_scale else None, language)),
        ]
        for v in range(1, 6)
    ]
    rows.append(
        [scale[0], Cell(integer(counts[0], language), counts[0], "support_0"), Cell(text.MISSING)]
    )
    section.add(
        numbers.table(
            _("Support for %(code)s") % {"code": code},
            [_("Answer"), _("Answers"), _("Share of the answers on the scale")],
            rows,
        )
    )

    _differences(section, rec, language, numbers)
    _heard(section, rec, document, numbers)
    _changed(section, rec, document)


def _differences(parent: Section, rec: dict, language: str, numbers: _Numbers) -> None:
    code = rec["code"]
    section = parent.section(_("Regions and stakeholder groups"), f"rec-{code}-differences")
    lines = _divergence_lines(rec, language)
    if lines:
        section.add(Bullets(lines))
    else:
        section.add(
            Paragraph(
                _(
                    "Neither regions nor stakeholder groups differ significantly and by at least "
                    "20 points."
                )
            )
        )
    for split, caption, header, reading in (
        (
            rec["by_region"],
            _("Support for %(code)s by region") % {"code": code},
            _("Region"),
            _("Group-informed consensus across regions: %(value)s."),
        ),
        (
            rec["by_group"],
            _("Support for %(code)s by stakeholder group") % {"code": code},
            _("Stakeholder group"),
            _("Group-informed consensus across stakeholder groups: %(value)s."),
        ),
    ):
        groups = [g for g in split["groups"] if g["answers"]]
        if not groups:
            continue
        section.add(
            numbers.table(
                caption,
                [header, _("Answers on the scale"), _("Share supporting")],
                [
                    [
                        g["name"],
                        Cell(integer(g["answers"], language), g["answers"]),
                        Cell(
                            percent(g["share"], language)
                            if g["answers"] >= MIN_GROUP_ANSWERS
                            else _("%(share)s (too few answers)")
                            % {"share": percent(g["share"], language)},
                            g["share"],
                        ),
                    ]
                    for g in groups
                ],
            )
        )
        section.add(
            Paragraph(
                reading % {"value": decimal(split["group_consensus"], language)}
                + " "
                + _("Largest gap: %(gap)s; %(q)s.")
                % {"gap": percent(split["gap"], language), "q": _q(split["q_value"], language)},
                "note",
            )
        )


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _heard(parent: Section, rec: dict, document: dict, numbers: _Numbers) -> None:
    language = document["language"]
    code = rec["code"]
    section = parent.section(_("What we heard"), f"rec-{code}-heard")
    themes = rec.get("themes") or {}
    duplicates = rec.get("duplicates") or []
    rewordings = rec.get("rewordings") or []
    points = rec.get("points") or {}
    said_nothing = True
    for lang, found in themes.items():
        if not found:
            continue
        said_nothing = False
        section.add(
            Paragraph(
                _("Themes in the comments in %(language)s") % {"language": _language_name(lang)},
                "label",
            )
        )
        for theme in found:
            section.add(
                Paragraph(
                    ngettext(
                        "%(terms)s (%(count)s comment)",
                        "%(terms)s (%(count)s comments)",
                        theme["size"],
                    )
                    % {
                        "terms": ", ".join(theme["terms"]),
                        "count": integer(theme["size"], language),
                    }
                )
            )
            for quote in theme["quotes"]:
                section.add(Quote(quote["text"], quote["attribution"], quote["language"]))
    if duplicates:
        said_nothing = False
        section.add(Paragraph(_("Form letters and repeated comments"), "label"))
        for duplicate in duplicates:
            example = duplicate["example"]
            section.add(
                Paragraph(
                    ngettext(
                        "The same text was sent %(count)s time:",
                        "The same text, or nearly the same, was sent %(count)s times:",
                        duplicate["size"],
                    )
                    % {"count": integer(duplicate["size"], language)}
                )
            )
            section.add(Quote(example["text"], example["attribution"], example["language"]))
    if rewordings:
        said_nothing = False
        section.add(Paragraph(_("Proposed rewordings"), "label"))
        for rewording in rewordings:
            heading = ngettext(
                "Proposed by %(count)s respondent (%(who)s):",
                "Proposed by %(count)s respondents (%(who)s):",
                rewording["size"],
            ) % {
                "count": integer(rewording["size"], language),
                "who": "; ".join(rewording["attributions"]),
            }
            section.add(
                Rewording(
                    heading,
                    [Segment(s["kind"], s["text"]) for s in rewording["diff"]],
                )
            )
    by_stance = points.get("by_stance") or {}
    notes = points.get("notes") or []
    if notes:
        said_nothing = False
        regions = sorted({region for counts in by_stance.values() for region in counts})
        section.add(Paragraph(_("Points captured in the sessions"), "label"))
        section.add(
            numbers.table(
                _("Points captured on %(code)s, by stance and region") % {"code": code},
                [_("Stance"), *regions, _("All")],
                [
                    [
                        stance,
                        *[
                            Cell(integer(counts.get(region, 0), language), counts.get(region, 0))
                            for region in regions
                        ],
                        Cell(integer(sum(counts.values()), language), sum(counts.values())),
                    ]
                    for stance, counts in by_stance.items()
                ],
            )
        )
        section.add(
            Bullets(
                [
                    _("%(stance)s: %(note)s (%(who)s)")
                    % {"stance": n["stance"], "note": n["note"], "who": n["attribution"]}
                    for n in notes
                    if n["note"]
                ]
            )
        )
    if said_nothing:
        section.add(Paragraph(_("No comment, rewording or captured point on this recommendation.")))


def _changed(parent: Section, rec: dict, document: dict) -> None:
    """What changed since the consultation (`document["revisions"]`, from
    consulta.revisions.summary.what_changed): the text changed (its diff, why, and the
    feedback it answers), was kept (why), was withdrawn, or is not yet decided."""
    code = rec["code"]
    section = parent.section(_("What changed"), f"rec-{code}-changed")
    revision = (document.get("revisions") or {}).get(code) or {}
    status = revision.get("status")
    if status == "changed":
        section.add(
            Paragraph(
                _("Changed since the consultation: now version %(version)s.")
                % {"version": revision.get("version", "")},
                "status",
            )
        )
        if revision.get("rationale"):
            section.add(Paragraph(_("Why: %(why)s") % {"why": revision["rationale"]}))
        language = revision.get("language", "")
        diff_language = "" if language == document["language"] else language
        if revision.get("title_diff"):
            section.add(
                Rewording(
                    _("Changes to the title:"),
                    [Segment(s["kind"], s["text"]) for s in revision["title_diff"]],
                    diff_language,
                )
            )
        if revision.get("diff"):
            section.add(
                Rewording(
                    _("Changes to the text (removed words struck through, added underlined):"),
                    [Segment(s["kind"], s["text"]) for s in revision["diff"]],
                    diff_language,
                )
            )
        if revision.get("motivated_by"):
            section.add(Paragraph(_("In response to"), "label"))
            section.add(Bullets([str(item) for item in revision["motivated_by"]]))
    elif status == "kept":
        section.add(
            Paragraph(
                _("Kept as consulted (version %(version)s).")
                % {"version": revision.get("version", "")},
                "status",
            )
        )
        if revision.get("reason"):
            section.add(Paragraph(_("Why: %(why)s") % {"why": revision["reason"]}))
    elif status == "withdrawn":
        section.add(Paragraph(_("Withdrawn."), "status"))
    else:
        section.add(Paragraph(_("No revision yet."), "note"))


def _heard_and_changed(document: dict, numbers: _Numbers) -> Table:
    """One line per recommendation: what we heard (support, consensus) and what changed."""
    language = document["language"]
    revisions = document.get("revisions") or {}
    rows = []
    for rec in document["recommendations"]:
        revision = revisions.get(rec["code"]) or {}
        if rec["on_scale"]:
            heard = _("%(share)s supporting of %(answers)s; consensus %(consensus)s") % {
                "share": percent(rec["share"], language),
                "answers": integer(rec["on_scale"], language),
                "consensus": decimal(rec["consensus"], language),
            }
        else:
            heard = _("No answers on the scale")
        rows.append(
            [
                Cell(rec["code"]),
                rec["title"],
                heard,
                revision.get("status_label") or _("No revision yet"),
                revision.get("rationale") or revision.get("reason") or text.MISSING,
            ]
        )
    return numbers.table(
        _("What we heard and what changed"),
        [_("Code"), _("Recommendation"), _("What we heard"), _("What changed"), _("Why")],
        rows,
    )


# Regional perspectives.


def _regions(document: dict, numbers: _Numbers) -> Section:
    language = document["language"]
    recommendations = document["recommendations"]
    section = Section(_("Regional perspectives"), "regions", 1)
    section.add(
        Paragraph(
            _(
                "How each regional session's participants answered, beside everyone's answers. "
                "Regions took part in unequal numbers: read small numbers with care."
            )
        )
    )
    figure = numbers.figure(
        _chart("regions_chart", document, key="report-regions"), _("Share supporting, by region")
    )
    if figure:
        section.add(figure)
    sessions = {s["region"]: s for s in document["participation"]["sessions"]}
    for index, region in enumerate(document["regions"]):
        child = section.section(region, f"region-{index + 1}")
        rows = []
        answers = 0
        apart = []
        for rec in recommendations:
            group = rec["by_region"]["groups"][index]
            answers += group["answers"]
            rows.append(
                [
                    Cell(rec["code"]),
                    rec["title"],
                    Cell(integer(group["answers"], language), group["answers"]),
                    Cell(percent(group["share"], language), group["share"]),
                    Cell(percent(rec["share"], language), rec["share"]),
                ]
            )
            if rec["by_region"]["diverges"] and group["share"] is not None:
                apart.append(
                    _("%(recommendation)s: %(here)s supporting here, %(all)s overall.")
                    % {
                        "recommendation": _label(rec),
                        "here": percent(group["share"], language),
                        "all": percent(rec["share"], language),
                    }
                )
        session = sessions.get(region)
        if not answers:
            if session:
                child.add(
                    Paragraph(
                        _("%(registered)s registered, %(attended)s attended.")
                        % {
                            "registered": integer(session["registered"], language),
                            "attended": integer(session["attended"], language),
                        }
                    )
                )
            child.add(Paragraph(_("No answers on the scale from this region."), "note"))
            continue
        facts = [(_("Answers on the scale"), Cell(integer(answers, language), answers))]
        if session:
            facts = [
                (
                    _("Registered"),
                    Cell(integer(session["registered"], language), session["registered"]),
                ),
                (_("Attended"), Cell(integer(session["attended"], language), session["attended"])),
                (_("Answered"), Cell(integer(session["answered"], language), session["answered"])),
                *facts,
            ]
        child.add(Facts(facts))
        child.add(
            numbers.table(
                _("Support in %(region)s") % {"region": region},
                [
                    _("Code"),
                    _("Recommendation"),
                    _("Answers on the scale"),
                    _("Share supporting in the region"),
                    _("Share supporting overall"),
                ],
                rows,
            )
        )
        child.add(Paragraph(_("Where regions differ"), "label"))
        if apart:
            child.add(Bullets(apart))
        else:
            child.add(Paragraph(_("No recommendation on which regions differ significantly.")))
    return section


# Method.


def _method() -> Section:
    section = Section(_("Method"), "method", 1)
    section.add(
        Paragraph(
            _(
                "How each figure in this report is computed, and what it cannot tell. The same "
                "figures are in the data annex."
            )
        )
    )
    for n, (heading, paragraphs) in enumerate(text.method_sections(), start=1):
        child = section.section(heading, f"method-{n}")
        for paragraph in paragraphs:
            child.add(Paragraph(paragraph))
    return section


# Annex.


def _annex(document: dict, numbers: _Numbers) -> Section:
    section = Section(_("Annex: data tables"), "annex", 1, style="annex")
    section.add(
        Paragraph(
            _(
                "The tables of the data annex (XLSX), as they are there: aggregates only. Shares "
                "are between 0% and 100%; “—” means there is no figure."
            )
        )
    )
    language = document["language"]
    for sheet in annex.sheets(document):
        parts = sheet.parts or [[c.key for c in sheet.columns]]
        for n, keys in enumerate(parts, start=1):
            indexes = [sheet.column(key) for key in keys]
            caption = sheet.title
            if len(parts) > 1:
                caption = _("%(title)s (part %(n)d of %(total)d)") % {
                    "title": sheet.title,
                    "n": n,
                    "total": len(parts),
                }
            section.add(
                numbers.table(
                    caption,
                    [sheet.columns[i].label for i in indexes],
                    [
                        [_annex_cell(row[i], sheet.columns[i], language) for i in indexes]
                        for row in sheet.rows
                    ],
                )
            )
    return section


def _annex_cell(value, column: annex.Column, language: str) -> Cell:
    if value is None:
        return Cell(text.MISSING)
    if column.kind == annex.SHARE:
        return Cell(percent(value, language), value)
    if column.kind == annex.BOOLEAN:
        return Cell(_("yes") if value else _("no"), value)
    if column.kind in (annex.INTEGER, annex.DECIMAL):
        if isinstance(value, int):
            return Cell(integer(value, language), value)
        return Cell(decimal(value, language, 3), value)
    return Cell(str(value))
