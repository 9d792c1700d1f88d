"""The synthesis charts, drawn from a small synthesis document whose numbers are known: valid,
deterministic SVG whose bars, dots and cells can be counted, and PNG images for documents."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import translation

from consulta.feedback.models import Priority, Support
from consulta.synthesis import charts

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REGIONS = ["Africa", "Asia-Pacific", "Europe"]


def recommendation(code, counts, by_region, *, diverges=False, preferred=None, priority=None):
    on_scale = sum(counts[1:])
    share = (counts[4] + counts[5]) / on_scale if on_scale else None
    return {
        "code": code,
        "title": f"Title of {code}",
        "counts": counts,
        "share": share,
        "share_low": None if share is None else share * 0.8,
        "share_high": None if share is None else min(1.0, share * 1.1),
        "by_region": {
            "groups": [
                {"name": name, "answers": answers, "share": share}
                for name, (answers, share) in zip(REGIONS, by_region, strict=True)
            ],
            "diverges": diverges,
            "gap": 1.0 if diverges else 0.0,
            "q_value": 0.0001 if diverges else 0.9,
        },
        "preferred": preferred,
        "priority": priority,
    }


def ranking_row(rec, preferred, priority):
    return {
        "code": rec["code"],
        "title": rec["title"],
        "preferred": preferred,
        "preferred_low": None if preferred is None else preferred - 0.1,
        "preferred_high": None if preferred is None else preferred + 0.1,
        "priority_mean": priority,
        "priority_low": None if priority is None else priority - 0.2,
        "priority_high": None if priority is None else priority + 0.2,
    }


@pytest.fixture
def document() -> dict:
    """MM-1: everyone agrees; MM-2: Europe strongly disagrees; MM-3: half no opinion, the rest
    neutral, too few per region. Five sessions, two of them with no one answering."""
    recs = [
        recommendation("MM-1", [0, 0, 0, 0, 10, 10], [(7, 1.0), (7, 1.0), (6, 1.0)]),
        recommendation("MM-2", [0, 7, 0, 0, 0, 13], [(7, 1.0), (6, 1.0), (7, 0.0)], diverges=True),
        recommendation("MM-3", [10, 0, 0, 10, 0, 0], [(3, 0.0), (4, 0.0), (0, None)]),
    ]
    return {
        "recommendations": recs,
        "regions": REGIONS,
        "scale": [
            "No opinion",
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
        ],
        "priorities": ["Low", "Medium", "High", "Essential"],
        "ranking": [
            ranking_row(recs[0], 0.74, 3.5),
            ranking_row(recs[1], 0.5, 2.0),
            ranking_row(recs[2], 0.26, None),
        ],
        "participation": {
            "sessions": [
                {
                    "key": key,
                    "region": region,
                    "registered": registered,
                    "waitlisted": 0,
                    "attended": attended,
                    "answered": answered,
                    "response_rate": answered / registered if registered else None,
                }
                for key, region, registered, attended, answered in [
                    ("africa", "Africa", 20, 18, 20),
                    ("lac", "Latin America and the Caribbean", 0, 0, 0),
                    ("asia-pacific", "Asia-Pacific", 20, 15, 20),
                    ("arab-states", "Arab States", 3, 2, 0),
                    ("europe", "Europe", 20, 19, 20),
                ]
            ]
        },
    }


ALL_CHARTS = [
    charts.support_chart,
    charts.priorities_chart,
    charts.regions_chart,
    charts.participation_chart,
]


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(chart.svg())


def marks(root: ET.Element, kind: str) -> list[ET.Element]:
    """The chart's own bars, dots or cells of `kind` (their identifiers say what they are)."""
    return [e for e in root.iter() if f"-mark-{kind}-" in e.get("id", "")]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def fill(element: ET.Element) -> str:
    path = next(element.iter(f"{SVG}path"))
    style = dict(
        part.strip().split(": ", 1) for part in path.get("style", "").split(";") if part.strip()
    )
    return style["fill"]


@pytest.mark.parametrize("draw", ALL_CHARTS, ids=lambda f: f.__name__)
def test_every_chart_is_an_svg_image_labelled_by_its_title_with_its_text_as_text(document, draw):
    chart = draw(document)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    assert title.text == chart.title
    assert chart.title in texts(root)  # drawn as text, not as glyph outlines
    assert root.get("direction") == "ltr"  # right to left pages keep the chart's layout


@pytest.mark.parametrize("draw", ALL_CHARTS, ids=lambda f: f.__name__)
def test_every_chart_is_also_a_png_for_documents(document, draw):
    image = draw(document).png(dpi=150)
    assert image.startswith(PNG_SIGNATURE)
    assert len(image) > 10_000


@pytest.mark.parametrize("draw", ALL_CHARTS, ids=lambda f: f.__name__)
def test_drawing_the_same_document_twice_gives_the_same_svg(document, draw):
    assert draw(document).svg() == draw(document).svg()


def test_the_four_charts_can_share_one_page_without_repeating_an_identifier(document):
    identifiers = []
    for draw in ALL_CHARTS:
        chart = draw(document)
        ids = [e.get("id") for e in parse(chart).iter() if e.get("id")]
        assert all(i.startswith(f"{chart.key}-") for i in ids)
        identifiers += ids
    assert len(identifiers) == len(set(identifiers))


def test_every_reference_inside_an_svg_points_to_an_element_of_the_same_svg(document):
    for draw in ALL_CHARTS:
        svg = draw(document).svg()
        root = ET.fromstring(svg)
        ids = {e.get("id") for e in root.iter() if e.get("id")}
        for element in root.iter():
            href = element.get("{http://www.w3.org/1999/xlink}href")
            if href and href.startswith("#"):
                assert href[1:] in ids
        assert root.find(f".//{SVG}image") is None  # vector shapes only


def test_support_has_five_bars_per_recommendation_and_no_opinion_apart(document):
    root = parse(charts.support_chart(document))
    assert len(marks(root, "bar")) == 5 * 3
    assert len(marks(root, "none")) == 3
    assert {"MM-1", "MM-2", "MM-3"} <= set(texts(root))
    legend = set(texts(root))
    assert {"Strongly disagree", "Strongly agree", "No opinion"} <= legend


def test_support_puts_disagreement_left_of_zero_and_agreement_right(document):
    root = parse(charts.support_chart(document))
    bars = {e.get("id").split("-mark-bar-")[1]: e for e in marks(root, "bar")}

    def horizontal_extent(element):
        path = next(element.iter(f"{SVG}path")).get("d").split()
        xs = [float(v) for v in path if v.replace(".", "", 1).lstrip("-").isdigit()][::2]
        return min(xs), max(xs)

    zero = horizontal_extent(bars["MM-1-4"])[0]  # MM-1: agreement starts at zero
    left, right = horizontal_extent(bars["MM-2-1"])
    assert right == pytest.approx(zero, abs=0.01)  # strongly disagree ends at zero
    left, right = horizontal_extent(bars["MM-3-3"])
    assert (left + right) / 2 == pytest.approx(zero, abs=0.01)  # neutral centred


def test_support_table_gives_counts_and_shares_per_recommendation(document):
    chart = charts.support_chart(document)
    assert chart.headers[0] == "Recommendation"
    assert chart.headers[1:6] == document["scale"][1:]
    assert chart.row_keys == ["MM-1", "MM-2", "MM-3"]
    mm2 = chart.rows[1]
    assert mm2[0] == "MM-2 Title of MM-2"
    assert mm2[1] == "7 (35\u00a0%)"
    assert mm2[5] == "13 (65\u00a0%)"
    assert mm2[-2] == "20"
    assert chart.rows[2][6] == "10"  # MM-3: ten without opinion


def test_support_for_one_recommendation_draws_only_its_bars(document):
    chart = charts.support_chart(document, codes={"MM-2"})
    assert len(marks(parse(chart), "bar")) == 5
    assert chart.row_keys == ["MM-2"]


def test_priorities_draw_a_dot_and_an_interval_per_recommendation_on_both_panels(document):
    root = parse(charts.priorities_chart(document))
    assert len(marks(root, "dot")) == 3 + 2  # MM-3 has no mean priority
    assert len(marks(root, "interval")) == 3 + 2
    table = charts.priorities_chart(document)
    assert table.row_keys == ["MM-1", "MM-2", "MM-3"]
    assert table.rows[0][1:] == ["74\u00a0% (64–84\u00a0%)", "3.5 (3.3–3.7)"]
    assert table.rows[2][2] == "—"


def test_the_heat_map_has_one_cell_per_recommendation_and_region_with_the_share_written(
    document,
):
    root = parse(charts.regions_chart(document))
    cells = marks(root, "cell")
    assert len(cells) == 3 * 3
    written = texts(root)
    assert written.count("100\u00a0%") == 5
    assert written.count("0\u00a0%") == 1  # Europe on MM-2
    assert "MM-2 *" in written  # MM-2 differs between regions
    hatched = {e.get("id").split("-mark-cell-")[1]: fill(e) for e in cells if "url(" in fill(e)}
    assert set(hatched) == {"MM-3-0", "MM-3-1", "MM-3-2"}  # fewer than five answers each
    pattern = root.find(f".//{SVG}pattern[@id='{hatched['MM-3-0'][5:-1]}']")
    assert "#d9d9d9" in ET.tostring(pattern, encoding="unicode")  # grey, with hatching
    assert {"n=3", "n=4", "—"} <= set(written)


def test_the_heat_map_table_says_where_too_few_answered_and_what_differs(document):
    chart = charts.regions_chart(document)
    assert chart.headers == ["Recommendation", *REGIONS, "Differs between regions"]
    assert chart.rows[1][1:4] == ["100\u00a0% (7)", "100\u00a0% (6)", "0\u00a0% (7)"]
    assert chart.rows[1][4].startswith("yes (gap 100\u00a0%")
    assert chart.rows[2][1:4] == ["too few answers (3)", "too few answers (4)", "no answers"]
    assert chart.column_keys[:3] == REGIONS


def test_participation_has_three_bars_per_session(document):
    chart = charts.participation_chart(document)
    root = parse(chart)
    assert len(marks(root, "bar")) == 3 * 5
    assert chart.row_keys == ["africa", "lac", "asia-pacific", "arab-states", "europe"]
    assert chart.rows[0] == ["Africa", "20", "0", "18", "20", "100\u00a0%"]
    assert chart.rows[1][-1] == "—"  # nobody registered: no rate


def test_charts_of_an_empty_consultation_still_draw(document):
    empty = dict(document, recommendations=[], ranking=[], participation={"sessions": []})
    for draw in ALL_CHARTS:
        chart = draw(empty)
        assert chart.rows == []
        assert parse(chart).get("role") == "img"
        assert chart.png().startswith(PNG_SIGNATURE)


def test_a_chart_keeps_its_fingerprint_until_what_it_shows_changes(document):
    first = charts.support_chart(document)
    assert charts.support_chart(document).fingerprint() == first.fingerprint()
    document["recommendations"][0]["counts"] = [0, 1, 0, 0, 9, 10]
    assert charts.support_chart(document).fingerprint() != first.fingerprint()
    assert charts.support_chart(document, key="other").fingerprint() != first.fingerprint()


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_charts_draw_in_every_language_of_the_interface(document, language):
    """Labels come translated from the document and from the interface; every script the
    interface uses has its glyphs (a missing glyph would be a warning, hence an error)."""
    with translation.override(language):
        document["scale"] = [str(label) for _value, label in Support.choices]
        document["priorities"] = [str(label) for _value, label in Priority.choices]
        for draw in ALL_CHARTS:
            chart = draw(document)
            assert chart.png().startswith(PNG_SIGNATURE)
            assert parse(chart).find(f"{SVG}title").text == chart.title
