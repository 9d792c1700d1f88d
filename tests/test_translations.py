"""The interface in French, Spanish, Arabic and Russian: every message of the .po catalogues
is translated, and pages come out in the visitor's language.

The compiled .mo files are build products. This module compiles a catalogue again (with
Babel) when its .mo file is missing or older than its .po file, then makes Django load the
translations afresh, so that the suite never runs against a stale build.
"""

import gettext
import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

import consulta

LOCALE_DIR = Path(consulta.__file__).resolve().parent / "locale"
LANGUAGES = ("fr", "es", "ar", "ru")
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5;",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
}
KEY_STRINGS = (
    "Register",
    "Show times in my time zone",
    "Privacy notice",
    "Check your e-mail",
    "Not yet translated: shown in English.",
    "Sessions",
    "Member State",
    "Dear %(name)s,",
    "You are on the waiting list: %(region)s session",
)
DEMO_CONSULTATION = "/{language}/c/missing-migrants-2024/"
ENGLISH_SESSIONS_HEADING = '<h2 id="sessions-heading">Sessions</h2>'
SESSIONS_HEADINGS = {"fr": "Sessions", "es": "Sesiones", "ar": "الجلسات", "ru": "Сессии"}
ZONE_LABELS = {
    "fr": "Afficher les heures dans mon fuseau horaire",
    "es": "Mostrar los horarios en mi huso horario",
    "ar": "عرض الأوقات بتوقيت منطقتي الزمنية",
    "ru": "Показать время в моем часовом поясе",
}
# Placeholders (%(name)s, %%) and HTML tags must survive translation unchanged.
KEPT_AS_IS = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>")


def po_file(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, abort_invalid=True)


def compile_if_stale(po: Path) -> bool:
    """Write the .mo file next to `po` when it is missing or older; True if it was written."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    catalogue = read_catalogue(po)
    partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
    with partial.open("wb") as target:
        write_mo(target, catalogue)
    partial.replace(mo)
    return True


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Up-to-date .mo files, and Django's translation caches emptied so it reads them."""
    for language in LANGUAGES:
        compile_if_stale(po_file(language))
    trans_real._translations.clear()
    trans_real._default = None
    translation.deactivate()


def messages(catalogue: Catalog) -> list[Message]:
    return [message for message in catalogue if message.id]


def singular(message: Message) -> str:
    return message.id[0] if message.pluralizable else message.id


def forms(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def fully_translated(message: Message, catalogue: Catalog) -> bool:
    translations = forms(message)
    expected = catalogue.num_plurals if message.pluralizable else 1
    return len(translations) == expected and all(text and text.strip() for text in translations)


def test_the_catalogues_are_where_the_settings_look_for_them():
    assert LOCALE_DIR in [Path(path).resolve() for path in settings.LOCALE_PATHS]
    for language in LANGUAGES:
        assert po_file(language).is_file(), po_file(language)
        assert po_file(language).with_suffix(".mo").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_plural_form(language):
    catalogue = read_catalogue(po_file(language))
    untranslated = [
        singular(message)
        for message in messages(catalogue)
        if not fully_translated(message, catalogue)
    ]
    assert messages(catalogue), f"{language}: the catalogue has no message"
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_fuzzy_since_django_would_ignore_it(language):
    catalogue = read_catalogue(po_file(language))
    fuzzy = [singular(message) for message in messages(catalogue) if message.fuzzy]
    assert not catalogue.fuzzy, f"{language}: the header is marked fuzzy"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_declares_its_language_charset_and_plural_forms(language):
    headers = dict(read_catalogue(po_file(language)).mime_headers)
    assert headers["Language"] == language
    assert headers["Content-Type"].replace(" ", "").lower() == "text/plain;charset=utf-8"
    assert headers["Plural-Forms"] == PLURAL_FORMS[language]


def kept_as_is(text: str) -> list[str]:
    return sorted(KEPT_AS_IS.findall(text))


def keeps_the_english(message: Message, text: str, last_form: bool) -> bool:
    """A singular message keeps exactly what its English keeps. A plural form keeps everything
    of the English singular and adds only what the English plural has: an English singular may
    leave out the number ("The first row" / "The first %(counter)s rows") while a language's
    first form, also used for 21 or 0, needs it. The last form, used for most numbers in every
    language here, keeps exactly what the English plural keeps."""
    if not message.pluralizable:
        return kept_as_is(text) == kept_as_is(message.id)
    english_singular, english_plural = message.id
    if last_form:
        return kept_as_is(text) == kept_as_is(english_plural)
    required = set(kept_as_is(english_singular))
    allowed = required | set(kept_as_is(english_plural))
    return required <= set(kept_as_is(text)) <= allowed


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_html_tags_of_the_english(language):
    catalogue = read_catalogue(po_file(language))
    changed = [
        (singular(message), text)
        for message in messages(catalogue)
        for position, text in enumerate(forms(message), start=1)
        if not keeps_the_english(message, text, last_form=position == len(forms(message)))
    ]
    assert not changed, f"{language}: placeholders or tags differ: {changed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogues_cover_the_key_strings_of_the_interface(language):
    catalogue = read_catalogue(po_file(language))
    missing = [text for text in KEY_STRINGS if text not in catalogue]
    untranslated = [
        text
        for text in KEY_STRINGS
        if text in catalogue and not fully_translated(catalogue[text], catalogue)
    ]
    assert not missing, f"{language}: not in the catalogue: {missing}"
    assert not untranslated, f"{language}: not translated: {untranslated}"
    assert "%(counter)s session" in catalogue  # a plural, from {% blocktranslate count %}


def source_files(language: str) -> set[str]:
    return {
        filename
        for message in messages(read_catalogue(po_file(language)))
        for filename, _line in message.locations
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogues_take_strings_from_templates_python_and_email_text_files(language):
    files = source_files(language)
    assert {Path(filename).suffix for filename in files} >= {".html", ".py", ".txt"}
    assert "registrations/templates/registrations/emails/reminder_subject.txt" in files
    assert not [filename for filename in files if "/migrations/" in filename]


def test_a_stale_compiled_catalogue_is_rebuilt_from_its_po_file(tmp_path):
    po = tmp_path / "django.po"
    po.write_bytes(po_file("fr").read_bytes())
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"stale")
    os.utime(mo, (0, 0))
    assert compile_if_stale(po)
    assert not compile_if_stale(po)
    with mo.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert catalogue.gettext("Register") == "S'inscrire"
    assert catalogue.ngettext("%(counter)s session", "%(counter)s sessions", 2) == (
        "%(counter)s sessions"
    )


def consultation_page(client, language: str) -> str:
    response = client.get(DEMO_CONSULTATION.format(language=language))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("language", "heading"), SESSIONS_HEADINGS.items())
def test_the_consultation_page_shows_the_sessions_heading_in_the_visitors_language(
    client, demo, language, heading
):
    html = consultation_page(client, language)
    assert f'<html lang="{language}"' in html
    assert f'<h2 id="sessions-heading">{heading}</h2>' in html


@pytest.mark.parametrize("language", ["es", "ar", "ru"])
def test_the_english_sessions_heading_is_gone_where_the_word_differs(client, demo, language):
    # French writes "Sessions" as English does; the time zone form below tells them apart.
    assert ENGLISH_SESSIONS_HEADING not in consultation_page(client, language)


@pytest.mark.parametrize(("language", "label"), ZONE_LABELS.items())
def test_the_time_zone_form_of_the_consultation_page_is_translated(client, demo, language, label):
    html = consultation_page(client, language)
    assert f'<label for="tz">{label}</label>' in html
    assert "Show times in my time zone" not in html


@pytest.mark.parametrize(
    ("language", "count"),
    [("fr", "5 sessions"), ("es", "5 sesiones"), ("ar", "5 جلسات"), ("ru", "5 сессий")],
)
def test_session_counts_on_the_home_page_take_the_languages_plural_form(
    client, demo, language, count
):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert count in response.content.decode()


def test_the_arabic_privacy_page_is_in_arabic_and_right_to_left(client, db):
    response = client.get("/ar/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>إشعار الخصوصية</h1>" in html
    assert "Privacy notice" not in html
    assert "قاعدة تشاتام هاوس" in html
