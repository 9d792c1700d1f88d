"""Schemathesis against a live server: every operation, generated requests valid and invalid,
no 5xx, and every response as the OpenAPI description says (status, content type, body)."""

import json
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from consulta.api.tokens import issue_token
from consulta.registrations.links import personal_token
from consulta.synthesis import report as reports
from tests.conftest import register

MINIMAL_FILES = {
    "html": b"<!DOCTYPE html><title>Report</title>",
    "pdf": b"%PDF-1.4\n%%EOF\n",
    "docx": b"PK\x05\x06" + b"\x00" * 18,
    "xlsx": b"PK\x05\x06" + b"\x00" * 18,
}


def described_api():
    """The description the server serves at /api/v1/openapi.json (a test below checks that
    they are the same), read once when the tests are collected."""
    from consulta.api.api import api

    described = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    # Unknown query parameters are ignored, as most APIs do, rather than refused.
    described.config.generation.update(allow_extra_parameters=False)
    return described


schema = described_api()


@pytest.fixture
def credentials(demo, organiser, before_the_sessions) -> dict:
    """A participant's personal token and an organiser's write token, sent with every call so
    that the operations behind them are exercised, not only their 401."""
    wanjiru = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "wanjiru@example.org")
    _token, secret = issue_token(organiser, "Schemathesis", "write")
    return {"X-Personal-Token": personal_token(wanjiru), "Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db(transaction=True)
def test_every_operation_conforms_to_the_description(case, live_server, credentials, monkeypatch):
    # Laying out a PDF takes seconds and is tested with the report; here only the answer's
    # shape matters, so each format renders as a minimal file of its kind.
    monkeypatch.setattr(reports, "render", lambda document, fmt: MINIMAL_FILES[fmt])
    excluded = []
    if case.operation.path.endswith("/attendance"):
        # Any file is valid by the description; only reading it tells a Zoom report from a
        # picture, and that refusal (422, each problem named) is the intended answer.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if case.headers and "Idempotency-Key" in case.headers:
        # Clients send a new key with each new answer; generated keys repeat, and a key
        # reused for a different answer is refused by design (tested on its own).
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(base_url=live_server.url, headers=credentials, excluded_checks=excluded)


def test_the_served_description_is_the_one_tested(client):
    from consulta.api.api import api

    described = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    assert client.get("/api/v1/openapi.json").json() == described
