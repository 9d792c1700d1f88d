"""The report's words: figures formatted for the reader's language, the sentence that reads a
consensus value, and the method section's explanations. Shared by every format so that the
HTML, PDF, DOCX and the XLSX's notes say the same thing.

Call these inside `translation.override(language)`: they use gettext.
"""

from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from django.utils.translation import gettext as _

MISSING = "—"


def percent(value, language: str) -> str:
    """0.853 → "85%" (English), "85 %" (French); None → a dash."""
    if value is None:
        return MISSING
    return format_percent(value, locale=language)


def decimal(value, language: str, digits: int = 2) -> str:
    if value is None:
        return MISSING
    return format_decimal(value, format="#,##0." + "0" * digits, locale=language)


def integer(value, language: str) -> str:
    if value is None:
        return MISSING
    return format_decimal(int(value), format="#,##0", locale=language)


def interval(low, high, language: str, *, as_percent: bool = True) -> str:
    """The interval as "72%–93%"; a dash when either end is missing."""
    if low is None or high is None:
        return MISSING
    show = percent if as_percent else decimal
    return f"{show(low, language)}–{show(high, language)}"


def with_interval(value, low, high, language: str, *, as_percent: bool = True) -> str:
    """The value and its interval, as "85% (72%–93%)"."""
    show = percent if as_percent else decimal
    if value is None:
        return MISSING
    if low is None or high is None:
        return show(value, language)
    return f"{show(value, language)} ({interval(low, high, language, as_percent=as_percent)})"


def long_date(iso: str, language: str) -> str:
    return format_date(datetime.fromisoformat(iso).date(), format="long", locale=language)


def consensus_sentence(consensus) -> str:
    """What a Tastle–Wierman consensus value means, in one sentence."""
    if consensus is None:
        return _("Too few answers on the scale to measure consensus.")
    if consensus >= 0.8:
        return _(
            "Strong consensus: answers gather on one point of the scale or two neighbouring ones."
        )
    if consensus >= 0.6:
        return _("Moderate consensus: most answers lie close to each other on the scale.")
    if consensus >= 0.4:
        return _("Weak consensus: answers are spread across the scale.")
    return _("Polarised: answers are split between opposite ends of the scale.")


def method_sections() -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) explaining how each figure is computed, then its limits."""
    return [
        (
            _("What is counted"),
            [
                _(
                    "Each respondent's latest answer to each recommendation counts once: answers "
                    "given through a personal link, open written submissions whose e-mail address "
                    "was confirmed, and imported answers. Answers hidden by moderation, "
                    "unconfirmed submissions and earlier versions of an answer are not counted. "
                    "“No opinion” is counted among the answers but left out of shares, consensus "
                    "and tests."
                ),
            ],
        ),
        (
            _("Share supporting and its interval"),
            [
                # xgettext:no-python-format
                _(
                    "The share supporting is the number of answers “agree” or “strongly agree” "
                    "divided by the number of answers on the five-point scale. Its 95% interval "
                    "is Wilson's score interval, which stays within 0% and 100% and remains "
                    "sensible for small numbers of answers. The interval describes sampling "
                    "uncertainty only; it does not correct for who chose to answer."
                ),
            ],
        ),
        (
            _("Consensus"),
            [
                _(
                    "Consensus is Tastle and Wierman's measure for ordinal scales: "
                    "Cns = 1 + Σ pᵢ log₂(1 − |Xᵢ − μ| / 4), where pᵢ is the share of answers at "
                    "point Xᵢ of the scale (1 to 5), μ the mean answer and 4 the width of the "
                    "scale. It is 1 when everyone gives the same answer and 0 when answers are "
                    "split evenly between “strongly disagree” and “strongly agree”. Unlike the "
                    "share supporting, it says whether people agree with each other, whatever "
                    "they agree on."
                ),
                _(
                    "The report reads values of 0.8 and above as strong consensus, 0.6 to 0.8 as "
                    "moderate, 0.4 to 0.6 as weak, and below 0.4 as polarised."
                ),
            ],
        ),
        (
            _("Divergence between regions and between stakeholder groups"),
            [
                _(
                    "For each recommendation, a Kruskal–Wallis test compares the answers of the "
                    "regions (and, separately, of the stakeholder groups). Because ten or more "
                    "recommendations are tested at once, the p-values are adjusted with the "
                    "Benjamini–Hochberg procedure, which controls the share of false alarms. A "
                    "recommendation is flagged as divergent only when the adjusted value (q) is "
                    "below 0.05 and the shares supporting of two regions or groups with at least "
                    "five answers each are at least 20 percentage points apart: a difference "
                    "must be both unlikely to be chance and large enough to matter."
                ),
                _(
                    "Group-informed consensus, as used by Pol.is, multiplies over the regions (or "
                    "groups) the estimated chance that a member supports the recommendation, "
                    "(agree + 1) / (answers + 2). It is high only when every region supports it, "
                    "so a recommendation carried by one large region alone stays low."
                ),
            ],
        ),
        (
            _("Priority"),
            [
                # xgettext:no-python-format
                _(
                    "Priority is answered as low (1), medium (2), high (3) or essential (4). The "
                    "mean priority comes with a 95% bootstrap interval: the answers are "
                    "resampled 2,000 times and the interval holds the middle 95% of the "
                    "resampled means."
                ),
            ],
        ),
        (
            _("Ranking from pairwise choices"),
            [
                # xgettext:no-python-format
                _(
                    "Respondents could choose, between two recommendations, the one that should "
                    "come first. A Bradley–Terry model, fitted by maximum likelihood, gives each "
                    "recommendation a strength; the report shows it as the chance that the "
                    "recommendation is preferred to another one picked at random, with a 95% "
                    "interval from the model's standard errors. “Can't decide” is recorded but "
                    "does not enter the model."
                ),
                _(
                    "Kendall's tau measures how far the ranking by mean priority and the ranking "
                    "from pairwise choices agree: 1 when they are identical, 0 when they are "
                    "unrelated, −1 when one is the reverse of the other."
                ),
            ],
        ),
        (
            _("Comments, form letters and rewordings"),
            [
                _(
                    "Comments are grouped into themes within each language, without machine "
                    "translation; each theme is shown with its most frequent words and "
                    "representative quotes, verbatim. Comments that are identical or nearly so "
                    "(for instance a campaign's form letter) are shown once, with their count. "
                    "Proposed rewordings that say the same thing are grouped and shown as "
                    "changes to the current text."
                ),
            ],
        ),
        (
            _("Limits"),
            [
                _(
                    "Self-selection: respondents chose to take part, so their views are not a "
                    "sample of all stakeholders, and intervals do not correct for that."
                ),
                _(
                    "Unequal participation: regions and stakeholder groups took part in unequal "
                    "numbers; the overall figures weigh each answer equally, so they lean towards "
                    "the regions and groups that answered most. Read the regional figures beside "
                    "them."
                ),
                _(
                    "Translation: recommendations were read, and comments written, in several "
                    "languages; a difference in wording between languages may explain some "
                    "differences in answers. Quotes are reproduced in the language they were "
                    "written in."
                ),
                _(
                    "Small numbers: with few answers, shares and consensus move a lot with each "
                    "answer; intervals show by how much."
                ),
            ],
        ),
        (
            _("Attribution (Chatham House rule)"),
            [
                _(
                    "Quotes and captured points are attributed to a stakeholder group and a "
                    "region only. An organisation is named only where its participant allowed "
                    "it. No person is ever named, and no e-mail address appears in the report or "
                    "its annex."
                ),
            ],
        ),
    ]
