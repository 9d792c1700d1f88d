"""Fuzzing the definition-file loader: thousands of generated definitions, mutations of the
demo file (values replaced by other types, keys removed or added, list items duplicated,
text truncated or corrupted, YAML or JSON), give either a loaded consultation or a
DefinitionError naming the problems. No other exception escapes, and a refused file writes
nothing: the consultation tables are exactly as before."""

import copy
import datetime as dt
import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from consulta.consultations.models import (
    Consultation,
    ConsultationObjective,
    Engagement,
    Organisation,
    Pillar,
    Recommendation,
    Reference,
)
from consulta.definitions.loader import load_text
from consulta.definitions.schema import DefinitionError, check_definition, parse_document
from consulta.demo import DEMO_FILE
from consulta.meetings.models import ProgrammeItem, Session
from tests.security.conftest import fuzz_settings
from tests.security.payloads import PAYLOADS

DEMO = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
TABLES = [
    Consultation,
    ConsultationObjective,
    Engagement,
    Organisation,
    Pillar,
    Recommendation,
    Reference,
    Session,
    ProgrammeItem,
]

ODD_STRINGS = [
    "",
    " ",
    "x" * 400,
    "2024-02-30",
    "2024-13-01T25:61:00",
    "Mars/Olympus_Mons",
    "Europe",
    "Europe/Paris",
    "UTC",
    "draft",
    "open",
    "withdrawn",
    "-1",
    "0",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "capture",
    "admin",
    "ftp://example.org/file",
    "javascript:alert(1)",
    "\x00\x1b[31m",
    "ﷺ" * 20,
    "MM-1",
    "africa",
    *PAYLOADS[:10],
]

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(ODD_STRINGS),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(timezones=st.just(dt.UTC) | st.none()),
    st.lists(st.integers(min_value=-5, max_value=2000), max_size=3),
    st.lists(st.sampled_from(ODD_STRINGS), max_size=3),
    st.dictionaries(st.sampled_from(["en", "fr", "xx", "", "title"]), st.text(max_size=10)),
)


def node_paths(node, path=()):
    """Every path to a value of `node` (a key of a mapping or an index of a list)."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from node_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from node_paths(value, (*path, index))


def at(document, path):
    for step in path:
        document = document[step]
    return document


@st.composite
def mutated_documents(draw):
    document = copy.deepcopy(DEMO)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in node_paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = at(document, path[:-1]), path[-1]
        operation = draw(
            st.sampled_from(["replace", "replace", "delete", "add", "duplicate", "empty"])
        )
        if operation == "replace":
            parent[last] = draw(values)
        elif operation == "delete":
            del parent[last]
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "slug", "key", "code", "x" * 50]))] = draw(values)
        elif operation == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif operation == "empty":
            parent[last] = type(parent[last])() if isinstance(parent[last], list | dict) else ""
    return document


def as_text(document, form: str) -> str:
    if form == "json":
        return json.dumps(document, default=str, ensure_ascii=False)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@st.composite
def definition_files(draw):
    """A mutated definition as YAML or JSON, sometimes truncated or with a character changed."""
    text = as_text(draw(mutated_documents()), draw(st.sampled_from(["yaml", "json"])))
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "replace"]))
    if damage != "none" and text:
        position = draw(st.integers(min_value=0, max_value=len(text) - 1))
        if damage == "truncate":
            text = text[:position]
        else:
            text = (
                text[:position]
                + draw(st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t\n")))
                + (text[position + 1 :])
            )
    return text


def check_text(text: str) -> None:
    """Parse and check as `consulta load` does before writing; only DefinitionError escapes."""
    try:
        check_definition(parse_document(text))
    except DefinitionError as error:
        assert error.problems, "a refusal names its problems"
        assert all(str(problem) for problem in error.problems)


def check_document(document) -> None:
    try:
        check_definition(document)
    except DefinitionError as error:
        assert error.problems, "a refusal names its problems"
        assert all(str(problem) for problem in error.problems)


@fuzz_settings(1000)
@given(mutated_documents())
def test_checking_a_generated_definition_refuses_it_cleanly_or_accepts_it(document):
    """The parsed mapping straight to the check: YAML can give every one of these values, and
    skipping its slow parser lets the check see thousands of them."""
    check_document(document)


@fuzz_settings(150)
@given(definition_files())
def test_a_generated_definition_file_is_refused_cleanly_or_accepted(text):
    check_text(text)


@fuzz_settings(400)
@given(
    st.one_of(
        st.text(max_size=300),
        st.sampled_from(
            [
                "a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nslug: x\n",
                "!!python/object/apply:os.system ['true']",
                "--- !!binary AAAA",
                "{slug: [}",
                "- a\n- b\n",
                "\ufeffslug: x",
                "slug: x\nslug: y\n",
            ]
        ),
    )
)
def test_arbitrary_text_is_refused_cleanly(text):
    check_text(text)


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


@fuzz_settings(60)
@given(text=definition_files())
def test_loading_a_generated_definition_writes_it_whole_or_nothing(demo, text):
    before = snapshot()
    try:
        load_text(text)
    except DefinitionError:
        assert snapshot() == before
