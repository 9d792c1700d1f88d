"""Every response carries the site's Content-Security-Policy, built once; views that change it
or use a nonce still get their own."""

import pytest
from csp.constants import NONCE
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from consulta.serving.content_security import CSPMiddleware

pytestmark = pytest.mark.django_db

POLICY = "Content-Security-Policy"


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in parts}


def test_pages_and_the_api_carry_the_sites_policy(client, demo):
    for url in ("/en/c/missing-migrants-2024/", "/api/v1/consultations"):
        policy = directives(client.get(url)[POLICY])
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"


def test_a_change_to_the_settings_shows_in_the_next_response(client, demo):
    assert directives(client.get("/api/v1/consultations")[POLICY])["img-src"] == "'self' data:"
    stricter = {"DIRECTIVES": {"default-src": ["'none'"], "img-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=stricter):
        assert directives(client.get("/api/v1/consultations")[POLICY]) == {
            "default-src": "'none'",
            "img-src": "'self'",
        }
    assert "script-src" in directives(client.get("/api/v1/consultations")[POLICY])


def respond_with(change=None, nonce=False):
    def view(request):
        response = HttpResponse("page")
        if nonce:
            response.content = str(request.csp_nonce).encode()
        if change:
            name, value = change
            setattr(response, name, value)
        return response

    return CSPMiddleware(view)


def test_a_view_that_updates_or_exempts_the_policy_keeps_its_change():
    request = RequestFactory().get("/")
    updated = respond_with(("_csp_update", {"img-src": ["https://maps.example.org"]}))(request)
    assert directives(updated[POLICY])["img-src"] == "'self' data: https://maps.example.org"
    exempt = respond_with(("_csp_exempt", True))(RequestFactory().get("/"))
    assert POLICY not in exempt


def test_a_page_that_asks_for_a_nonce_gets_it_in_its_policy():
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'"], "script-src": [NONCE]}}
    ):
        first = respond_with(nonce=True)(RequestFactory().get("/"))
        second = respond_with(nonce=True)(RequestFactory().get("/"))
    for response in (first, second):
        nonce = response.content.decode()
        assert directives(response[POLICY])["script-src"] == f"'nonce-{nonce}'"
    assert first.content != second.content
