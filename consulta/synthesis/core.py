"""The synthesis of every recommendation from columnar answers (numpy arrays, no Django).

Input is an `AnswerTable` (one row per counted, current, visible answer) and a
`ChoiceTable` (pairwise choices); output is a `Synthesis` with, per recommendation, overall
and per region and per stakeholder group: answers, support distribution, share supporting
with its Wilson interval, Tastle–Wierman consensus, group-informed consensus, divergence
between regions and between groups, mean priority with a bootstrap interval; and the
Bradley–Terry ranking from the pairwise choices.

A split differs ("diverges") when a Kruskal–Wallis test across its groups is significant after
Benjamini–Hochberg correction across recommendations (q < 0.05) and the shares supporting of
two groups with at least MIN_GROUP_ANSWERS answers are at least 20 points apart.
"""

from dataclasses import dataclass, field

import numpy as np

from consulta.synthesis import stats

MIN_GROUP_ANSWERS = 5
DIVERGENCE_POINTS = 0.20
SIGNIFICANCE = 0.05


@dataclass
class AnswerTable:
    """Parallel arrays, one entry per answer; categories are small integers (indexes)."""

    recommendation: np.ndarray
    region: np.ndarray
    group: np.ndarray
    support: np.ndarray  # -1 not given, 0 no opinion, 1..5
    priority: np.ndarray  # 0 not given, 1..4

    def __len__(self):
        return int(self.recommendation.size)


@dataclass
class ChoiceTable:
    """Pairwise choices: first and second shown; chosen is -1 for "can't decide"."""

    first: np.ndarray
    second: np.ndarray
    chosen: np.ndarray


@dataclass
class Split:
    """Figures for each group of one split (regions or stakeholder groups)."""

    answers: np.ndarray  # [recommendation, group] answers on the scale
    share: np.ndarray  # [recommendation, group]
    p_value: np.ndarray  # [recommendation] Kruskal–Wallis
    q_value: np.ndarray  # [recommendation] after Benjamini–Hochberg
    gap: np.ndarray  # [recommendation] largest difference of shares between groups
    diverges: np.ndarray  # [recommendation] bool
    group_consensus: np.ndarray  # [recommendation] Pol.is group-informed consensus


@dataclass
class Synthesis:
    n_recommendations: int
    counts: np.ndarray  # [recommendation, 0..5] support counts (0 = no opinion)
    respondents_answering: np.ndarray  # [recommendation] answers of any kind
    share: np.ndarray
    share_low: np.ndarray
    share_high: np.ndarray
    consensus: np.ndarray
    by_region: Split
    by_group: Split
    priority_counts: np.ndarray  # [recommendation, 1..4]
    priority_mean: np.ndarray
    priority_low: np.ndarray
    priority_high: np.ndarray
    ranking: stats.BradleyTerry | None
    undecided_choices: int
    rank_agreement: float
    notes: list[str] = field(default_factory=list)


def synthesise(
    answers: AnswerTable,
    choices: ChoiceTable | None,
    n_recommendations: int,
    n_regions: int,
    n_groups: int,
    seed: int = 2024,
) -> Synthesis:
    r = n_recommendations
    counts = stats.support_counts(answers.recommendation, answers.support, r)
    scale = counts[:, 1:6]
    share, on_scale = stats.share_supporting(scale)
    low, high = stats.wilson_interval(scale[:, 3] + scale[:, 4], on_scale)
    consensus = stats.tastle_wierman_consensus(scale)
    by_region = _split(answers, answers.region, n_regions, r)
    by_group = _split(answers, answers.group, n_groups, r)

    given = answers.priority > 0
    flat = answers.recommendation[given] * 4 + (answers.priority[given] - 1)
    priority_counts = np.bincount(flat, minlength=r * 4).reshape(r, 4)
    rng = np.random.default_rng(seed)
    intervals = np.array([stats.bootstrap_mean_interval(row, rng) for row in priority_counts])

    ranking, undecided = None, 0
    if choices is not None and choices.chosen.size:
        decided = choices.chosen >= 0
        undecided = int((~decided).sum())
        winner = choices.chosen[decided]
        loser = np.where(
            winner == choices.first[decided], choices.second[decided], choices.first[decided]
        )
        wins = stats.win_matrix(winner, loser, r)
        ridge = 0.0 if _ml_exists(wins) else 0.01
        ranking = stats.bradley_terry(wins, ridge=ridge)
    agreement = (
        stats.kendall_tau(intervals[:, 0], ranking.strength) if ranking is not None else np.nan
    )
    answered = np.bincount(answers.recommendation, minlength=r)
    return Synthesis(
        n_recommendations=r,
        counts=counts,
        respondents_answering=answered,
        share=share,
        share_low=low,
        share_high=high,
        consensus=consensus,
        by_region=by_region,
        by_group=by_group,
        priority_counts=priority_counts,
        priority_mean=intervals[:, 0],
        priority_low=intervals[:, 1],
        priority_high=intervals[:, 2],
        ranking=ranking,
        undecided_choices=undecided,
        rank_agreement=float(agreement),
    )


def _split(answers: AnswerTable, category: np.ndarray, n_categories: int, r: int) -> Split:
    """Per-category figures; rows whose category is negative (e.g. no session) are left out."""
    on_scale = (answers.support >= 1) & (category >= 0)
    flat = (answers.recommendation[on_scale] * n_categories + category[on_scale]) * 5 + (
        answers.support[on_scale] - 1
    )
    counts = np.bincount(flat, minlength=r * n_categories * 5).reshape(r, n_categories, 5)
    share, per_group = stats.share_supporting(counts)
    agree = counts[:, :, 3] + counts[:, :, 4]
    p_values = np.array([stats.kruskal_from_counts(counts[i]) for i in range(r)])
    q_values = stats.benjamini_hochberg(p_values)
    enough = per_group >= MIN_GROUP_ANSWERS
    highest = np.where(enough, share, -np.inf).max(axis=1)
    lowest = np.where(enough, share, np.inf).min(axis=1)
    gap = np.where(enough.sum(axis=1) >= 2, highest - lowest, np.nan)
    diverges = (q_values < SIGNIFICANCE) & (gap >= DIVERGENCE_POINTS)
    present = per_group > 0
    group_consensus = np.array(
        [
            stats.group_informed_consensus(agree[i][present[i]], per_group[i][present[i]])
            for i in range(r)
        ]
    )
    return Split(
        per_group, share, p_values, q_values, gap, np.nan_to_num(diverges) > 0, group_consensus
    )


def _ml_exists(wins: np.ndarray) -> bool:
    """Maximum likelihood is finite when the "beats" graph is strongly connected."""
    n = wins.shape[0]
    reach = (wins > 0) | np.eye(n, dtype=bool)
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 1):
        reach = reach | ((reach.astype(np.int64) @ reach.astype(np.int64)) > 0)
    return bool(reach.all())
