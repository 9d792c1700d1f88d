"""The browser's middleware (sessions, logged-in user, messages, the visitor's zone) serves
pages and is skipped for the REST API, which authenticates with tokens."""

import pytest
from django.conf import settings
from django.core.management import call_command

from consulta.api.tokens import issue_token
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

ORGANISER_API = "/api/v1/manage/consultations/missing-migrants-2024/registrations"


def test_pages_keep_sessions_frame_options_and_the_chosen_zone(demo, organiser_client):
    page = organiser_client.get("/en/manage/api-tokens/")
    assert page.status_code == 200  # the logged-in organiser, from the session
    assert page["X-Frame-Options"] == "DENY"
    public = organiser_client.get("/en/c/missing-migrants-2024/?tz=Africa/Nairobi")
    assert public.cookies[settings.VIEWER_ZONE_COOKIE].value == "Africa/Nairobi"


def test_the_api_ignores_a_logged_in_browser_and_sets_no_cookie(demo, organiser_client):
    refused = organiser_client.get(ORGANISER_API)
    assert refused.status_code == 401  # the session's organiser is not the API's caller
    assert refused.json()["error"]["code"] == "unauthenticated"
    public = organiser_client.get("/api/v1/consultations?tz=Africa/Nairobi")
    assert public.status_code == 200
    assert not public.cookies  # no session, message or zone cookie
    assert public["X-Frame-Options"] == "DENY"  # security headers stay


def test_an_organiser_token_still_acts_as_its_user(demo, client, organiser):
    _token, secret = issue_token(organiser, "Reports", "read")
    assert client.get(ORGANISER_API, **bearer(secret)).status_code == 200


def test_the_admins_and_the_deployment_middleware_checks_still_pass():
    call_command("check", fail_level="ERROR")
    # Django's deployment check looks for the frame-options middleware by its name.
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE
