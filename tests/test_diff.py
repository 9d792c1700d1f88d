"""A proposed rewording compared word by word with the current text (no database)."""

import random
from itertools import pairwise

from consulta.feedback.diff import ADDED, REMOVED, SAME, Segment, has_changes, tokens, word_diff

MM1 = "States should coordinate search and rescue across borders."


def joined(segments, *kinds) -> str:
    return "".join(text for kind, text in segments if kind in kinds)


def test_an_unchanged_text_is_one_kept_segment():
    assert word_diff(MM1, MM1) == [Segment(SAME, MM1)]
    assert not has_changes(word_diff(MM1, MM1))


def test_a_replaced_word_is_removed_then_added_between_kept_words():
    assert word_diff(MM1, MM1.replace("should", "must")) == [
        (SAME, "States "),
        (REMOVED, "should"),
        (ADDED, "must"),
        (SAME, " coordinate search and rescue across borders."),
    ]


def test_added_words_and_punctuation_are_marked_apart_from_their_neighbours():
    proposed = "States should coordinate search and rescue at sea and across borders, always."
    assert word_diff(MM1, proposed) == [
        (SAME, "States should coordinate search and rescue "),
        (ADDED, "at sea and "),
        (SAME, "across borders"),
        (ADDED, ", always"),
        (SAME, "."),
    ]


def test_a_run_of_changed_words_reads_as_one_removal_and_one_addition():
    assert word_diff("one two three four", "one five six four") == [
        (SAME, "one "),
        (REMOVED, "two three"),
        (ADDED, "five six"),
        (SAME, " four"),
    ]


def test_an_empty_side_is_all_added_or_all_removed():
    assert word_diff("", "A new text.") == [(ADDED, "A new text.")]
    assert word_diff("The old text.", "") == [(REMOVED, "The old text.")]
    assert word_diff("", "") == []


def test_words_in_arabic_and_russian_are_compared_whole():
    assert word_diff("تنسيق عمليات البحث", "تنسيق البحث") == [
        (SAME, "تنسيق "),
        (REMOVED, "عمليات "),
        (SAME, "البحث"),
    ]
    assert tokens("Поиск и спасение.") == ["Поиск", " ", "и", " ", "спасение", "."]


def test_both_texts_can_always_be_read_back_from_the_segments():
    rng = random.Random(11)
    words = ["States", "should", "must", "search", "rescue", ",", ".", "  ", "\n", "البحث"]
    for _ in range(300):
        before = " ".join(rng.choices(words, k=rng.randint(0, 12)))
        after = " ".join(rng.choices(words, k=rng.randint(0, 12)))
        segments = word_diff(before, after)
        assert joined(segments, SAME, REMOVED) == before
        assert joined(segments, SAME, ADDED) == after
        # Neighbouring segments are never of the same kind, and none is empty.
        assert all(text for _kind, text in segments)
        assert all(a.kind != b.kind for a, b in pairwise(segments))
