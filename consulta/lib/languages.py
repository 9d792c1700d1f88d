"""The languages Consulta supports for its interface and for content."""

SUPPORTED_LANGUAGES = ("en", "fr", "es", "ar", "ru")
FALLBACK_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})


def language_problem(code: str) -> str | None:
    """Say why `code` cannot be used as a content or session language, or None if it can."""
    if code in SUPPORTED_LANGUAGES:
        return None
    return f"{code!r} is not a supported language; use one of {', '.join(SUPPORTED_LANGUAGES)}"


def pick_translation(texts: dict[str, str], language: str) -> tuple[str, str]:
    """Return (text, language it is in), falling back to English when `language` has none.

    The caller shows a visible note whenever the returned language differs from the one asked.
    """
    if texts.get(language):
        return texts[language], language
    return texts.get(FALLBACK_LANGUAGE, ""), FALLBACK_LANGUAGE
