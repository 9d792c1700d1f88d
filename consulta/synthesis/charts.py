"""The synthesis's charts, drawn by Consulta itself with matplotlib: SVG for pages, PNG for
documents.

Each function takes the synthesis document (`consulta.synthesis.document.build_document`) and
returns a `Chart`: its translated title, the table of the numbers it shows (which pages put
beside the chart for screen readers, and documents may print), and what it needs to draw
itself. Drawing is the slow part and happens only when `svg()` or `png()` is called; a chart's
`fingerprint()` changes whenever what it would draw changes, so a page may keep drawn charts in
a cache.

- `support_chart`: diverging stacked bars of the support distribution per recommendation
  (disagreeing to the left, agreeing to the right, the neutral answers centred on zero, "no
  opinion" in a panel of its own);
- `priorities_chart`: dots with 95 % intervals, the chance of being preferred (Bradley–Terry)
  and the mean priority;
- `regions_chart`: heat map of the share supporting, recommendation × region, the share
  written in every cell, grey and hatched where too few answered;
- `participation_chart`: registered, attended and answered per session.

Only matplotlib's object-oriented API is used (a `Figure` with its own Agg canvas, never
pyplot), so charts can be drawn from several threads. The SVG is deterministic: text is kept
as text (`svg.fonttype = "none"`), generated identifiers come from a fixed salt
(`svg.hashsalt`), and no date or creator is written. Colours come from colour-blind-safe
palettes (ColorBrewer's PuOr, Okabe & Ito, cividis).
"""

import hashlib
import io
import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import matplotlib
from django.utils.html import escape
from django.utils.translation import gettext as _
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from consulta.synthesis.core import MIN_GROUP_ANSWERS

# Read when a figure is saved as SVG: set once, for every chart alike.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "consulta"

# ColorBrewer PuOr (colour-blind safe), with a neutral dark enough to be seen on white.
SUPPORT_COLOURS = ["#b35806", "#f1a340", "#bababa", "#998ec3", "#542788"]
NO_OPINION_COLOUR = "#737373"
TOO_FEW_COLOUR = "#d9d9d9"
# Okabe & Ito.
BLUE, ORANGE, GREEN, VERMILION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
HEAT = colormaps["cividis"]

FONT = 11
SMALL = 10
WIDTH = 8.5  # inches
NO_DATA = "—"
# Kept out of translated messages, whose "%" would read as a placeholder.
UNIT = {"unit": "%"}
LEVEL = {"level": "95\u00a0%"}

_ID = re.compile(r'\bid="([^"]+)"')
_MINE = "mark-"  # the prefix of the identifiers (gid) this module gives to bars, dots, cells


def percent(value) -> str:
    """0.666 → "67 %"; None → "—"."""
    if value is None:
        return NO_DATA
    return f"{round(value * 100)}\u00a0%"


def percent_interval(value, low, high) -> str:
    """ "67 % (55–78 %)"."""
    if value is None:
        return NO_DATA
    if low is None or high is None:
        return percent(value)
    return f"{percent(value)} ({round(low * 100)}–{percent(high)})"


def decimal_interval(value, low, high) -> str:
    """ "3.5 (3.2–3.8)"."""
    if value is None:
        return NO_DATA
    if low is None or high is None:
        return f"{value:.1f}"
    return f"{value:.1f} ({low:.1f}–{high:.1f})"


def q_value(value) -> str:
    """A p- or q-value as it reads after "q": "= 0.012", "< 0.001", or "—"."""
    if value is None:
        return NO_DATA
    if value < 0.001:
        return "< 0.001"
    return f"= {value:.3f}"


@dataclass
class Chart:
    """A chart and the table of its numbers.

    `rows[i][0]` is the row's header; `row_keys[i]` says what the row is about (a
    recommendation's code, a session's key) and `column_keys[j]` what column `j + 1` is about
    (a region's name, a support value …), so that a page can link each cell to the answers
    behind it. `draw(figure, inputs)` draws it from `inputs` alone (plain, JSON-ready data,
    translated labels included).
    """

    key: str  # identifier prefix in pages: several charts can share one page
    title: str
    headers: list[str]
    rows: list[list[str]]
    row_keys: list[str]
    column_keys: list[str]
    caption: str
    inputs: dict
    draw: Callable[[Figure, dict], None] = field(repr=False)
    size: tuple[float, float] = (WIDTH, 4.0)  # inches

    @cached_property
    def figure(self) -> Figure:
        figure = Figure(figsize=self.size, layout="constrained", facecolor="white")
        FigureCanvasAgg(figure)
        figure.suptitle(self.title, fontsize=FONT + 2, fontweight="bold")
        self.draw(figure, self.inputs)
        return figure

    def fingerprint(self) -> str:
        """Changes whenever the drawing would: to keep drawn charts in a cache."""
        what = [self.key, self.title, self.size, self.inputs, matplotlib.__version__]
        text = json.dumps(what, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def svg(self) -> str:
        """Inline SVG for a page: `role="img"`, labelled by its own `<title>`, identifiers
        prefixed with `key` so they stay unique on the page, left to right whatever the
        page's direction."""
        buffer = io.StringIO()
        self.figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
        text = buffer.getvalue()
        text = text[text.index("<svg") :]
        referenced = set(re.findall(r'(?:href="#|url\(#)([^")]+)', text))

        def rename(match):
            name = match.group(1)
            if name in referenced or name.startswith(_MINE):
                return f'id="{self.key}-{name}"'
            return ""

        text = _ID.sub(rename, text)
        text = re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{self.key}-\2", text)
        text = re.sub(r"<g\s*>", "<g>", text)
        title_id = f"{self.key}-title"
        opening = text[: text.index(">") + 1]
        return text.replace(
            opening,
            opening[:-1]
            + f' role="img" aria-labelledby="{title_id}" class="chart" direction="ltr">'
            + f'<title id="{title_id}">{escape(self.title)}</title>',
            1,
        )

    def png(self, dpi: int = 150) -> bytes:
        """The chart as a PNG image, for documents."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


def _wrap(text: str, width: int = 16) -> str:
    """Long axis labels ("Latin America and the Caribbean") on several lines."""
    return textwrap.fill(text, width, break_long_words=False)


def _label(rec: dict) -> str:
    return f"{rec['code']} {rec['title']}"


def _no_data(axes, message: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=FONT, color="#333333")


def _text_colour(colour) -> str:
    r, g, b = to_rgb(colour)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.45 else "white"


def _plain(axes) -> None:
    axes.tick_params(labelsize=SMALL)
    axes.spines[["top", "right"]].set_visible(False)


# (a) Support.


def support_chart(document: dict, codes=None, key: str = "support") -> Chart:
    """Diverging stacked bars: per recommendation, the shares of the answers on the scale that
    disagree (left of zero), are neutral (centred) and agree (right); "no opinion" as a share
    of all answers giving a support, apart."""
    recs = document["recommendations"]
    if codes is not None:
        recs = [r for r in recs if r["code"] in codes]
    scale = document["scale"]  # 0 no opinion, 1 … 5
    if codes is not None and len(recs) == 1:
        title = _("Support for %(code)s") % {"code": recs[0]["code"]}
    else:
        title = _("Support for each recommendation")
    rows = []
    for rec in recs:
        counts = rec["counts"]
        on_scale = sum(counts[1:])
        rows.append(
            [
                _label(rec),
                *[f"{c} ({percent(c / on_scale)})" if on_scale else str(c) for c in counts[1:]],
                str(counts[0]),
                str(on_scale),
                percent_interval(rec["share"], rec["share_low"], rec["share_high"]),
            ]
        )
    return Chart(
        key=key,
        title=title,
        headers=[
            _("Recommendation"),
            *scale[1:],
            scale[0],
            _("Answers on the scale"),
            _("Share supporting (%(level)s interval)") % LEVEL,
        ],
        rows=rows,
        row_keys=[r["code"] for r in recs],
        column_keys=["1", "2", "3", "4", "5", "0", "scale", "share"],
        caption=_(
            "Bars to the left of zero are the shares that disagree, to the right those that "
            "agree; neutral answers are centred on zero. “No opinion” is shown apart, as a "
            "share of all answers that gave a support."
        ),
        inputs={
            "bars": [(r["code"], r["counts"]) for r in recs],
            "scale": scale,
            "axis": _("Share of the answers on the scale (%(unit)s)") % UNIT,
            "side_axis": _("Share of answers (%(unit)s)") % UNIT,
            "empty": _("No recommendation."),
        },
        draw=_draw_support,
        size=(WIDTH, 1.9 + 0.55 * max(len(recs), 1)),
    )


def _draw_support(figure: Figure, inputs: dict) -> None:
    bars, scale = inputs["bars"], inputs["scale"]
    main, side = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [5, 1]})
    for y, (code, counts) in enumerate(bars):
        on_scale = sum(counts[1:])
        shares = [100 * c / on_scale if on_scale else 0.0 for c in counts[1:]]
        left = -(shares[0] + shares[1] + shares[2] / 2)
        for value, width in enumerate(shares, start=1):
            colour = SUPPORT_COLOURS[value - 1]
            main.barh(
                y,
                width,
                left=left,
                height=0.7,
                color=colour,
                edgecolor="white",
                linewidth=0.5,
                gid=f"{_MINE}bar-{code}-{value}",
            )
            if width >= 9:
                main.text(
                    left + width / 2,
                    y,
                    f"{round(width)}",
                    ha="center",
                    va="center",
                    fontsize=SMALL - 1,
                    color=_text_colour(colour),
                )
            left += width
        given = on_scale + counts[0]
        none_share = 100 * counts[0] / given if given else 0.0
        side.barh(y, none_share, height=0.7, color=NO_OPINION_COLOUR, gid=f"{_MINE}none-{code}")
        side.text(none_share + 3, y, f"{round(none_share)}", va="center", fontsize=SMALL - 1)
    main.axvline(0, color="#333333", linewidth=0.8)
    main.set_xlim(-100, 100)
    main.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{abs(round(x))}"))
    main.set_xlabel(inputs["axis"], fontsize=SMALL)
    main.set_yticks(range(len(bars)), [code for code, _counts in bars], fontsize=SMALL)
    main.invert_yaxis()
    side.set_xlim(0, 100)
    side.set_xticks([0, 50, 100])
    side.set_title(scale[0], fontsize=SMALL)
    side.set_xlabel(inputs["side_axis"], fontsize=SMALL)
    _plain(main)
    _plain(side)
    handles = [Patch(facecolor=SUPPORT_COLOURS[i], label=scale[i + 1]) for i in range(5)]
    handles.append(Patch(facecolor=NO_OPINION_COLOUR, label=scale[0]))
    figure.legend(
        handles=handles, loc="outside lower center", ncols=3, fontsize=SMALL, frameon=False
    )
    if not bars:
        _no_data(main, inputs["empty"])


# (b) Priorities.


def priorities_chart(document: dict, key: str = "priorities") -> Chart:
    """Dots with 95 % intervals, in the order of the ranking: the chance of being preferred to
    a randomly chosen other recommendation (Bradley–Terry, from the pairwise choices), and the
    mean priority (bootstrap interval)."""
    by_code = {r["code"]: r for r in document["recommendations"]}
    ranking = document["ranking"]
    priorities = document["priorities"]
    return Chart(
        key=key,
        title=_("Priorities: chance of being preferred and mean priority"),
        headers=[
            _("Recommendation"),
            _("Chance of being preferred (%(level)s interval)") % LEVEL,
            _("Mean priority (%(level)s interval)") % LEVEL,
        ],
        rows=[
            [
                _label(by_code[row["code"]]) if row["code"] in by_code else row["code"],
                percent_interval(row["preferred"], row["preferred_low"], row["preferred_high"]),
                decimal_interval(row["priority_mean"], row["priority_low"], row["priority_high"]),
            ]
            for row in ranking
        ],
        row_keys=[row["code"] for row in ranking],
        column_keys=["preferred", "priority"],
        caption=_(
            "In the order of the ranking. The chance of being preferred is the estimated "
            "probability that a participant prefers the recommendation to a randomly chosen "
            "other one (Bradley–Terry model of the pairwise choices); the mean priority runs "
            "from 1 (%(low)s) to %(top)s (%(high)s)."
        )
        % {
            "low": priorities[0] if priorities else "",
            "top": len(priorities),
            "high": priorities[-1] if priorities else "",
        },
        inputs={
            "ranking": [{name: row[name] for name in row if name != "title"} for row in ranking],
            "priorities": priorities,
            "preferred_title": _("Chance of being preferred (%(unit)s)") % UNIT,
            "priority_title": _("Mean priority"),
            "no_choices": _("No pairwise choices"),
            "legend": _("Dots: estimates; lines: %(level)s intervals") % LEVEL,
        },
        draw=_draw_priorities,
        size=(WIDTH, 1.9 + 0.45 * max(len(ranking), 1)),
    )


def _draw_priorities(figure: Figure, inputs: dict) -> None:
    ranking, priorities = inputs["ranking"], inputs["priorities"]
    preferred, priority = figure.subplots(1, 2, sharey=True)
    for y, row in enumerate(ranking):
        for axes, name, fields, colour, scale in (
            (preferred, "preferred", ("preferred", "preferred_low", "preferred_high"), BLUE, 100),
            (
                priority,
                "priority",
                ("priority_mean", "priority_low", "priority_high"),
                VERMILION,
                1,
            ),
        ):
            value, low, high = (row[field_name] for field_name in fields)
            if value is None:
                continue
            if low is not None and high is not None:
                axes.plot(
                    [low * scale, high * scale],
                    [y, y],
                    color=colour,
                    linewidth=2,
                    solid_capstyle="butt",
                    gid=f"{_MINE}interval-{name}-{row['code']}",
                )
            axes.plot(
                [value * scale],
                [y],
                marker="o",
                markersize=7,
                color=colour,
                linestyle="none",
                gid=f"{_MINE}dot-{name}-{row['code']}",
            )
    preferred.set_title(inputs["preferred_title"], fontsize=SMALL)
    preferred.set_xlim(0, 100)
    preferred.axvline(50, color="#999999", linewidth=0.8, linestyle="--")
    priority.set_title(inputs["priority_title"], fontsize=SMALL)
    priority.set_xlim(0.8, len(priorities) + 0.2)
    priority.set_xticks(range(1, len(priorities) + 1), priorities, fontsize=SMALL)
    preferred.set_yticks(range(len(ranking)), [row["code"] for row in ranking], fontsize=SMALL)
    preferred.invert_yaxis()
    for axes in (preferred, priority):
        _plain(axes)
        axes.grid(axis="x", color="#e0e0e0", linewidth=0.6)
        axes.set_axisbelow(True)
    if not any(row["preferred"] is not None for row in ranking):
        preferred.text(
            50,
            (len(ranking) - 1) / 2 if ranking else 0.5,
            inputs["no_choices"],
            ha="center",
            va="center",
            fontsize=SMALL,
        )
    figure.supxlabel(inputs["legend"], fontsize=SMALL)


# (c) Regions.


def regions_chart(document: dict, key: str = "regions") -> Chart:
    """Heat map of the share supporting, recommendation × region, the share written in each
    cell; grey and hatched where fewer than MIN_GROUP_ANSWERS answered on the scale."""
    recs = document["recommendations"]
    regions = document["regions"]
    rows = []
    for rec in recs:
        cells = []
        for group in rec["by_region"]["groups"]:
            answers, share = group["answers"], group["share"]
            if answers >= MIN_GROUP_ANSWERS and share is not None:
                cells.append(f"{percent(share)} ({answers})")
            elif answers:
                cells.append(_("too few answers (%(n)s)") % {"n": answers})
            else:
                cells.append(_("no answers"))
        cells.append(_differs(rec["by_region"]))
        rows.append([_label(rec), *cells])
    return Chart(
        key=key,
        title=_("Share supporting, by region"),
        headers=[_("Recommendation"), *regions, _("Differs between regions")],
        rows=rows,
        row_keys=[r["code"] for r in recs],
        column_keys=[*regions, "diverges"],
        caption=_(
            "Share of the answers on the scale that agree or strongly agree, with the number "
            "of answers in brackets. A recommendation differs between regions when the "
            "difference is significant (Kruskal–Wallis, q < 0.05 after Benjamini–Hochberg) "
            "and two regions are at least 20 points apart."
        ),
        inputs={
            "regions": regions,
            "cells": [
                (
                    r["code"],
                    r["by_region"]["diverges"],
                    [(g["answers"], g["share"]) for g in r["by_region"]["groups"]],
                )
                for r in recs
            ],
            "colour_axis": _("Supporting (%(unit)s)") % UNIT,
            "legend": _("Grey: fewer than %(n)s answers on the scale. *: differs between regions.")
            % {"n": MIN_GROUP_ANSWERS},
            "empty": _("No answers by region."),
        },
        draw=_draw_regions,
        size=(max(WIDTH, 2.5 + 1.3 * len(regions)), 2.0 + 0.5 * max(len(recs), 1)),
    )


def _draw_regions(figure: Figure, inputs: dict) -> None:
    regions, cells = inputs["regions"], inputs["cells"]
    axes = figure.subplots()
    norm = Normalize(0, 1)
    for y, (code, _diverges, groups) in enumerate(cells):
        for x, (answers, share) in enumerate(groups):
            enough = answers >= MIN_GROUP_ANSWERS and share is not None
            colour = HEAT(norm(share)) if enough else TOO_FEW_COLOUR
            axes.add_patch(
                Rectangle(
                    (x - 0.5, y - 0.5),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor="white",
                    linewidth=1.5,
                    hatch=None if enough else "//",
                    gid=f"{_MINE}cell-{code}-{x}",
                )
            )
            axes.text(
                x,
                y,
                percent(share) if enough else (f"n={answers}" if answers else NO_DATA),
                ha="center",
                va="center",
                fontsize=SMALL,
                color=_text_colour(colour),
            )
    axes.set_xlim(-0.5, max(len(regions), 1) - 0.5)
    axes.set_ylim(max(len(cells), 1) - 0.5, -0.5)
    axes.set_xticks(range(len(regions)), [_wrap(r) for r in regions], fontsize=SMALL)
    axes.set_yticks(
        range(len(cells)),
        [code + (" *" if diverges else "") for code, diverges, _groups in cells],
        fontsize=SMALL,
    )
    axes.tick_params(length=0)
    axes.xaxis.tick_top()
    for spine in axes.spines.values():
        spine.set_visible(False)
    colour_bar = figure.colorbar(
        ScalarMappable(norm=norm, cmap=HEAT),
        ax=axes,
        fraction=0.04,
        # Twenty steps stay vector shapes (more are drawn as an embedded raster image).
        boundaries=[step / 20 for step in range(21)],
        ticks=[0, 0.25, 0.5, 0.75, 1],
        format=FuncFormatter(lambda v, _pos: f"{round(v * 100)}"),
    )
    colour_bar.set_label(inputs["colour_axis"], fontsize=SMALL)
    colour_bar.ax.tick_params(labelsize=SMALL)
    figure.supxlabel(inputs["legend"], fontsize=SMALL)
    if not cells or not regions:
        _no_data(axes, inputs["empty"])


def _differs(split: dict) -> str:
    if not split["diverges"]:
        return _("no")
    return _("yes (gap %(gap)s, q %(q)s)") % {
        "gap": percent(split["gap"]),
        "q": q_value(split["q_value"]),
    }


# (d) Participation.


def participation_chart(document: dict, key: str = "participation") -> Chart:
    """Grouped bars per session: registered, attended, answered."""
    sessions = document["participation"]["sessions"]
    return Chart(
        key=key,
        title=_("Participation by session"),
        headers=[
            _("Session"),
            _("Registered"),
            _("Waiting list"),
            _("Attended"),
            _("Answered"),
            _("Response rate"),
        ],
        rows=[
            [
                s["region"],
                str(s["registered"]),
                str(s["waitlisted"]),
                str(s["attended"]),
                str(s["answered"]),
                percent(s["response_rate"]),
            ]
            for s in sessions
        ],
        row_keys=[s["key"] for s in sessions],
        column_keys=["registered", "waitlisted", "attended", "answered", "response_rate"],
        caption=_(
            "Confirmed registrations, attendance as recorded, and respondents with at least "
            "one counted answer; the response rate is answered ÷ registered."
        ),
        inputs={
            "sessions": [
                (s["key"], s["region"], s["registered"], s["attended"], s["answered"])
                for s in sessions
            ],
            "measures": [_("Registered"), _("Attended"), _("Answered")],
            "axis": _("People"),
            "empty": _("No sessions."),
        },
        draw=_draw_participation,
        size=(max(WIDTH, 2 + 1.5 * len(sessions)), 4.2),
    )


def _draw_participation(figure: Figure, inputs: dict) -> None:
    sessions = inputs["sessions"]
    axes = figure.subplots()
    width = 0.26
    for m, (name, label, colour) in enumerate(
        zip(
            ("registered", "attended", "answered"),
            inputs["measures"],
            (BLUE, ORANGE, GREEN),
            strict=True,
        )
    ):
        for x, (key, _region, *numbers) in enumerate(sessions):
            bars = axes.bar(
                x + (m - 1) * width,
                numbers[m],
                width=width,
                color=colour,
                label=label if x == 0 else None,
                gid=f"{_MINE}bar-{key}-{name}",
            )
            axes.bar_label(bars, fontsize=SMALL - 1, padding=2)
    axes.set_xticks(range(len(sessions)), [_wrap(s[1]) for s in sessions], fontsize=SMALL)
    axes.set_ylabel(inputs["axis"], fontsize=SMALL)
    _plain(axes)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_ylim(0, max([1] + [max(s[2:]) for s in sessions]) * 1.15)
    if sessions:
        figure.legend(fontsize=SMALL, frameon=False, loc="outside lower center", ncols=3)
    else:
        _no_data(axes, inputs["empty"])
