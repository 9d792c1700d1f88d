"""The synthesis of a small consultation whose outcome is known in advance."""

import numpy as np

from consulta.synthesis.core import AnswerTable, ChoiceTable, synthesise


def table(rows):
    """rows of (recommendation, region, group, support, priority)."""
    columns = np.array(rows, dtype=np.int64).T
    return AnswerTable(*columns)


def test_a_region_that_disagrees_is_flagged_and_a_shared_view_is_not():
    rows = []
    for region in range(3):
        for i in range(30):
            rows.append((0, region, i % 2, 5 if i % 3 else 4, 4))  # everyone supports 0
            supports_1 = region != 2  # region 2 opposes recommendation 1
            rows.append((1, region, i % 2, 5 if supports_1 else 1, 2))
    result = synthesise(table(rows), None, n_recommendations=2, n_regions=3, n_groups=2)
    assert result.share[0] == 1.0
    assert result.share[1] == np.float64(60 / 90)
    assert result.by_region.diverges.tolist() == [False, True]
    assert result.by_region.gap[1] == 1.0
    assert result.by_group.diverges.tolist() == [False, False]
    assert result.consensus[0] > 0.8 > result.consensus[1]
    assert result.by_region.group_consensus[0] > result.by_region.group_consensus[1]
    assert result.priority_mean.tolist() == [4.0, 2.0]


def test_no_opinion_is_counted_but_not_in_the_share():
    rows = [(0, 0, 0, 5, 0), (0, 0, 0, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, -1, 3)]
    result = synthesise(table(rows), None, 1, 1, 1)
    assert result.counts[0].tolist() == [1, 1, 0, 0, 0, 1]
    assert result.share[0] == 0.5
    assert result.respondents_answering[0] == 4


def test_pairwise_choices_give_a_ranking_and_undecided_ones_are_counted_apart():
    first = np.array([0, 0, 1, 1, 2, 2, 0, 1])
    second = np.array([1, 2, 2, 0, 0, 1, 2, 2])
    chosen = np.array([0, 0, 1, 0, 2, 1, -1, 2])
    rows = [(r, 0, 0, 4, 4 - r) for r in range(3)]
    result = synthesise(table(rows), ChoiceTable(first, second, chosen), 3, 1, 1)
    assert result.undecided_choices == 1
    assert result.ranking.comparisons == 7
    assert np.argmax(result.ranking.preferred) == 0
    assert result.ranking.preferred.sum() == np.float64(1.5)
