"""A word-by-word comparison of a proposed rewording with a recommendation's current text,
with no Django import.

`word_diff(current, proposed)` returns segments in reading order: ("same", text) kept from the
current text, ("removed", text) only in the current text, ("added", text) only in the rewording.
A template shows them with <del> and <ins>. Words are runs of letters and digits in any script
(Arabic and Cyrillic included); spaces and punctuation are segments of their own, so a changed
comma does not mark the whole neighbouring word as changed.
"""

import re
from difflib import SequenceMatcher
from typing import NamedTuple

SAME = "same"
REMOVED = "removed"
ADDED = "added"

TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


class Segment(NamedTuple):
    kind: str  # SAME, REMOVED or ADDED
    text: str


def tokens(text: str) -> list[str]:
    """`text` cut into words, runs of white space and single punctuation marks."""
    return TOKEN.findall(text)


def word_diff(current: str, proposed: str) -> list[Segment]:
    """The segments that turn `current` into `proposed`; adjacent segments of a kind merged.

    Joining the SAME and REMOVED segments gives `current` back; SAME and ADDED give `proposed`.
    """
    before, after = tokens(current), tokens(proposed)
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    segments: list[Segment] = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            _append(segments, SAME, "".join(before[a1:a2]))
            continue
        if operation in ("delete", "replace"):
            _append(segments, REMOVED, "".join(before[a1:a2]))
        if operation in ("insert", "replace"):
            _append(segments, ADDED, "".join(after[b1:b2]))
    return _absorb_lone_spaces(segments)


def _append(segments: list[Segment], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1] = Segment(kind, segments[-1].text + text)
    else:
        segments.append(Segment(kind, text))


def _absorb_lone_spaces(segments: list[Segment]) -> list[Segment]:
    """Fold a kept run of white space between two changes into both changes, so that
    "a b" → "c d" reads as one removal and one addition rather than four fragments."""
    result: list[Segment] = []
    for index, segment in enumerate(segments):
        between_changes = (
            segment.kind == SAME
            and not segment.text.strip()
            and 0 < index < len(segments) - 1
            and segments[index - 1].kind != SAME
            and segments[index + 1].kind != SAME
        )
        if between_changes:
            _append(result, REMOVED, segment.text)
            _append(result, ADDED, segment.text)
            continue
        _append(result, *segment)
    return _regroup(result)


def _regroup(segments: list[Segment]) -> list[Segment]:
    """Between two kept segments, put every removal before every addition."""
    result: list[Segment] = []
    removed, added = "", ""
    for segment in segments:
        if segment.kind == REMOVED:
            removed += segment.text
        elif segment.kind == ADDED:
            added += segment.text
        else:
            _append(result, REMOVED, removed)
            _append(result, ADDED, added)
            removed, added = "", ""
            _append(result, SAME, segment.text)
    _append(result, REMOVED, removed)
    _append(result, ADDED, added)
    return result


def has_changes(segments: list[Segment]) -> bool:
    return any(segment.kind != SAME for segment in segments)
