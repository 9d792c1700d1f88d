"""The statistics of a synthesis, on plain numpy arrays (no Django).

Support is coded 1 (strongly disagree) … 5 (strongly agree); 0 means "no opinion" and is
counted but left out of shares, consensus and tests; -1 means not given. Priority is 1 (low)
… 4 (essential); 0 means not given.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

SCALE = np.arange(1, 6)
SUPPORTING = (4, 5)
Z_95 = 1.959963984540054


def support_counts(recommendation: np.ndarray, support: np.ndarray, n_recommendations: int):
    """counts[r, v] for v in 0 (no opinion) … 5; answers without support (-1) are left out."""
    given = support >= 0
    flat = recommendation[given] * 6 + support[given]
    return np.bincount(flat, minlength=n_recommendations * 6).reshape(n_recommendations, 6)


def wilson_interval(successes, trials, z: float = Z_95):
    """95 % Wilson score interval of a proportion; (nan, nan) where there are no trials."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / trials
        denominator = 1 + z**2 / trials
        centre = (p + z**2 / (2 * trials)) / denominator
        half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denominator
        # Rounding must never put the estimate outside its own interval.
        low = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
        high = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    return low, high


def share_supporting(counts_1_to_5: np.ndarray):
    """(share agreeing or strongly agreeing, answers on the scale) per row of counts[…, 1:6]."""
    counts = np.asarray(counts_1_to_5, dtype=float)
    on_scale = counts.sum(axis=-1)
    agree = counts[..., 3] + counts[..., 4]
    with np.errstate(invalid="ignore", divide="ignore"):
        return agree / on_scale, on_scale


def tastle_wierman_consensus(counts_1_to_5: np.ndarray):
    """Tastle & Wierman's (2007) consensus on an ordinal scale, in [0, 1].

    Cns = 1 + Σ p_i log2(1 − |X_i − μ| / d), with d the width of the scale (5 − 1): 1 when
    everyone gives the same answer, 0 when answers are split evenly between the two extremes.
    """
    counts = np.asarray(counts_1_to_5, dtype=float)
    totals = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = counts / totals
        mean = (p * SCALE).sum(axis=-1, keepdims=True)
        distance = np.abs(SCALE - mean) / (SCALE[-1] - SCALE[0])
        terms = np.where(p > 0, p * np.log2(1 - distance), 0.0)
    result = 1 + terms.sum(axis=-1)
    return np.where(totals[..., 0] > 0, np.clip(result, 0.0, 1.0), np.nan)


def group_informed_consensus(agree_by_group: np.ndarray, answers_by_group: np.ndarray):
    """Pol.is's group-informed consensus: Π over groups of (agree + 1) / (answers + 2).

    High only when every group supports; a recommendation backed by one bloc stays low. The
    last axis runs over groups.
    """
    agree = np.asarray(agree_by_group, dtype=float)
    answers = np.asarray(answers_by_group, dtype=float)
    return np.prod((agree + 1) / (answers + 2), axis=-1)


def benjamini_hochberg(p_values):
    """Adjusted p-values (false discovery rate) across a family of tests; nan stays nan."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    present = ~np.isnan(p)
    values = p[present]
    if values.size == 0:
        return adjusted
    order = np.argsort(values)
    ranked = values[order] * values.size / np.arange(1, values.size + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty_like(values)
    result[order] = np.minimum(ranked, 1.0)
    adjusted[present] = result
    return adjusted


def kruskal_from_counts(counts_by_group: np.ndarray) -> float:
    """Kruskal–Wallis p-value for ordinal answers given as counts[group, 1..5] (ties handled).

    Groups with no answer are left out; fewer than two groups, or no spread, gives nan.
    """
    counts = np.asarray(counts_by_group, dtype=float)
    counts = counts[counts.sum(axis=1) > 0]
    if counts.shape[0] < 2:
        return float("nan")
    per_value = counts.sum(axis=0)
    n = per_value.sum()
    # Mid-ranks of each scale value, and the tie correction.
    upper = np.cumsum(per_value)
    mid_rank = upper - (per_value - 1) / 2
    tie = 1 - ((per_value**3 - per_value).sum()) / (n**3 - n) if n > 1 else 0
    if tie <= 0:
        return float("nan")
    group_n = counts.sum(axis=1)
    rank_sums = counts @ mid_rank
    h = (12 / (n * (n + 1))) * (rank_sums**2 / group_n).sum() - 3 * (n + 1)
    h /= tie
    return float(scipy_stats.chi2.sf(h, counts.shape[0] - 1))


def bootstrap_mean_interval(counts_1_to_4: np.ndarray, rng: np.random.Generator, draws=2000):
    """Mean priority and its 95 % percentile bootstrap interval, from counts of 1..4."""
    counts = np.asarray(counts_1_to_4, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    values = np.arange(1, counts.size + 1)
    mean = float((counts * values).sum() / n)
    samples = rng.multinomial(n, counts / n, size=draws) @ values / n
    low, high = np.percentile(samples, [2.5, 97.5])
    return mean, float(low), float(high)


@dataclass(frozen=True)
class BradleyTerry:
    """Strengths θ (log scale, mean 0) with standard errors, and for each item the estimated
    chance of being preferred to a randomly chosen other item."""

    strength: np.ndarray
    standard_error: np.ndarray
    preferred: np.ndarray
    preferred_low: np.ndarray
    preferred_high: np.ndarray
    comparisons: int


def win_matrix(winner: np.ndarray, loser: np.ndarray, n_items: int) -> np.ndarray:
    """wins[i, j] = how often i was chosen over j."""
    flat = np.asarray(winner) * n_items + np.asarray(loser)
    return np.bincount(flat, minlength=n_items * n_items).reshape(n_items, n_items).astype(float)


def bradley_terry(wins: np.ndarray, ridge: float = 0.0, tol: float = 1e-12) -> BradleyTerry:
    """Maximum-likelihood Bradley–Terry fit by Newton's method on the aggregated win matrix.

    Aggregating first makes the fit cost the same for a thousand choices or millions. When
    some item never wins or never loses, the maximum likelihood does not exist: pass a small
    `ridge` (a Gaussian prior on θ) to get finite estimates.
    """
    wins = np.asarray(wins, dtype=float)
    n = wins.shape[0]
    games = wins + wins.T
    theta = np.zeros(n)
    total_wins = wins.sum(axis=1)
    for _ in range(100):
        diff = theta[:, None] - theta[None, :]
        p = 1 / (1 + np.exp(-diff))
        gradient = total_wins - (games * p).sum(axis=1) - 2 * ridge * theta
        weight = games * p * (1 - p)
        hessian = weight.copy()
        np.fill_diagonal(hessian, 0)
        hessian[np.diag_indices(n)] = -weight.sum(axis=1) + np.diag(weight)
        hessian -= 2 * ridge * np.eye(n)
        # θ is defined up to a constant: fix it with the constraint Σθ = 0 (bordered system).
        bordered = np.zeros((n + 1, n + 1))
        bordered[:n, :n] = hessian
        bordered[:n, n] = 1
        bordered[n, :n] = 1
        step = np.linalg.lstsq(bordered, np.append(-gradient, 0.0), rcond=None)[0][:n]
        theta = theta + step
        theta -= theta.mean()
        if np.abs(step).max() < tol:
            break
    diff = theta[:, None] - theta[None, :]
    p = 1 / (1 + np.exp(-diff))
    weight = games * p * (1 - p)
    information = -weight
    np.fill_diagonal(information, weight.sum(axis=1) - np.diag(weight))
    information += 2 * ridge * np.eye(n)
    covariance = np.linalg.pinv(information + 1.0 / n) - 1.0 / n
    standard_error = np.sqrt(np.clip(np.diag(covariance), 0, None))
    preferred, low, high = _preferred(theta, covariance)
    return BradleyTerry(theta, standard_error, preferred, low, high, int(wins.sum()))


def _preferred(theta: np.ndarray, covariance: np.ndarray):
    """Mean over the other items of P(i preferred to j), with a delta-method 95 % interval."""
    n = theta.size
    diff = theta[:, None] - theta[None, :]
    p = 1 / (1 + np.exp(-diff))
    mask = ~np.eye(n, dtype=bool)
    preferred = (p * mask).sum(axis=1) / (n - 1)
    # Gradient of preferred[i] with respect to θ.
    slope = p * (1 - p) * mask / (n - 1)
    gradient = -slope
    gradient[np.diag_indices(n)] = slope.sum(axis=1)
    variance = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    half = Z_95 * np.sqrt(np.clip(variance, 0, None))
    return preferred, np.clip(preferred - half, 0, 1), np.clip(preferred + half, 0, 1)


def kendall_tau(a, b) -> float:
    """Agreement of two rankings (e.g. mean priority and Bradley–Terry), in [-1, 1]."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    if keep.sum() < 2:
        return float("nan")
    return float(scipy_stats.kendalltau(a[keep], b[keep]).statistic)
