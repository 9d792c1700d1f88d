"""Time the synthesis core on a generated consultation and print the figures.

    .venv/bin/python bench/synthesis.py [--answers 1000000] [--choices 200000] [--skip-choix]

Generates N answers across 12 recommendations, 5 regions and 9 stakeholder groups (support
and priority drawn with regional and group differences), and pairwise choices from known
strengths; then times `synthesise` and, on the same choices, Consulta's Bradley–Terry fit
against choix's maximum-likelihood estimator (`mm_pairwise`).
"""

import argparse
import resource
import time

import numpy as np

from consulta.synthesis import stats
from consulta.synthesis.core import AnswerTable, ChoiceTable, synthesise

RECOMMENDATIONS, REGIONS, GROUPS = 12, 5, 9


def generate(n_answers: int, n_choices: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    recommendation = rng.integers(0, RECOMMENDATIONS, n_answers, dtype=np.int64)
    region = rng.integers(0, REGIONS, n_answers, dtype=np.int64)
    group = rng.integers(0, GROUPS, n_answers, dtype=np.int64)
    lean = rng.normal(0, 0.6, (RECOMMENDATIONS, REGIONS))
    latent = 3.6 + lean[recommendation, region] + rng.normal(0, 1.1, n_answers)
    support = np.clip(np.rint(latent), 1, 5).astype(np.int64)
    support[rng.random(n_answers) < 0.06] = 0
    support[rng.random(n_answers) < 0.03] = -1
    priority = np.clip(np.rint(2.5 + rng.normal(0, 1, n_answers)), 1, 4).astype(np.int64)
    priority[rng.random(n_answers) < 0.1] = 0
    answers = AnswerTable(recommendation, region, group, support, priority)

    strength = rng.normal(0, 1, RECOMMENDATIONS)
    first = rng.integers(0, RECOMMENDATIONS, n_choices, dtype=np.int64)
    second = (first + rng.integers(1, RECOMMENDATIONS, n_choices)) % RECOMMENDATIONS
    first_wins = rng.random(n_choices) < 1 / (1 + np.exp(strength[second] - strength[first]))
    chosen = np.where(first_wins, first, second)
    chosen[rng.random(n_choices) < 0.05] = -1
    return answers, ChoiceTable(first, second, chosen)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--choices", type=int, default=200_000)
    parser.add_argument("--skip-choix", action="store_true")
    options = parser.parse_args()

    started = time.perf_counter()
    answers, choices = generate(options.answers, options.choices)
    print(
        f"generated {options.answers:,} answers and {options.choices:,} choices "
        f"in {time.perf_counter() - started:.2f} s"
    )

    started = time.perf_counter()
    result = synthesise(answers, choices, RECOMMENDATIONS, REGIONS, GROUPS)
    elapsed = time.perf_counter() - started
    print(
        f"synthesis of {options.answers:,} answers: {elapsed:.2f} s, "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )
    print(
        f"  diverging by region: {int(result.by_region.diverges.sum())} of {RECOMMENDATIONS}; "
        f"rank agreement (Kendall tau) {result.rank_agreement:.2f}"
    )

    decided = choices.chosen >= 0
    winner = choices.chosen[decided]
    loser = np.where(
        winner == choices.first[decided], choices.second[decided], choices.first[decided]
    )
    started = time.perf_counter()
    fit = stats.bradley_terry(stats.win_matrix(winner, loser, RECOMMENDATIONS))
    ours = time.perf_counter() - started
    print(f"Bradley-Terry on {int(decided.sum()):,} choices: {ours * 1000:.1f} ms")
    if not options.skip_choix:
        import choix

        data = list(zip(winner.tolist(), loser.tolist(), strict=True))
        started = time.perf_counter()
        reference = choix.mm_pairwise(RECOMMENDATIONS, data)
        theirs = time.perf_counter() - started
        print(
            f"choix.mm_pairwise on the same choices: {theirs * 1000:.1f} ms "
            f"({theirs / ours:,.0f}x slower); largest difference "
            f"{np.abs(reference - fit.strength).max():.1e}"
        )


if __name__ == "__main__":
    main()
