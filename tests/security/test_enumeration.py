"""Nobody can find out from the public pages whether an e-mail address is registered, has sent
a written submission or has an account: the registration form, the open submission form, the
password reset and the login pages answer the same, byte for byte once the CSRF token is set
aside, for a known address and for an unknown one."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from consulta.feedback.submissions import start_open_submission
from consulta.registrations.actions import cancel_registration
from tests.conftest import participant, register

REGISTER = "/en/c/missing-migrants-2024/s/africa/register/"
SUBMIT = "/en/c/missing-migrants-2024/submit/"
KNOWN = "wanjiru@example.org"
UNKNOWN = "nobody.here@example.org"


def comparable(response, said: str = "") -> tuple:
    """What a visitor can observe of a response, without its CSRF token, its nonces, and what
    the visitor typed (`said`, echoed back in the form)."""
    body = response.content.decode()
    if said:
        body = body.replace(said, "…")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r'name="submission_key" value="[^"]*"', "", body)
    body = re.sub(r'nonce="[^"]*"', "", body)
    return (
        response.status_code,
        response.get("Location", ""),
        sorted(response.cookies.keys()),
        body,
    )


def post_and_follow(url, data) -> tuple:
    client = Client()
    first = client.post(url, data)
    then = client.get(first["Location"]) if first.status_code == 302 else None
    return comparable(first), comparable(then) if then is not None else None


@pytest.fixture
def wanjiru(demo, before_the_sessions):
    return register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", KNOWN)


def test_registering_a_known_address_looks_the_same_as_a_new_one(wanjiru):
    known = post_and_follow(REGISTER, participant(email=KNOWN))
    unknown = post_and_follow(REGISTER, participant(email=UNKNOWN))

    assert known[0][0] == 302
    assert known == unknown


def test_the_address_of_a_cancelled_or_waiting_registration_tells_nothing_either(wanjiru, demo):
    cancel_registration(wanjiru)

    cancelled = post_and_follow(REGISTER, participant(email=KNOWN))
    unknown = post_and_follow(REGISTER, participant(email="someone.else@example.org"))

    assert cancelled == unknown


def test_a_bad_form_with_a_known_address_gets_the_same_errors(wanjiru):
    known = Client().post(REGISTER, participant(email=KNOWN, consent=""))
    unknown = Client().post(REGISTER, participant(email=UNKNOWN, consent=""))

    assert known.status_code == 400
    assert comparable(known, KNOWN) == comparable(unknown, UNKNOWN)


def submission(email) -> dict:
    return {
        "email": email,
        "organisation": "Sahel Families of the Missing",
        "stakeholder_group": "civil_society",
        "country": "SN",
        "language": "en",
        "attribution": "chatham_house",
        "consent": "on",
        "website": "",
        "submission_key": "a-submission-key-of-some-length",
        "MM-1-support": "5",
    }


def test_an_open_submission_from_a_known_address_looks_the_same(wanjiru, demo):
    start_open_submission(
        demo,
        {
            "email": "writer@example.org",
            "organisation": "Writers",
            "stakeholder_group": "other",
            "country": "FR",
            "language": "en",
            "attribution": "chatham_house",
            "consent": True,
        },
        {demo.recommendations.get(code="MM-1"): {"support": 2}},
        submission_key="earlier",
    )
    results = []
    for email in (KNOWN, "writer@example.org", UNKNOWN):
        data = submission(email) | {"submission_key": f"key-for-{email}"}
        results.append(post_and_follow(SUBMIT, data))

    assert results[0][0][0] == 302
    assert results[0] == results[1] == results[2]


def test_the_password_reset_says_the_same_for_an_account_and_for_nobody(db):
    get_user_model().objects.create_user("amina", "amina@secretariat.example", "a long password")

    known = post_and_follow("/en/manage/password-reset/", {"email": "amina@secretariat.example"})
    unknown = post_and_follow("/en/manage/password-reset/", {"email": UNKNOWN})

    assert known == unknown


def test_the_login_pages_say_the_same_for_a_wrong_password_and_an_unknown_user(db):
    get_user_model().objects.create_user("kofi.moderator", password="the right password")
    for url in ("/en/manage/capture/login/", "/admin/login/"):
        wrong = Client().post(url, {"username": "kofi.moderator", "password": "wrong"})
        nobody = Client().post(url, {"username": "nobody.at.all", "password": "wrong"})
        assert wrong.status_code == 200
        assert comparable(wrong, "kofi.moderator") == comparable(nobody, "nobody.at.all"), url
