"""No personal link's token in the logs: Django logs the path of every refused request."""

import logging

from consulta.registrations.links import personal_token
from tests.conftest import register


def test_a_refused_personal_link_is_logged_without_its_token(client, demo, caplog):
    registration = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "w@example.org")
    token = personal_token(registration)
    tampered = token[:-3] + "xyz"
    handler = logging.getLogger().handlers[0]
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/en/r/{tampered}/").status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "Django logs the refused request"
    lines = [handler.format(record) for record in records]
    assert all(tampered not in line and token[:20] not in line for line in lines), lines
    assert any("/en/r/…/" in line for line in lines), lines


def test_slugs_and_codes_stay_readable(caplog):
    from consulta.lib.logs import redact

    assert redact("/en/c/missing-migrants-rehearsal/s/africa/") == (
        "/en/c/missing-migrants-rehearsal/s/africa/"
    )
    assert redact("Not Found: /en/r/eyJyIjo0Mn0:1rXyZ:abc/feedback/") == (
        "Not Found: /en/r/…/feedback/"
    )
