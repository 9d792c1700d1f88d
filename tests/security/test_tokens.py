"""Personal links and confirmation links cannot be forged, altered, reused for another purpose
or used after revocation: every such request is a plain 404 (401 in the API) and changes
nothing. The genuine link works, so the refusals are about the token and nothing else."""

import pytest
from django.core import signing
from django.test import override_settings

from consulta.feedback.models import Answer
from consulta.feedback.submissions import confirmation_token, start_open_submission
from consulta.registrations import actions
from consulta.registrations.links import SALT, personal_token
from consulta.signed_links import sign_link
from tests.conftest import register

PAGES = [
    "/en/r/{token}/",
    "/en/r/{token}/invitation.ics",
    "/en/r/{token}/feedback/",
    "/en/r/{token}/feedback/summary/",
    "/en/r/{token}/feedback/prioritise/",
    "/en/r/{token}/feedback/p/MM/",
]


@pytest.fixture
def wanjiru(demo, before_the_sessions):
    return register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "wanjiru@example.org")


@pytest.fixture
def jonas(demo, before_the_sessions):
    return register(demo.sessions.get(key="europe"), "Jonas", "Berg", "jonas@example.eu")


def altered(token: str) -> str:
    """The token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def forged_tokens(registration, other) -> dict[str, str]:
    genuine = personal_token(registration)
    payload, _, signature = genuine.rpartition(":")
    with override_settings(SECRET_KEY="an attacker's guess at the key"):
        wrong_key = sign_link(registration.pk, registration.link_nonce, SALT)
    return {
        "random": "eyJyIjoxLCJuIjoiYWJjIn0:1rWd8Q:Zm9yZ2VkLXNpZ25hdHVyZQ",
        "empty payload": ":" + signature,
        "altered signature": altered(genuine),
        "other payload, same signature": personal_token(other).rpartition(":")[0] + ":" + signature,
        "signed with another key": wrong_key,
        "another purpose's salt": sign_link(registration.pk, registration.link_nonce, "other"),
        "other id, no nonce": signing.dumps({"r": other.pk}, salt=SALT),
        "truncated": genuine[: len(genuine) // 2],
        "padded": genuine + "=",
        "unsigned payload": payload,
    }


def test_the_genuine_personal_link_opens_every_page(client, wanjiru):
    token = personal_token(wanjiru)
    for page in PAGES:
        assert client.get(page.format(token=token)).status_code == 200, page


def test_forged_and_altered_personal_links_are_refused_everywhere(client, wanjiru, jonas):
    for kind, token in forged_tokens(wanjiru, jonas).items():
        for page in PAGES:
            response = client.get(page.format(token=token))
            assert response.status_code == 404, (kind, page, response.status_code)
            assert b"Wanjiru" not in response.content


def test_a_forged_link_cannot_cancel_or_answer(client, wanjiru, jonas):
    for kind, token in forged_tokens(wanjiru, jonas).items():
        cancel = client.post(f"/en/r/{token}/", {"action": "cancel"})
        answer = client.post(
            f"/en/r/{token}/feedback/a/MM-1/",
            {"support": "5", "comment": "forged", "submission_key": "k" * 32},
        )
        assert (cancel.status_code, answer.status_code) == (404, 404), kind
    wanjiru.refresh_from_db()
    assert wanjiru.is_active()
    assert not Answer.objects.exists()


def test_a_revoked_personal_link_is_refused_and_the_new_one_works(client, wanjiru):
    old = personal_token(wanjiru)

    actions.revoke_personal_link(wanjiru)
    wanjiru.refresh_from_db()

    for page in PAGES:
        assert client.get(page.format(token=old)).status_code == 404, page
    assert client.get(f"/en/r/{personal_token(wanjiru)}/").status_code == 200


@pytest.fixture
def open_submission(demo, before_the_sessions):
    return start_open_submission(
        demo,
        {
            "email": "writer@example.org",
            "organisation": "Writers' Union",
            "stakeholder_group": "civil_society",
            "country": "KE",
            "language": "en",
            "attribution": "chatham_house",
            "consent": True,
        },
        {demo.recommendations.get(code="MM-1"): {"support": 4}},
        submission_key="open-1",
    )


def test_a_tampered_confirmation_link_confirms_nothing(client, open_submission, wanjiru):
    slug = open_submission.consultation.slug
    genuine = confirmation_token(open_submission)
    tampered = {
        "altered signature": altered(genuine),
        "a personal link instead": personal_token(wanjiru),
        "random": "abc:def:ghi",
    }
    for kind, token in tampered.items():
        url = f"/en/c/{slug}/submit/confirm/{token}/"
        assert client.get(url).status_code == 404, kind
        assert client.post(url).status_code == 404, kind
    open_submission.refresh_from_db()
    assert open_submission.confirmed_at is None

    # The genuine link confirms, for the consultation it belongs to only.
    assert (
        client.post(f"/en/c/missing-migrants-rehearsal/submit/confirm/{genuine}/").status_code
        == 404
    )
    assert client.post(f"/en/c/{slug}/submit/confirm/{genuine}/").status_code == 302
    open_submission.refresh_from_db()
    assert open_submission.confirmed_at is not None


def test_a_personal_link_cannot_be_used_as_a_confirmation_link_nor_the_reverse(
    client, open_submission
):
    token = confirmation_token(open_submission)

    assert client.get(f"/en/r/{token}/").status_code == 404


def test_the_api_refuses_forged_personal_tokens_alike(client, wanjiru, jonas):
    assert (
        client.get("/api/v1/me", HTTP_X_PERSONAL_TOKEN=personal_token(wanjiru)).status_code == 200
    )
    refusals = set()
    for kind, token in forged_tokens(wanjiru, jonas).items():
        response = client.get("/api/v1/me", HTTP_X_PERSONAL_TOKEN=token)
        assert response.status_code == 401, kind
        refusals.add(response.content)
    assert len(refusals) == 1, "every forged token gets the same answer"


def test_the_api_refuses_forged_and_revoked_organiser_tokens(client, organiser, demo):
    from consulta.api.tokens import issue_token, revoke_token

    token, secret = issue_token(organiser, "reporting")
    url = f"/api/v1/manage/consultations/{demo.slug}/registrations"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    for forged in (altered(secret), secret[:-4], "cst_" + "0" * 40, secret.upper(), ""):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {forged}")
        assert response.status_code == 401, forged

    revoke_token(token)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_read_only_api_token_cannot_write(client, organiser, demo, wanjiru):
    """Every write operation of the API, tried with a read-only token: refused, nothing
    recorded; the same request with a write token goes through (the control)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consulta.api.tokens import issue_token

    _read, read_secret = issue_token(organiser, "dashboard", scope="read")
    _write, write_secret = issue_token(organiser, "sync", scope="write")
    url = f"/api/v1/manage/consultations/{demo.slug}/sessions/africa/attendance"

    def upload(secret):
        report = SimpleUploadedFile("zoom.csv", b"Name,Email\nWanjiru,wanjiru@example.org\n")
        return client.post(url, {"report": report}, HTTP_AUTHORIZATION=f"Bearer {secret}")

    refused = upload(read_secret)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    wanjiru.refresh_from_db()
    assert wanjiru.attended is None

    assert upload(write_secret).status_code == 200
    wanjiru.refresh_from_db()
    assert wanjiru.attended is True


def test_every_write_operation_of_the_organiser_api_needs_a_write_token(client, organiser, demo):
    """Read from the OpenAPI description, so that a write operation added later is covered."""
    from consulta.api.tokens import issue_token

    _read, secret = issue_token(organiser, "dashboard", scope="read")
    schema = client.get("/api/v1/openapi.json").json()
    writes = [
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete") and "/manage/" in path
    ]
    assert writes
    for path, method in writes:
        concrete = path.replace("{slug}", demo.slug).replace("{key}", "africa")
        response = getattr(client, method)(concrete, {}, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code in (403, 422), (path, method, response.status_code)
