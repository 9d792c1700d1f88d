"""Hypothesis profiles for the fuzzing tests.

"ci" (the default) is derandomized: every run tries the same generated files, so a failure in
CI is a change in the code, never bad luck, and the fuzzing tests stay well under a minute
together. "deep" explores new random files with ten times the examples; run it now and then
with `CONSULTA_FUZZ=deep .venv/bin/pytest tests/security/test_fuzz_*.py -n 0`.
"""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **COMMON)
settings.register_profile("deep", derandomize=False, **COMMON)

FUZZ_PROFILE = os.environ.get("CONSULTA_FUZZ", "ci")
EXAMPLE_FACTOR = 10 if FUZZ_PROFILE == "deep" else 1


def examples(count: int) -> int:
    """`count` examples in CI, ten times more in the deep profile."""
    return count * EXAMPLE_FACTOR


def fuzz_settings(count: int):
    return settings(settings.get_profile(FUZZ_PROFILE), max_examples=examples(count))
