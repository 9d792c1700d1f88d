"""ISO 3166-1 countries with their names in the reader's language."""

from functools import lru_cache

import pycountry
from babel import Locale


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=8)
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    """(code, localised name) sorted by name, for a select list."""
    names = Locale.parse(language).territories
    english = {c.alpha_2: c.name for c in pycountry.countries}
    pairs = [(code, names.get(code) or english[code]) for code in country_codes()]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def country_name(code: str, language: str) -> str:
    return dict(country_choices(language)).get(code, code)
