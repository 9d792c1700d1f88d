"""CSRF: every address of the site refuses a state-changing request that lacks the CSRF token,
even from a signed-in organiser, and nothing changes; the API, which takes no cookie
credentials, answers such a request 401 without acting.

The addresses are read from the URL configuration, so an address added later is covered
without editing this file; a new kind of URL parameter needs a sample value in SAMPLES.
"""

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from consulta.feedback.models import Answer
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration
from tests.conftest import participant, register

# Any value the URL pattern accepts: the CSRF check runs before the view looks anything up.
SAMPLES = {
    "slug": "missing-migrants-2024",
    "key": "africa",
    "token": "not-a-real-token",
    "pk": "1",
    "code": "MM-1",
    "pillar_code": "MM",
    "fmt": "csv",
    "kind": "answer",
    "uidb64": "MQ",
    "path": "x",
    "object_id": "1",
    "app_label": "registrations",
    "model_name": "registration",
    "content_type_id": "1",
    "url": "x",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def concrete(route: str) -> str:
    """`route` with every parameter replaced by its sample value, as a path."""

    def value(match):
        name = match.group(1) or match.group(2)
        if name not in SAMPLES:
            raise AssertionError(f"{route}: add a sample value for <{name}> to SAMPLES")
        return SAMPLES[name]

    path = PARAMETER.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    return "/" + path


def site_routes() -> list[tuple[str, URLPattern]]:
    """Every route outside the admin's model pages (the admin's own login is included)."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and route not in ("admin/login/", "admin/logout/"):
            continue
        if "(?:" in route or "(?P<url>" in route:
            continue
        routes.append((route, pattern))
    return routes


def is_api(route: str) -> bool:
    return route.startswith("api/")


@pytest.fixture
def csrf_client(organiser) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    return client


def test_the_sample_routes_cover_the_whole_site():
    routes = [route for route, _pattern in site_routes()]

    assert len(routes) > 40
    for expected in ("register/", "capture/", "feedback/import/", "revisions/", "report/"):
        assert any(expected in route for route in routes), expected


def test_every_site_address_refuses_a_post_without_the_csrf_token(csrf_client, demo):
    refused, accepted = [], []
    for route, pattern in site_routes():
        if is_api(route):
            continue
        assert not getattr(pattern.callback, "csrf_exempt", False), f"{route} is csrf_exempt"
        response = csrf_client.post(concrete(route), {"action": "confirm"})
        (refused if response.status_code == 403 else accepted).append((route, response.status_code))

    assert accepted == []
    assert len(refused) > 40


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_are_refused_too(csrf_client, demo, method):
    for route in ("en/c/<slug:slug>/s/<slug:key>/register/", "en/manage/<slug:slug>/feedback/"):
        response = getattr(csrf_client, method)(concrete(route))
        assert response.status_code == 403, (route, method)


def test_the_api_does_not_act_on_a_browser_session_without_a_token(csrf_client, demo):
    for route, _pattern in site_routes():
        if not is_api(route):
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(csrf_client, method)(
                concrete(route), "{}", content_type="application/json"
            )
            assert response.status_code in (401, 403, 404, 405), (route, method)


def test_a_forged_registration_is_refused_and_nothing_is_saved(demo, before_the_sessions):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/en/c/missing-migrants-2024/s/africa/register/", participant())

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_the_same_registration_with_the_token_goes_through(demo, before_the_sessions):
    """The control: the refusal above is the CSRF check, not a bad form."""
    client = Client(enforce_csrf_checks=True)
    url = "/en/c/missing-migrants-2024/s/africa/register/"
    client.get(url)
    token = client.cookies["csrftoken"].value

    response = client.post(url, participant(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_a_forged_cancellation_and_answer_change_nothing(demo, before_the_sessions):
    registration = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "w@example.org")
    token = personal_token(registration)
    client = Client(enforce_csrf_checks=True)

    cancel = client.post(f"/en/r/{token}/", {"action": "cancel"})
    answer = client.post(
        f"/en/r/{token}/feedback/a/MM-1/",
        {"support": "5", "comment": "forged", "submission_key": "k" * 32},
    )

    assert (cancel.status_code, answer.status_code) == (403, 403)
    registration.refresh_from_db()
    assert registration.is_active()
    assert not Answer.objects.exists()


def test_every_post_form_on_the_pages_carries_the_csrf_token(organiser_client, demo):
    pages = [
        "/en/c/missing-migrants-2024/",
        "/en/manage/missing-migrants-2024/feedback/",
        "/en/manage/missing-migrants-2024/feedback/import/",
        "/en/manage/missing-migrants-2024/registrations/",
        "/en/manage/missing-migrants-2024/revisions/MM-1/",
        "/en/manage/missing-migrants-2024/s/africa/attendance/import/",
    ]
    forms = 0
    for url in pages:
        page = organiser_client.get(url).content.decode()
        for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S | re.I):
            if re.search(r'method="post"', form, re.I):
                forms += 1
                assert 'name="csrfmiddlewaretoken"' in form, (url, form[:200])
    assert forms >= 4
