"""Accounts: argon2 hashing, lock-out after failed logins, two-factor login (required for
administrators), session expiry, logout, password reset that a forged Host cannot poison,
allowed hosts, and `next` parameters that only lead to this site's own pages."""

import logging
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import log_in_verified

PASSWORD = "a long and private password"
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:evil.example",
    "/\t/evil.example",
]


@pytest.fixture
def users(db):
    return get_user_model().objects


@pytest.fixture
def kofi(users):
    """A moderator: an ordinary account."""
    return users.create_user("kofi.moderator", "kofi@example.org", PASSWORD)


@pytest.fixture
def ada(users):
    """A platform administrator."""
    return users.create_superuser("ada.administrator", "ada@secretariat.example", PASSWORD)


@pytest.fixture
def staff(users):
    """An organiser: staff, no administrator (as the demo's `organiser`)."""
    return users.create_user("omar.organiser", "omar@secretariat.example", PASSWORD, is_staff=True)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def clock():
    """A clock that moves only when told to (each TOTP code is accepted once)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def capture_login(client, username, password, **extra):
    return client.post(
        reverse("capture-login"), {"username": username, "password": password, **extra}, **{}
    )


def admin_login(client, username, password, next_url="/admin/"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": next_url}
    )


def logged_in_as(client):
    return client.get(reverse("two-factor")).status_code == 200


# --- hashing --------------------------------------------------------------------------------


def test_production_settings_hash_with_argon2_and_keep_older_hashers_to_upgrade():
    import consulta.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS[1:]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_login_upgrades_an_old_hash_to_argon2(client, users):
    old = users.create_user("kofi.moderator", "kofi@example.org")
    old.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    old.save()

    response = capture_login(client, "kofi.moderator", PASSWORD)

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.password.startswith("argon2")
    assert old.check_password(PASSWORD)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_new_password_is_stored_as_an_argon2_hash(users):
    user = users.create_user("new.moderator", "new@example.org", PASSWORD)
    assert user.password.startswith("argon2$argon2id$")


# --- lock-out -------------------------------------------------------------------------------


def fail(client, username, times, login=capture_login):
    for _ in range(times):
        response = login(client, username, "not the password")
        assert response.status_code == 200  # the form again, with its error
    return response


def test_a_wrong_password_shows_the_form_again_with_an_error(client, kofi):
    response = fail(client, "kofi.moderator", 1)
    assert b"correct username and password" in response.content


def test_five_failures_lock_the_username_out_from_that_address_even_with_the_right_password(
    client, kofi
):
    fail(client, "kofi.moderator", 4)
    fifth = capture_login(client, "kofi.moderator", "not the password")
    assert fifth.status_code == 429
    assert b"paused for 30 minutes" in fifth.content

    right = capture_login(client, "kofi.moderator", PASSWORD)

    assert right.status_code == 429
    assert not logged_in_as(client)
    # From another address, the account still logs in.
    elsewhere = Client(REMOTE_ADDR="192.0.2.77")
    assert capture_login(elsewhere, "kofi.moderator", PASSWORD).status_code == 302


def test_the_lock_out_page_is_the_same_whether_the_account_exists(client, kofi):
    fail(client, "kofi.moderator", 4)
    fail(client, "nobody.here", 4)

    existing = capture_login(client, "kofi.moderator", "not the password")
    unknown = capture_login(client, "nobody.here", "not the password")

    assert existing.status_code == unknown.status_code == 429
    assert existing.content == unknown.content
    assert b"kofi" not in existing.content


def test_the_admin_login_locks_out_too(client, staff):
    fail(client, "omar.organiser", 4, login=admin_login)
    assert admin_login(client, "omar.organiser", "not the password").status_code == 429
    assert admin_login(client, "omar.organiser", PASSWORD).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_lock_out_ends_after_30_minutes(client, kofi):
    fail(client, "kofi.moderator", 4)
    assert capture_login(client, "kofi.moderator", "not the password").status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert capture_login(client, "kofi.moderator", PASSWORD).status_code == 302


def test_a_successful_login_starts_the_count_again(client, kofi):
    fail(client, "kofi.moderator", 4)
    assert capture_login(client, "kofi.moderator", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "kofi.moderator", 4)
    assert capture_login(client, "kofi.moderator", PASSWORD).status_code == 302


def test_lock_out_logs_name_neither_the_username_nor_the_address(client, kofi, caplog):
    with caplog.at_level(logging.DEBUG):
        fail(client, "kofi.moderator", 4)
        capture_login(client, "kofi.moderator", "not the password")
    assert "AXES" in caplog.text
    assert "kofi" not in caplog.text
    assert "127.0.0.1" not in caplog.text


# --- two-factor: enrolment --------------------------------------------------------------------


def test_any_user_may_enrol_an_app_with_a_qr_code_drawn_on_the_server(client, kofi, clock):
    client.force_login(kofi)
    page = client.get(reverse("two-factor-enrol"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "otpauth://totp/Consulta%3Akofi.moderator?secret=" in html
    assert re.search(r"<figure[^>]*><svg[^>]*>.*<path ", html, re.S)
    assert "<script>" not in html and "<?xml" not in html
    assert "no-store" in page["Cache-Control"]
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    device = TOTPDevice.objects.get(user=kofi)
    assert not device.confirmed
    # Reloading shows the same secret: a code already scanned keeps working.
    again = client.get(reverse("two-factor-enrol")).content.decode()
    assert again.count(device.config_url.replace("&", "&amp;")) == 1

    refused = client.post(reverse("two-factor-enrol"), {"code": wrong_code(device)})
    assert refused.status_code == 400
    assert b"That code is not right" in refused.content
    assert not TOTPDevice.objects.get(user=kofi).confirmed

    clock.shift(60)
    confirmed = client.post(reverse("two-factor-enrol"), {"code": code_of(device)})

    assert confirmed.status_code == 302
    assert TOTPDevice.objects.get(user=kofi).confirmed
    status = client.get(reverse("two-factor")).content.decode()
    assert "Two-factor login is on" in status


def test_a_code_that_is_not_six_digits_is_refused_with_a_clear_message(client, kofi):
    client.force_login(kofi)
    client.get(reverse("two-factor-enrol"))
    response = client.post(reverse("two-factor-enrol"), {"code": "12ab"})
    assert response.status_code == 400
    assert b"The code is 6 digits" in response.content
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_the_enrolment_page_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("two-factor-enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("capture-login"))


# --- two-factor: logging in -------------------------------------------------------------------


def test_an_account_with_a_device_logs_in_with_password_then_code(client, kofi, clock):
    device = device_for(kofi)
    target = reverse("capture-sessions")

    first = capture_login(client, "kofi.moderator", PASSWORD, next=target)

    assert first.status_code == 302
    assert first["Location"] == reverse("two-factor-verify")
    assert not logged_in_as(client)
    refused = client.post(reverse("two-factor-verify"), {"code": wrong_code(device)})
    assert refused.status_code == 400
    assert b"That code is not right" in refused.content
    assert not logged_in_as(client)

    clock.shift(60)
    second = client.post(reverse("two-factor-verify"), {"code": code_of(device)})

    assert second.status_code == 302
    assert second["Location"] == target
    assert logged_in_as(client)


def test_wrong_codes_count_towards_the_lock_out(client, kofi):
    device = device_for(kofi)
    capture_login(client, "kofi.moderator", PASSWORD)
    for _ in range(4):
        device.refresh_from_db()
        device.throttle_reset()  # the device's own back-off aside, axes counts the failures
        client.post(reverse("two-factor-verify"), {"code": wrong_code(device)})
    device.throttle_reset()
    assert (
        client.post(reverse("two-factor-verify"), {"code": wrong_code(device)}).status_code == 429
    )
    assert client.post(reverse("two-factor-verify"), {"code": code_of(device)}).status_code == 429
    assert not logged_in_as(client)


def test_the_device_slows_down_repeated_wrong_codes(client, kofi):
    device = device_for(kofi)
    capture_login(client, "kofi.moderator", PASSWORD)
    client.post(reverse("two-factor-verify"), {"code": wrong_code(device)})
    response = client.post(reverse("two-factor-verify"), {"code": code_of(device)})
    assert response.status_code == 400
    assert b"Too many wrong codes in a row" in response.content


def test_a_password_waiting_for_its_code_expires_after_ten_minutes(client, kofi):
    device = device_for(kofi)
    capture_login(client, "kofi.moderator", PASSWORD)
    with time_machine.travel(time.time() + 11 * 60):
        response = client.post(reverse("two-factor-verify"), {"code": code_of(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("capture-login")
    assert not logged_in_as(client)
    again = client.get(response["Location"]).content.decode()
    assert "the page waiting for your code has expired" in again


def test_a_held_login_cannot_enrol_a_second_device(client, kofi):
    device_for(kofi)
    capture_login(client, "kofi.moderator", PASSWORD)
    response = client.get(reverse("two-factor-enrol"))
    assert response["Location"] == reverse("two-factor-verify")
    assert TOTPDevice.objects.filter(user=kofi).count() == 1


def test_an_administrator_without_a_device_must_enrol_before_the_admin_opens(client, ada, clock):
    response = admin_login(client, "ada.administrator", PASSWORD)

    assert response["Location"] == reverse("two-factor-enrol")
    assert not logged_in_as(client)
    assert client.get(reverse("admin:index")).status_code == 302
    page = client.get(reverse("two-factor-enrol"))
    assert b"Administrators must use two-factor login" in page.content
    device = TOTPDevice.objects.get(user=ada)

    clock.shift(60)
    done = client.post(reverse("two-factor-enrol"), {"code": code_of(device)})

    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_capture_login_holds_an_administrator_without_a_device_too(client, ada):
    response = capture_login(client, "ada.administrator", PASSWORD)
    assert response["Location"] == reverse("two-factor-enrol")
    assert not logged_in_as(client)


def test_an_administrator_with_a_device_gives_the_code_at_the_admin_login(client, ada, clock):
    device = device_for(ada)
    response = admin_login(client, "ada.administrator", PASSWORD)
    assert response["Location"] == reverse("two-factor-verify")
    assert client.get(reverse("admin:index")).status_code == 302

    clock.shift(60)
    verified = client.post(reverse("two-factor-verify"), {"code": code_of(device)})

    assert verified["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_refuses_an_administrator_session_not_verified_by_a_device(client, ada):
    client.force_login(ada)
    assert client.get(reverse("admin:index")).status_code == 302
    assert log_in_verified(Client(), ada).get(reverse("admin:index")).status_code == 200


def test_an_organiser_without_a_device_logs_in_to_the_admin_with_the_password_alone(client, staff):
    response = admin_login(client, "omar.organiser", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_user_turns_two_factor_off_with_a_current_code_but_an_administrator_cannot(
    client, kofi, ada, clock
):
    device = device_for(kofi)
    client.force_login(kofi)
    refused = client.post(reverse("two-factor"), {"code": wrong_code(device)})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=kofi).exists()
    clock.shift(60)
    assert client.post(reverse("two-factor"), {"code": code_of(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=kofi).exists()

    admin_device = device_for(ada)
    administrator = log_in_verified(Client(), ada)
    clock.shift(60)
    administrator.post(reverse("two-factor"), {"code": code_of(admin_device)})
    assert TOTPDevice.objects.filter(user=ada, confirmed=True).exists()


# --- sessions and logout --------------------------------------------------------------------


def test_a_login_lasts_eight_hours_at_most_and_ends_with_the_browser(client, kofi):
    response = capture_login(client, "kofi.moderator", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert logged_in_as(client)

    with time_machine.travel(timezone.now() + timedelta(hours=7, minutes=50)):
        assert logged_in_as(client)
    with time_machine.travel(timezone.now() + timedelta(hours=8, minutes=1)):
        assert not logged_in_as(client)


def test_co_lead_and_moderator_pages_have_a_log_out_button_that_posts(client, kofi):
    client.force_login(kofi)
    page = client.get(reverse("two-factor")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert "Log out" in page

    assert client.get(reverse("logout")).status_code == 405
    assert logged_in_as(client)
    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("home")
    assert not logged_in_as(client)


def test_logging_out_needs_the_csrf_token(kofi):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(kofi)
    assert browser.post(reverse("logout")).status_code == 403
    assert logged_in_as(browser)


def test_public_pages_show_no_log_out_button_to_visitors(client, db):
    assert "Log out" not in client.get(reverse("home")).content.decode()


# --- password reset ---------------------------------------------------------------------------


@override_settings(
    SITE_URL="https://consulta.example.org",
    ALLOWED_HOSTS=["testserver", "evil.example"],
)
def test_a_forged_host_cannot_poison_the_reset_link(client, kofi):
    response = client.post(
        reverse("password_reset"), {"email": "kofi@example.org"}, HTTP_HOST="evil.example"
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "evil.example" not in body + mail.outbox[0].subject
    links = re.findall(r"https?://\S+", body)
    assert links and all(
        link.startswith("https://consulta.example.org/en/manage/password-reset/") for link in links
    )


def test_the_reset_answer_is_the_same_whether_the_address_has_an_account(client, kofi):
    known = client.post(reverse("password_reset"), {"email": "kofi@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kofi@example.org"]
    page = client.get(unknown["Location"]).content.decode()
    assert "If an account uses this address" in page


def test_a_bad_address_is_refused_with_a_message_and_sends_nothing(client, kofi):
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not mail.outbox


def test_the_reset_link_sets_a_new_password_once(client, kofi):
    client.post(reverse("password_reset"), {"email": "kofi@example.org"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    new = "another long private password"
    mismatch = client.post(set_url, {"new_password1": new, "new_password2": "different"})
    assert mismatch.status_code == 200
    assert b"didn" in mismatch.content  # "The two password fields didn't match."
    done = client.post(set_url, {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    kofi.refresh_from_db()
    assert kofi.check_password(new)
    assert b"This link no longer works" in client.get(link, follow=True).content


# --- hosts and redirects ----------------------------------------------------------------------


def test_a_host_that_is_not_allowed_gets_400(client, db):
    assert client.get("/en/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/en/", HTTP_HOST="testserver").status_code == 200


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_login_pages_never_send_anyone_to_another_site(client, kofi, staff, target):
    moderator = capture_login(client, "kofi.moderator", PASSWORD, next=target)
    organiser = admin_login(Client(), "omar.organiser", PASSWORD, next_url=target)

    assert moderator["Location"] == reverse("capture-sessions")
    assert organiser["Location"] == reverse("admin:index")


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_two_factor_steps_never_send_anyone_to_another_site(client, kofi, target, clock):
    device = device_for(kofi)
    capture_login(client, "kofi.moderator", PASSWORD, next=target)
    clock.shift(60)
    response = client.post(reverse("two-factor-verify"), {"code": code_of(device)})
    assert response["Location"] == reverse("capture-sessions")


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_logout_and_the_language_switch_never_send_anyone_to_another_site(client, kofi, target, db):
    client.force_login(kofi)
    assert client.post(reverse("logout"), {"next": target})["Location"] == reverse("home")
    switched = client.post("/i18n/setlang/", {"language": "fr", "next": target})
    assert switched["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_time_zone_form_never_redirects(client, db, target):
    response = client.get("/en/", {"tz": "Asia/Bangkok", "next": target, "return": target})
    assert response.status_code == 200


def test_a_next_path_of_this_site_is_followed(client, kofi):
    target = reverse("two-factor") + "?from=login"
    assert capture_login(client, "kofi.moderator", PASSWORD, next=target)["Location"] == target
