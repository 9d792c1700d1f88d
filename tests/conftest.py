import copy
from datetime import UTC, datetime

import pytest
import yaml
from django.contrib.auth import get_user_model

from consulta.definitions.loader import load_text
from consulta.demo import DEMO_FILE
from consulta.registrations.actions import register_participant


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters and other cached values never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_public_pages(settings):
    """Every request builds its page: a test that changes data sees the change at once
    (tests/test_serving.py turns the public page cache back on to test it)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def english_by_default():
    """A request in another language leaves it active in this thread: start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def demo_source() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def demo_document(demo_source) -> dict:
    """The demo definition as a mapping that a test may spoil without harming others."""
    return copy.deepcopy(demo_source)


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@pytest.fixture
def demo(db):
    """The demo consultation loaded into the database."""
    return load_text(DEMO_FILE.read_text(encoding="utf-8")).consultation


@pytest.fixture
def organiser(db):
    """Amina, a staff account (not an administrator) who organises every consultation of the
    test: those loaded before she was asked for and those a test loads afterwards (a draft, a
    new round), as the demo's organiser organises both demo consultations. Tests of what an
    organiser may NOT see use someone else (tests/test_permission_matrix.py)."""
    from django.db.models.signals import post_save

    from consulta.access.actions import grant_organiser
    from consulta.consultations.models import Consultation

    amina = get_user_model().objects.create_user(
        "amina.organiser", "amina@secretariat.example", "a long demo password", is_staff=True
    )
    for consultation in Consultation.objects.all():
        grant_organiser(consultation, amina)

    def organise_new(sender, instance, created, **kwargs):
        if created:
            grant_organiser(instance, amina)

    post_save.connect(organise_new, sender=Consultation, dispatch_uid="organiser-fixture")
    yield amina
    post_save.disconnect(sender=Consultation, dispatch_uid="organiser-fixture")


@pytest.fixture
def administrator(db):
    """Ada, a platform administrator (an active superuser)."""
    return get_user_model().objects.create_superuser(
        "ada.administrator", "ada@secretariat.example", "a long admin password"
    )


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


BEFORE_THE_SESSIONS = "2024-01-20T09:00:00+00:00"


@pytest.fixture
def before_the_sessions():
    """The clock stopped on 20 January 2024, when the demo's registrations were open."""
    import time_machine

    with time_machine.travel(BEFORE_THE_SESSIONS, tick=False) as traveller:
        yield traveller


def participant(**overrides) -> dict:
    """Registration form data for a participant from Africa; override fields for others."""
    data = {
        "given_name": "Wanjiru",
        "family_name": "Kamau",
        "email": "wanjiru@example.org",
        "organisation": "Kenya Red Cross Society",
        "stakeholder_group": "civil_society",
        "country": "KE",
        "language": "en",
        "needs": "",
        "attribution": "chatham_house",
        "consent": "on",
        "website": "",
    }
    return data | overrides


EUROPEAN = {
    "given_name": "Jonas",
    "family_name": "Berg",
    "email": "jonas@example.eu",
    "organisation": "Ministry of the Interior",
    "stakeholder_group": "member_state",
    "country": "SE",
}


REGISTRATIONS_OPEN = datetime(2024, 1, 10, tzinfo=UTC)


def register(session, given_name, family_name, email, **changes):
    """A registration made on 10 January 2024 (registrations open), civil society from Kenya
    unless `changes` say otherwise."""
    details = {
        "given_name": given_name,
        "family_name": family_name,
        "email": email,
        "organisation": "Migrant Rights Network",
        "stakeholder_group": "civil_society",
        "country": "KE",
        "language": session.languages[0],
        "needs": "",
        "attribution": "chatham_house",
        "timezone": "Africa/Nairobi",
    } | changes
    return register_participant(session, details, now=REGISTRATIONS_OPEN).registration


# --- accounts: an administrator's session verified by a two-factor device ------------------


def log_in_verified(client, user):
    """Log `user` in as the login form does once their authenticator code is right: a confirmed
    device, and a session verified by it (the admin lets administrators in only then)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
