"""The permission matrix: every route of consulta.urls, requested as every role, is allowed or
refused exactly as the table below says. A route without a rule fails the suite, so a new view
cannot ship without someone deciding who may use it.

How to add a rule: put the route's name (with its namespace, e.g. "api-v1:list_registrations")
in `RULES` with who may use it (`PUBLIC`, `ORGANISERS` …) and, if it answers POST only,
`post(...)`. If its address needs a value the world below does not have yet, add it to
`PARAMETERS` (by parameter name) or `OVERRIDES` (by route name). API routes use the role's
credentials as headers (`X-Personal-Token` for the participant, an API token for accounts).

The Django admin is left out: Django's own permissions guard it, and
`test_the_admin_shows_an_organiser_only_their_consultations` below checks its scoping.

The cast, in the demo consultation `missing-migrants-2024` unless said otherwise:

- anonymous: nobody signed in.
- participant: Wanjiru, registered for the Africa session; her personal link is her only
  credential (no account), so on pages she is anonymous with her link.
- moderator: Kofi, assigned to the Africa session; moderator_elsewhere: Lucía, assigned to
  the Europe session only.
- co_lead: Kwame, co-lead of pillar MM; co_lead_other_pillar: Hana, co-lead of pillar HA.
- organiser: Amina, organiser of the demo consultation; organiser_elsewhere: Omar, organiser
  of another consultation (`other-round`, published) only.
- administrator: Ada, an active superuser.
"""

import copy
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from consulta.access.actions import grant_organiser
from consulta.consultations.models import Consultation
from consulta.definitions.loader import load_text
from consulta.feedback.models import CapturedPoint, Channel, Respondent, SessionModerator
from consulta.feedback.submissions import confirmation_token
from consulta.registrations.links import personal_token
from consulta.revisions.models import PillarCoLead
from tests.conftest import EUROPEAN, as_yaml, register

ROLES = (
    "anonymous",
    "participant",
    "moderator",
    "moderator_elsewhere",
    "co_lead",
    "co_lead_other_pillar",
    "organiser",
    "organiser_elsewhere",
    "administrator",
)

PUBLIC = frozenset(ROLES)
# Pages opened by a personal link: the link is the credential, whoever holds it.
LINK_HOLDERS = PUBLIC
PARTICIPANT = frozenset({"participant"})
ORGANISERS = frozenset({"organiser", "administrator"})
ANY_ORGANISER = ORGANISERS | {"organiser_elsewhere"}
SYNTHESIS_READERS = ORGANISERS | {"co_lead", "co_lead_other_pillar"}
REVISERS = ORGANISERS | {"co_lead"}
CAPTURERS = ORGANISERS | {"moderator"}
ANY_CAPTURER = CAPTURERS | {"moderator_elsewhere", "organiser_elsewhere"}
POINT_AUTHOR = frozenset({"moderator"})
ACCOUNTS = PUBLIC - {"anonymous", "participant"}
ADMINISTRATOR = frozenset({"administrator"})
NOBODY = frozenset()


@dataclass(frozen=True)
class Rule:
    allowed: frozenset
    method: str = "get"


def post(allowed) -> Rule:
    return Rule(allowed, "post")


RULES = {
    # Public pages, calendars, languages.
    "home": Rule(PUBLIC),
    "privacy": Rule(PUBLIC),
    "consultation": Rule(PUBLIC),
    "session": Rule(PUBLIC),
    "register": Rule(PUBLIC),
    "consultation-calendar": Rule(PUBLIC),
    "session-calendar": Rule(PUBLIC),
    "set_language": post(PUBLIC),
    "report": Rule(PUBLIC),  # the other consultation's, published
    "healthz": Rule(PUBLIC),
    # Open written submissions (the confirmation page takes the e-mailed link).
    "open-submission": Rule(PUBLIC),
    "open-submission-sent": Rule(PUBLIC),
    "open-submission-confirm": Rule(LINK_HOLDERS),
    # The participant's personal link.
    "personal": Rule(LINK_HOLDERS),
    "personal-invitation": Rule(LINK_HOLDERS),
    "personal-data": Rule(LINK_HOLDERS),
    "personal-erase": Rule(LINK_HOLDERS),  # the e-mailed erasure link
    "participant_feedback:overview": Rule(LINK_HOLDERS),
    "participant_feedback:pillar": Rule(LINK_HOLDERS),
    "participant_feedback:answer": Rule(LINK_HOLDERS),
    "participant_feedback:summary": Rule(LINK_HOLDERS),
    "participant_feedback:prioritise": Rule(LINK_HOLDERS),
    # Live capture: organisers of the consultation and the session's moderators.
    "capture-login": Rule(PUBLIC),
    "capture-sessions": Rule(ANY_CAPTURER),
    "capture": Rule(CAPTURERS),
    "capture-points": Rule(CAPTURERS),
    "capture-edit": Rule(POINT_AUTHOR),
    "capture-delete": Rule(POINT_AUTHOR),
    # Organiser pages.
    "manage-home": Rule(ANY_ORGANISER),
    "manage-consultation": Rule(ORGANISERS),
    "manage-registrations": Rule(ORGANISERS),
    "manage-registrations-export": Rule(ORGANISERS),
    "manage-attendance-mark": post(ORGANISERS),
    "manage-attendance-import": Rule(ORGANISERS),
    "manage-feedback": Rule(ORGANISERS),
    "manage-feedback-close": Rule(ORGANISERS),
    "manage-feedback-import": Rule(ORGANISERS),
    "manage-feedback-import-template": Rule(ORGANISERS),
    "manage-feedback-hide": Rule(ORGANISERS),
    "manage-feedback-show": post(ORGANISERS),
    "manage-report": Rule(ORGANISERS),
    "manage-report-publish": post(ORGANISERS),
    "manage-report-withdraw": post(ORGANISERS),
    "manage-report-prepare": post(ORGANISERS),
    "manage-report-rendering": Rule(ORGANISERS),
    "jobs": Rule(ANY_ORGANISER),
    "job-retry": post(ORGANISERS),
    # Synthesis and revisions: organisers and co-leads (co-leads revise their pillar only).
    "manage-synthesis": Rule(SYNTHESIS_READERS),
    "manage-synthesis-recommendation": Rule(SYNTHESIS_READERS),
    "revisions": Rule(SYNTHESIS_READERS),
    "revisions-revise": Rule(REVISERS),
    "revisions-keep": post(REVISERS),
    "revisions-versions": Rule(REVISERS),
    # API tokens are personal: every organiser manages their own.
    "manage-api-tokens": Rule(ANY_ORGANISER),
    "manage-api-token-revoke": post({"organiser"}),  # Amina's own token
    # Accounts: signing out, two-factor settings, password reset.
    "logout": post(PUBLIC),
    "two-factor": Rule(ACCOUNTS),
    "two-factor-enrol": Rule(ACCOUNTS),
    # Only halfway through signing in (password accepted, code not yet given); anyone else is
    # sent to the login page.
    "two-factor-verify": Rule(NOBODY),
    "password_reset": Rule(PUBLIC),
    "admin_password_reset": Rule(PUBLIC),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(PUBLIC),
    "password_reset_complete": Rule(PUBLIC),
    # The audit trail: platform administrators only.
    "audit-trail": Rule(ADMINISTRATOR),
    "audit-export": Rule(ADMINISTRATOR),
    # --- the REST API (/api/v1/): one rule per route name, "api-v1:<name>" ------------------
    "api-v1:api-root": Rule(NOBODY),  # nothing there: 404 for everyone
    "api-v1:openapi-json": Rule(PUBLIC),
    "api-v1:openapi-view": Rule(PUBLIC),
    "api-v1:list_consultations": Rule(PUBLIC),
    "api-v1:get_consultation": Rule(PUBLIC),
    "api-v1:list_sessions": Rule(PUBLIC),
    "api-v1:get_programme": Rule(PUBLIC),
    "api-v1:list_recommendations": Rule(PUBLIC),
    "api-v1:get_recommendation": Rule(PUBLIC),
    # Published figures only: the fixture's consultation has no published report.
    "api-v1:get_synthesis": Rule(NOBODY),
    "api-v1:get_managed_synthesis": Rule(ORGANISERS),
    "api-v1:get_me": Rule(PARTICIPANT),
    "api-v1:list_my_answers": Rule(PARTICIPANT),
    "api-v1:put_my_answer": Rule(PARTICIPANT, "put"),
    "api-v1:list_registrations": Rule(ORGANISERS),
    "api-v1:import_attendance": post(ORGANISERS),
    "api-v1:list_feedback": Rule(ORGANISERS),
    "api-v1:download_report": Rule(ORGANISERS),
}

# Values for the routes' parameters, by name; OVERRIDES gives some routes their own.
PARAMETERS = {
    "slug": lambda w: w.demo.slug,
    "key": lambda w: "africa",
    "token": lambda w: w.token,
    "pillar_code": lambda w: "MM",
    "code": lambda w: "MM-1",
    "kind": lambda w: "point",
    "fmt": lambda w: "csv",
}
OVERRIDES = {
    "report": {"slug": lambda w: w.other.slug},
    "open-submission-confirm": {"token": lambda w: w.confirmation},
    "manage-feedback-import-template": {"fmt": lambda w: "xlsx"},
    "manage-attendance-mark": {"pk": lambda w: w.registration.pk},
    "manage-feedback-hide": {"pk": lambda w: w.point.pk},
    "manage-feedback-show": {"pk": lambda w: w.point.pk},
    "capture-edit": {"pk": lambda w: w.point.pk},
    "capture-delete": {"pk": lambda w: w.point.pk},
    "manage-report-rendering": {"pk": lambda w: w.rendering_pk},
    "job-retry": {"pk": lambda w: w.job_pk},
    "manage-api-token-revoke": {"pk": lambda w: w.api_token_pk},
    "personal-erase": {"token": lambda w: w.erasure},
    "password_reset_confirm": {"uidb64": lambda w: "MQ", "token": lambda w: "set-password"},
    "audit-export": {"fmt": lambda w: "csv"},
    "api-v1:download_report": {"fmt": lambda w: "xlsx"},
}
# Request bodies, for the routes that check their body before who is asking (the API's
# validation): without one every account would be told 422 and the rule stay untested.
BODIES = {
    "api-v1:import_attendance": lambda: {
        "report": SimpleUploadedFile("zoom.csv", b"Name,Email\n", content_type="text/csv")
    },
}
# Routes whose rule is checked elsewhere, with the reason.
NOT_ENUMERATED_NAMESPACES = {"admin"}  # Django's permissions; scoping tested below


# --- walking the URL configuration -------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple[str, ...]
    api: bool


def _parameters(pattern) -> list[str]:
    """The named parameters of one level of a route (path converters or regex groups)."""
    if isinstance(pattern.pattern, RegexPattern):
        return list(pattern.pattern.regex.groupindex)
    return list(getattr(pattern.pattern, "converters", {}))


def routes(patterns=None, namespace="", parameters=()) -> list[Route]:
    """Every named route of consulta.urls, namespaces included, with its parameters."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        params = (*parameters, *_parameters(pattern))
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_ENUMERATED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += routes(pattern.url_patterns, inner, params)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed>"
            found.append(Route(name, params, name.startswith("api-")))
    return found


def test_every_route_has_a_rule():
    missing = sorted({route.name for route in routes()} - set(RULES))
    assert not missing, "\n".join(
        f"add a rule for {name} in tests/test_permission_matrix.py" for name in missing
    )


def test_every_rule_is_for_a_route_that_exists():
    stale = sorted(set(RULES) - {route.name for route in routes()})
    assert not stale, f"rules for routes that no longer exist: {stale}"


# --- the world ----------------------------------------------------------------------------


@dataclass
class World:
    demo: Consultation
    other: Consultation
    registration: object
    token: str
    other_token: str
    confirmation: str
    point: CapturedPoint
    users: dict
    erasure: str = ""
    rendering_pk: int = 0
    job_pk: int = 0
    api_token_pk: int = 0


def account(username: str, **extra):
    return get_user_model().objects.create_user(username, password="a long test password", **extra)


@pytest.fixture
def world(demo, demo_document, before_the_sessions) -> World:
    other_document = demo_document | {"slug": "other-round", "title": "Another round"}
    other = load_text(as_yaml(other_document)).consultation
    Consultation.objects.filter(pk=other.pk).update(status=Consultation.Status.REPORTED)
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    wanjiru = register(africa, "Wanjiru", "Kamau", "wanjiru@example.org")
    jonas = register(europe, EUROPEAN["given_name"], EUROPEAN["family_name"], EUROPEAN["email"])

    users = {
        "moderator": account("kofi.moderator"),
        "moderator_elsewhere": account("lucia.moderator"),
        "co_lead": account("kwame.colead"),
        "co_lead_other_pillar": account("hana.colead"),
        "organiser": account("amina.organiser", is_staff=True),
        "organiser_elsewhere": account("omar.organiser", is_staff=True),
        "administrator": get_user_model().objects.create_superuser(
            "ada.administrator", password="a long test password"
        ),
    }
    SessionModerator.objects.create(session=africa, user=users["moderator"])
    SessionModerator.objects.create(session=europe, user=users["moderator_elsewhere"])
    PillarCoLead.objects.create(pillar=demo.pillars.get(code="MM"), user=users["co_lead"])
    PillarCoLead.objects.create(
        pillar=demo.pillars.get(code="HA"), user=users["co_lead_other_pillar"]
    )
    grant_organiser(demo, users["organiser"])
    grant_organiser(other, users["organiser_elsewhere"])

    point = CapturedPoint.objects.create(
        session=africa,
        stakeholder_group="civil_society",
        country="KE",
        stance="support",
        note="Forensic identification needs regional data sharing.",
        author=users["moderator"],
        submission_key="matrix-point",
    )
    submission = Respondent.objects.create(
        consultation=demo,
        channel=Channel.OPEN_SUBMISSION,
        stakeholder_group="academia",
        country="SE",
        language="en",
        email="open@example.org",
        consented_at=timezone.now(),
    )
    world = World(
        demo=demo,
        other=other,
        registration=wanjiru,
        token=personal_token(wanjiru),
        other_token=personal_token(jonas),
        confirmation=confirmation_token(submission),
        point=point,
        users=users,
    )
    add_what_newer_apps_need(world)
    return world


def add_what_newer_apps_need(world: World) -> None:
    """Objects for routes of apps that came later; each is skipped while its app is absent."""
    try:
        from consulta.registrations.links import erasure_token

        world.erasure = erasure_token(world.registration)
    except ImportError:
        pass
    try:
        from consulta.jobs import actions as jobs
        from consulta.jobs.models import Job

        rendering = jobs.request_report(world.demo, "xlsx", "en")
        jobs.store_report(rendering, b"a rendered report")
        world.rendering_pk = rendering.pk
        world.job_pk = Job.objects.filter(consultation=world.demo).latest("pk").pk
    except ImportError:
        pass
    try:
        from consulta.api.tokens import issue_token

        token, _secret = issue_token(world.users["organiser"], "to revoke")
        world.api_token_pk = token.pk
    except ImportError:
        pass


def clients(world: World) -> dict[str, Client]:
    """A signed-in client per role; the participant's and the anonymous client sign in nowhere."""
    try:
        from tests.conftest import log_in_verified  # administrators confirm a second factor
    except ImportError:
        log_in_verified = None
    made = {"anonymous": Client(), "participant": Client()}
    for role, user in world.users.items():
        made[role] = Client()
        if user.is_superuser and log_in_verified is not None:
            log_in_verified(made[role], user)
        else:
            made[role].force_login(user)
    return made


def api_headers(world: World) -> dict[str, dict]:
    """Each role's API credentials: the personal token for the participant, an API token
    (read-write) for every account."""
    try:
        from consulta.api.tokens import issue_token
    except ImportError:  # the API is not there yet
        return {role: {} for role in ROLES}
    headers = {"anonymous": {}, "participant": {"HTTP_X_PERSONAL_TOKEN": world.token}}
    for role, user in world.users.items():
        _token, secret = issue_token(user, "permission matrix", "write")
        headers[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return headers


def address(route: Route, world: World) -> str:
    values = PARAMETERS | OVERRIDES.get(route.name, {})
    missing = [name for name in route.parameters if name not in values]
    assert not missing, f"{route.name}: add a value for {missing} to PARAMETERS or OVERRIDES"
    return reverse(route.name, kwargs={name: values[name](world) for name in route.parameters})


def refused(response) -> bool:
    """403 or 404 (or 401 from the JSON endpoints), or a redirect to a login page."""
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "login" in response.get("Location", "")


def request_and_forget(client, method: str, url: str, headers: dict, data=None):
    """The request, with whatever it changed rolled back and the client's cookies as they were
    (signing out clears them), so every role meets the same world."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(url, data or {}, **headers)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def close_quietly(response) -> None:
    """Close the response without Django's request_finished handler, which would close the
    test's database connection in the middle of its transaction (as the test client avoids)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_every_role_is_allowed_or_refused_as_the_table_says(world):
    by_role = clients(world)
    headers = api_headers(world)
    wrong = []
    for route in routes():
        rule = RULES.get(route.name)
        if rule is None:
            continue  # test_every_route_has_a_rule names it
        url = address(route, world)
        for role in ROLES:
            data = BODIES[route.name]() if route.name in BODIES else None
            response = request_and_forget(
                by_role[role], rule.method, url, headers[role] if route.api else {}, data
            )
            close_quietly(response)  # a download's temporary file
            expected = "allowed" if role in rule.allowed else "refused"
            got = "refused" if refused(response) else "allowed"
            if response.status_code in (405, 500):
                got = f"answered {response.status_code}"
            if got != expected:
                wrong.append(
                    f"{route.name} {rule.method.upper()} {url} as {role}: expected {expected}, "
                    f"got {response.status_code} {response.get('Location', '')}".rstrip()
                )
    assert not wrong, "\n".join(wrong)


# --- what the table cannot say ------------------------------------------------------------

LINK_ROUTES = [
    name for name, rule in RULES.items() if name.startswith(("personal", "participant_"))
]


def test_a_personal_link_opens_only_its_own_registration(world, client):
    jonas_page = client.get(reverse("personal", args=[world.other_token])).content.decode()
    assert "Berg" in jonas_page or "jonas@example.eu" in jonas_page
    assert "Kamau" not in jonas_page and "wanjiru@example.org" not in jonas_page


@pytest.mark.parametrize("name", [n for n in LINK_ROUTES if n != "personal-erase"])
def test_an_altered_or_revoked_personal_link_opens_nothing(world, client, name):
    from consulta.registrations.actions import revoke_personal_link

    route = next(r for r in routes() if r.name == name)
    altered = world.token[:-2] + ("aa" if not world.token.endswith("aa") else "bb")
    url = address(route, world).replace(world.token, altered)
    assert client.get(url).status_code == 404
    revoke_personal_link(world.registration)
    assert client.get(address(route, world)).status_code == 404


def test_the_organiser_home_lists_only_the_consultations_one_organises(world):
    by_role = clients(world)
    page = by_role["organiser_elsewhere"].get(reverse("manage-home")).content.decode()
    assert world.other.slug in page and world.demo.slug not in page
    page = by_role["organiser"].get(reverse("manage-home")).content.decode()
    assert world.demo.slug in page and world.other.slug not in page


def test_a_draft_one_does_not_organise_is_not_found_and_a_published_one_forbidden(world):
    omar = clients(world)["organiser_elsewhere"]
    assert omar.get(reverse("manage-consultation", args=[world.demo.slug])).status_code == 403
    Consultation.objects.filter(pk=world.demo.pk).update(status=Consultation.Status.DRAFT)
    for name in ("manage-consultation", "manage-synthesis", "consultation"):
        assert omar.get(reverse(name, args=[world.demo.slug])).status_code == 404, name
    assert world.demo.slug not in omar.get(reverse("home")).content.decode()


def test_staff_status_alone_opens_no_organiser_page(world):
    staff = Client()
    staff.force_login(account("sam.staff", is_staff=True))
    assert staff.get(reverse("manage-home")).status_code == 403
    assert staff.get(reverse("manage-consultation", args=[world.demo.slug])).status_code == 403


# --- the Django admin's scoping -----------------------------------------------------------


def admin_url(obj, view="change") -> str:
    meta = obj._meta
    args = [obj.pk] if view == "change" else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_the_admin_shows_an_organiser_only_their_consultations(world):
    omar = clients(world)["organiser_elsewhere"]
    africa = world.demo.sessions.get(key="africa")
    theirs = world.other.sessions.get(key="africa")
    listing = omar.get(admin_url(africa, "changelist")).content.decode()
    assert admin_url(theirs) in listing and admin_url(africa) not in listing
    for obj in (world.demo, africa, world.registration, world.point, world.demo.pillars.first()):
        response = omar.get(admin_url(obj))
        assert response.status_code in (302, 404), obj  # "doesn't exist" and back to the index
        assert omar.get(admin_url(obj, "changelist")).status_code == 200
    form = omar.get(admin_url(theirs)).content.decode()
    assert f'<option value="{world.other.pk}"' in form
    assert f'<option value="{world.demo.pk}"' not in form
    consultations = omar.get(admin_url(world.demo, "changelist")).content.decode()
    assert world.other.title in consultations and world.demo.title not in consultations


def test_an_organiser_cannot_move_a_session_into_a_consultation_they_do_not_organise(world):
    from tests.test_admin import session_post_data

    omar = clients(world)["organiser_elsewhere"]
    theirs = world.other.sessions.get(key="africa")
    response = omar.post(admin_url(theirs), session_post_data(theirs, consultation=world.demo.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.consultation_id == world.other.pk


def test_only_administrators_manage_accounts_and_organiser_roles(world):
    from consulta.access.models import OrganiserRole

    by_role = clients(world)
    amina = by_role["organiser"]
    role = OrganiserRole.objects.get(user=world.users["organiser"])
    for url in (
        reverse("admin:auth_user_changelist"),
        reverse("admin:access_organiserrole_changelist"),
        admin_url(role),
    ):
        assert amina.get(url).status_code == 403, url
    assert "organiser_roles-TOTAL_FORMS" not in amina.get(admin_url(world.demo)).content.decode()
    ada = by_role["administrator"]
    assert ada.get(reverse("admin:auth_user_changelist")).status_code == 200
    page = ada.get(admin_url(world.demo)).content.decode()
    assert "organiser_roles-TOTAL_FORMS" in page


def test_a_round_copied_in_the_admin_keeps_its_organisers_and_is_not_copied_by_others(world):
    by_role = clients(world)
    url = reverse("admin:consultations_consultation_new_round", args=[world.demo.pk])
    new_round = {"first_day": "2027-01-25", "slug": "missing-migrants-2027", "title": "Round 2027"}
    refused = by_role["organiser_elsewhere"].post(url, new_round)
    assert refused.status_code == 404
    assert not Consultation.objects.filter(slug="missing-migrants-2027").exists()

    assert by_role["organiser"].post(url, new_round).status_code == 302
    copy = Consultation.objects.get(slug="missing-migrants-2027")
    assert list(copy.organiser_roles.values_list("user__username", flat=True)) == [
        "amina.organiser"
    ]
    home = by_role["organiser"].get(reverse("manage-home")).content.decode()
    assert "missing-migrants-2027" in home
