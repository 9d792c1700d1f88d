"""The organiser's registration pages: counts, filters and search, attendance by hand and
attendance rates; only organisers get in, and lists cost the same queries however long."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.permissions import is_organiser
from consulta.registrations.actions import cancel_registration
from consulta.registrations.models import Registration
from tests.conftest import REGISTRATIONS_OPEN, register


@pytest.fixture
def cast(demo):
    """Three participants from Africa (one of whom cancelled) and one from Europe."""
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    people = {
        "amina": register(africa, "Amina", "Diallo", "amina@example.org", language="fr"),
        "kofi": register(
            africa,
            "Kofi",
            "Mensah",
            "kofi@example.org",
            country="GH",
            stakeholder_group="academia",
            organisation="University of Ghana",
            language="en",
        ),
        "fatou": register(africa, "Fatou", "Sow", "fatou@example.org", country="SN"),
        "lena": register(
            europe,
            "Lena",
            "Ivanova",
            "lena@example.org",
            country="MD",
            stakeholder_group="member_state",
            organisation="Ministry of Internal Affairs",
            language="ru",
            timezone="Europe/Chisinau",
        ),
    }
    cancel_registration(people["fatou"], now=REGISTRATIONS_OPEN)
    return people


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("omar.outsider", "omar@example.org", "pw-12345")


def list_url(consultation, query: str = "") -> str:
    url = reverse("manage-registrations", args=[consultation.slug])
    return f"{url}?{query}" if query else url


def listed(response) -> list[str]:
    return [registration.email for registration in response.context["page"]]


def counts(response, kind: str) -> dict[str, int]:
    return {str(label): n for label, n in response.context["counts"][kind]}


def test_the_registrations_page_counts_by_session_group_country_and_language(
    organiser_client, demo, cast
):
    response = organiser_client.get(list_url(demo))

    assert response.status_code == 200
    assert counts(response, "session") == {"Africa": 3, "Europe": 1}
    assert counts(response, "group") == {
        "Civil society": 2,
        "Academia": 1,
        "Member State": 1,
    }
    assert counts(response, "country") == {
        "Kenya": 1,
        "Ghana": 1,
        "Senegal": 1,
        "Moldova, Republic of": 1,
    }
    assert counts(response, "language") == {"French": 2, "English": 1, "Russian": 1}
    page = response.content.decode()
    assert "By stakeholder group" in page
    assert '<th scope="row">Academia</th><td>1</td>' in page


def test_the_counts_of_one_session_leave_out_the_others(organiser_client, demo, cast):
    response = organiser_client.get(list_url(demo, "session=europe"))

    assert counts(response, "session") == {"Europe": 1}
    assert counts(response, "language") == {"Russian": 1}
    assert listed(response) == ["lena@example.org"]


@pytest.mark.parametrize(
    ("query", "emails"),
    [
        ("session=africa", ["amina@example.org", "kofi@example.org", "fatou@example.org"]),
        ("status=cancelled", ["fatou@example.org"]),
        ("status=confirmed&session=africa", ["amina@example.org", "kofi@example.org"]),
        ("group=academia", ["kofi@example.org"]),
        ("country=MD", ["lena@example.org"]),
        ("language=fr", ["amina@example.org", "fatou@example.org"]),
        ("attended=yes", ["kofi@example.org"]),
        ("attended=no", ["lena@example.org"]),
        ("attended=unknown", ["amina@example.org", "fatou@example.org"]),
        ("q=ghana", ["kofi@example.org"]),
        ("q=LENA%40example", ["lena@example.org"]),
        ("q=amina+diallo", ["amina@example.org"]),
        ("q=Ministry", ["lena@example.org"]),
        ("q=nobody", []),
    ],
)
def test_filters_and_search_narrow_the_list(organiser_client, demo, cast, query, emails):
    Registration.objects.filter(email="kofi@example.org").update(attended=True)
    Registration.objects.filter(email="lena@example.org").update(attended=False)

    response = organiser_client.get(list_url(demo, query))

    assert sorted(listed(response)) == sorted(emails)
    assert response.context["total"] == len(emails)


def test_a_filter_that_makes_no_sense_is_reported_and_ignored(organiser_client, demo, cast):
    response = organiser_client.get(list_url(demo, "status=lost&country=KE"))

    assert response.status_code == 200
    assert listed(response) == ["amina@example.org"]
    assert "Select a valid choice" in response.content.decode()


def test_every_filter_has_a_label(organiser_client, demo, cast):
    page = organiser_client.get(list_url(demo)).content.decode()

    for name in ("session", "status", "group", "country", "language", "attended", "q"):
        assert f'<label for="id_{name}">' in page


def test_the_list_makes_as_many_queries_for_many_registrations_as_for_one(organiser_client, demo):
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert organiser_client.get(list_url(demo)).status_code == 200
            organiser_client.get(reverse("manage-consultation", args=[demo.slug]))
            organiser_client.get(reverse("manage-home"))
        return len(captured)

    register(africa, "Amina", "Diallo", "amina@example.org")
    one = queries()
    for n in range(6):
        register(africa if n % 2 else europe, "P", str(n), f"p{n}@example.org", language="en")
    assert queries() == one


def mark_url(registration) -> str:
    return reverse(
        "manage-attendance-mark", args=[registration.session.consultation.slug, registration.pk]
    )


def test_an_organiser_marks_attendance_by_hand(organiser_client, demo, cast):
    amina = cast["amina"]
    back = list_url(demo, "session=africa")

    response = organiser_client.post(mark_url(amina), {"attended": "yes", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    amina.refresh_from_db()
    assert (amina.attended, amina.attendance_source) == (True, "marked by hand")

    organiser_client.post(mark_url(amina), {"attended": "no"})
    amina.refresh_from_db()
    assert amina.attended is False

    organiser_client.post(mark_url(amina), {"attended": "unknown"})
    amina.refresh_from_db()
    assert (amina.attended, amina.attendance_source) == (None, "")


def test_marking_attendance_refuses_a_nonsense_answer(organiser_client, demo, cast):
    response = organiser_client.post(mark_url(cast["amina"]), {"attended": "maybe"}, follow=True)

    assert "Choose whether the participant attended." in response.content.decode()
    assert Registration.objects.get(email="amina@example.org").attended is None


def test_marking_attendance_never_sends_the_organiser_to_another_site(organiser_client, demo, cast):
    response = organiser_client.post(
        mark_url(cast["amina"]), {"attended": "yes", "next": "https://evil.example/"}
    )

    assert response["Location"] == list_url(demo)


def test_marking_attendance_needs_a_post_with_a_csrf_token(organiser, demo, cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(organiser)

    assert browser.get(mark_url(cast["amina"])).status_code == 405
    assert browser.post(mark_url(cast["amina"]), {"attended": "yes"}).status_code == 403
    assert Registration.objects.get(email="amina@example.org").attended is None


def test_the_list_offers_a_csrf_protected_form_to_mark_attendance(organiser_client, demo, cast):
    page = organiser_client.get(list_url(demo, "session=europe")).content.decode()

    assert f'action="{mark_url(cast["lena"])}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'aria-label="Attended: Lena Ivanova"' in page


def test_a_registration_of_another_consultation_cannot_be_marked(organiser_client, demo, cast):
    url = reverse("manage-attendance-mark", args=["another-consultation", cast["amina"].pk])

    assert organiser_client.post(url, {"attended": "yes"}).status_code == 404


def test_the_consultation_page_shows_each_sessions_attendance_rate(organiser_client, demo, cast):
    africa = demo.sessions.get(key="africa")
    for n in range(2):
        register(africa, "P", str(n), f"p{n}@example.org")
    Registration.objects.filter(email__in=["amina@example.org", "p0@example.org"]).update(
        attended=True
    )
    Registration.objects.filter(email="fatou@example.org").update(attended=True)  # cancelled

    response = organiser_client.get(reverse("manage-consultation", args=[demo.slug]))

    rates = {s.key: (s.attended_count, s.confirmed, s.rate) for s in response.context["sessions"]}
    assert rates["africa"] == (2, 4, 50)
    assert rates["europe"] == (0, 1, 0)
    assert rates["asia-pacific"] == (0, 0, None)
    assert response.context["totals"]["rate"] == 40
    page = response.content.decode()
    assert "<td>50%</td>" in page
    assert "<td>40%</td>" in page


def test_the_organiser_home_lists_the_consultations(organiser_client, demo, cast):
    response = organiser_client.get(reverse("manage-home"))

    assert response.status_code == 200
    assert reverse("manage-consultation", args=[demo.slug]) in response.content.decode()


def organiser_urls(demo, registration) -> list[tuple[str, str]]:
    """Every organiser URL of registrations and attendance, with the method it answers."""
    slug = demo.slug
    return [
        ("get", reverse("manage-home")),
        ("get", reverse("manage-consultation", args=[slug])),
        ("get", reverse("manage-registrations", args=[slug])),
        ("get", reverse("manage-registrations-export", args=[slug, "csv"])),
        ("get", reverse("manage-registrations-export", args=[slug, "xlsx"])),
        ("post", reverse("manage-attendance-mark", args=[slug, registration.pk])),
        ("get", reverse("manage-attendance-import", args=[slug, "africa"])),
        ("post", reverse("manage-attendance-import", args=[slug, "africa"])),
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page_from_every_organiser_url(
    client, demo, cast
):
    for method, url in organiser_urls(demo, cast["amina"]):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url


def test_an_outsider_gets_403_on_every_organiser_url(client, outsider, demo, cast):
    client.force_login(outsider)

    for method, url in organiser_urls(demo, cast["amina"]):
        assert getattr(client, method)(url, {"attended": "yes"}).status_code == 403, url
    assert Registration.objects.get(email="amina@example.org").attended is None


def test_an_outsider_cannot_see_the_registrations(client, outsider, demo, cast):
    client.force_login(outsider)

    response = client.get(list_url(demo))

    assert response.status_code == 403
    assert b"amina@example.org" not in response.content


def test_only_an_active_account_with_an_organiser_role_is_an_organiser(demo, organiser, outsider):
    assert is_organiser(organiser)
    assert not is_organiser(outsider)
    outsider.is_staff = True  # staff status alone is not a role
    assert not is_organiser(outsider)
    assert not is_organiser(AnonymousUser())
    organiser.is_active = False
    assert not is_organiser(organiser)
