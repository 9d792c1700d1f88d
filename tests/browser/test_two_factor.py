"""Two-factor login in a real browser: an administrator without a device logs in to the admin,
is taken to the enrolment page (QR code drawn as inline SVG under the page's CSP), types the
code of the app and lands in the admin; at the next login the admin asks for the code. axe
finds no serious or critical problem on the account pages, in English and in Arabic."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import describe_violations, run_axe

PASSWORD = "a long administrator password"


def code_of(device) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:06d}"


@pytest.fixture
def ada(transactional_db):
    return get_user_model().objects.create_superuser(
        "ada.administrator", "ada@example.org", PASSWORD
    )


def admin_login(page, site):
    page.goto(f"{site.url}/admin/")
    page.locator("#id_username").fill("ada.administrator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


def test_an_administrator_enrols_at_first_login_then_gives_the_code_at_the_next(
    site, ada, new_page
):
    page = new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    admin_login(page, site)

    page.wait_for_url(f"{site.url}{reverse('two-factor-enrol')}")
    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    expect(page.locator("figure.qr svg path")).to_be_visible()
    expect(page.locator("#secret")).not_to_be_empty()
    device = TOTPDevice.objects.get(user=ada)
    page.locator("#id_code").fill(code_of(device))
    page.locator("#id_code").press("Enter")

    page.wait_for_url(f"{site.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]

    page.context.clear_cookies()
    admin_login(page, site)
    page.wait_for_url(f"{site.url}{reverse('two-factor-verify')}")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same 30 seconds again
    page.locator("#id_code").fill(code_of(device))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(f"{site.url}/admin/")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_account_pages_have_no_serious_accessibility_violation(site, ada, new_page, language):
    with translation.override(language):
        pages = {
            "password reset": reverse("password_reset"),
            "reset sent": reverse("password_reset_done"),
            "enrolment": reverse("two-factor-enrol"),
            "settings": reverse("two-factor"),
        }
    page = new_page(locale=language, bypass_csp=True)
    page.context.add_init_script("sessionStorage.setItem('consulta-zone-proposed', '1')")
    admin_login(page, site)
    page.wait_for_url(site.url + pages["enrolment"])  # in the browser's language
    for name, path in pages.items():
        if name == "settings":
            device = TOTPDevice.objects.get(user=ada)
            page.goto(site.url + pages["enrolment"])
            page.locator("#id_code").fill(code_of(device))
            page.locator("#id_code").press("Enter")
        response = page.goto(site.url + path)
        assert response is not None and response.ok, f"{name}: HTTP {response.status}"
        violations = run_axe(page)
        assert not violations, f"{name} ({language}):\n{describe_violations(violations)}"
