"""The statistics of the synthesis on small cases worked out by hand, and their properties."""

import math

import choix
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from consulta.synthesis import stats

counts_1_to_5 = st.lists(st.integers(0, 50), min_size=5, max_size=5).filter(lambda c: sum(c) > 0)


def test_support_is_counted_per_recommendation_with_no_opinion_apart():
    recommendation = np.array([0, 0, 0, 1, 1, 1, 1])
    support = np.array([5, 4, 0, 1, -1, 3, 3])
    counts = stats.support_counts(recommendation, support, 2)
    assert counts.tolist() == [[1, 0, 0, 0, 1, 1], [0, 1, 0, 2, 0, 0]]


def test_the_wilson_interval_matches_the_textbook_case():
    # 8 successes out of 10: Wilson 95 % interval is [0.4902, 0.9433].
    low, high = stats.wilson_interval(8, 10)
    assert (round(float(low), 4), round(float(high), 4)) == (0.4902, 0.9433)
    low, high = stats.wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_share_supporting_counts_agree_and_strongly_agree():
    share, answers = stats.share_supporting(np.array([1, 1, 2, 3, 3]))
    assert answers == 10
    assert share == pytest.approx(0.6)


def test_consensus_of_a_hand_worked_distribution():
    # Answers 4, 4, 5, 5: mean 4.5; each |X−μ|/4 = 0.125; Cns = 1 + log2(0.875) = 0.80735.
    assert stats.tastle_wierman_consensus(np.array([0, 0, 0, 2, 2])) == pytest.approx(
        1 + math.log2(0.875)
    )


def test_consensus_is_one_when_everyone_agrees_and_zero_for_a_split_between_extremes():
    assert stats.tastle_wierman_consensus(np.array([0, 0, 7, 0, 0])) == pytest.approx(1.0)
    assert stats.tastle_wierman_consensus(np.array([9, 0, 0, 0, 9])) == pytest.approx(0.0)
    assert math.isnan(stats.tastle_wierman_consensus(np.zeros(5)))


@given(counts_1_to_5)
def test_consensus_and_shares_stay_between_zero_and_one(counts):
    consensus = stats.tastle_wierman_consensus(np.array(counts))
    share, _ = stats.share_supporting(np.array(counts))
    low, high = stats.wilson_interval(counts[3] + counts[4], sum(counts))
    assert 0 <= consensus <= 1
    assert 0 <= share <= 1
    assert 0 <= low <= share <= high <= 1


def test_group_informed_consensus_is_low_when_one_bloc_alone_supports():
    everyone = stats.group_informed_consensus(np.array([9, 9, 9]), np.array([10, 10, 10]))
    one_bloc = stats.group_informed_consensus(np.array([10, 0, 0]), np.array([10, 10, 10]))
    assert everyone == pytest.approx((10 / 12) ** 3)
    assert one_bloc == pytest.approx((11 / 12) * (1 / 12) * (1 / 12))
    assert one_bloc < 0.01 < everyone


def test_benjamini_hochberg_adjusts_in_rank_order():
    adjusted = stats.benjamini_hochberg([0.01, 0.04, 0.03, float("nan"), 0.20])
    assert adjusted[0] == pytest.approx(0.04)
    assert adjusted[1] == pytest.approx(0.0533333, rel=1e-4)
    assert adjusted[2] == pytest.approx(0.0533333, rel=1e-4)
    assert math.isnan(adjusted[3])
    assert adjusted[4] == pytest.approx(0.20)


def test_kruskal_wallis_from_counts_equals_scipy_on_the_raw_answers():
    counts = np.array([[0, 1, 2, 5, 7], [4, 5, 3, 1, 0], [1, 1, 1, 1, 1]])
    raw = [np.repeat(np.arange(1, 6), row) for row in counts]
    expected = scipy.stats.kruskal(*raw).pvalue
    assert stats.kruskal_from_counts(counts) == pytest.approx(expected)
    assert math.isnan(stats.kruskal_from_counts(np.array([[0, 0, 3, 0, 0], [0, 0, 0, 0, 0]])))


def test_the_bootstrap_interval_surrounds_the_mean_priority():
    rng = np.random.default_rng(7)
    mean, low, high = stats.bootstrap_mean_interval(np.array([10, 20, 30, 40]), rng)
    assert mean == pytest.approx(3.0)
    assert low < 3.0 < high
    assert high - low < 0.5


def random_choices(n_items, n_choices, seed):
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 1, n_items)
    first = rng.integers(0, n_items, n_choices)
    second = (first + rng.integers(1, n_items, n_choices)) % n_items
    first_wins = rng.random(n_choices) < 1 / (1 + np.exp(truth[second] - truth[first]))
    winner = np.where(first_wins, first, second)
    loser = np.where(first_wins, second, first)
    return winner, loser


def test_bradley_terry_equals_choix_to_a_millionth():
    winner, loser = random_choices(12, 3000, seed=3)
    fit = stats.bradley_terry(stats.win_matrix(winner, loser, 12))
    reference = choix.mm_pairwise(12, list(zip(winner.tolist(), loser.tolist(), strict=True)))
    assert np.abs(fit.strength - reference).max() < 1e-6
    assert fit.comparisons == 3000


def test_bradley_terry_ranking_does_not_depend_on_the_order_of_the_choices():
    winner, loser = random_choices(6, 500, seed=11)
    order = np.random.default_rng(1).permutation(500)
    a = stats.bradley_terry(stats.win_matrix(winner, loser, 6))
    b = stats.bradley_terry(stats.win_matrix(winner[order], loser[order], 6))
    assert np.allclose(a.strength, b.strength)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_the_chance_of_being_preferred_is_a_probability_with_its_interval(seed):
    winner, loser = random_choices(5, 200, seed)
    fit = stats.bradley_terry(stats.win_matrix(winner, loser, 5), ridge=0.01)
    assert np.all((fit.preferred_low >= 0) & (fit.preferred_low <= fit.preferred))
    assert np.all((fit.preferred <= fit.preferred_high) & (fit.preferred_high <= 1))
    assert fit.preferred.mean() == pytest.approx(0.5)


def test_kendall_tau_tells_whether_two_rankings_agree():
    assert stats.kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert stats.kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
