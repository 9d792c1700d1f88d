"""Choosing the next pair for "which should come first?", with no Django import.

Pairs shown less often so far are more likely to come up (weight 1 / (1 + times shown)), so
every pair gathers choices; a participant never gets the pair they just answered again.
"""

import random
from collections.abc import Hashable, Sequence
from itertools import combinations


def pair_key(a: Hashable, b: Hashable) -> frozenset:
    return frozenset((a, b))


def pick_pair(
    items: Sequence[Hashable],
    shown: dict[frozenset, int],
    last: frozenset | None = None,
    rng: random.Random | None = None,
) -> tuple[Hashable, Hashable] | None:
    """The next pair to show, in random order; None when there are fewer than two items."""
    rng = rng or random.Random()
    pairs = [pair_key(a, b) for a, b in combinations(items, 2)]
    if not pairs:
        return None
    candidates = [p for p in pairs if p != last] or pairs
    weights = [1.0 / (1 + shown.get(p, 0)) for p in candidates]
    chosen = rng.choices(candidates, weights=weights, k=1)[0]
    first, second = sorted(chosen, key=repr)
    return (first, second) if rng.random() < 0.5 else (second, first)
