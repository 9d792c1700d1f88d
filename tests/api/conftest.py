import pytest
from django.contrib.auth import get_user_model

from consulta.api.tokens import issue_token
from consulta.registrations.links import personal_token
from tests.conftest import register


@pytest.fixture
def wanjiru(demo, before_the_sessions):
    """A participant of the Africa session, the consultation open for feedback."""
    return register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "wanjiru@example.org")


@pytest.fixture
def personal(wanjiru) -> dict:
    return {"HTTP_X_PERSONAL_TOKEN": personal_token(wanjiru)}


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def read_token(organiser):
    return issue_token(organiser, "Dashboard", "read")[1]


@pytest.fixture
def write_token(organiser):
    return issue_token(organiser, "Attendance sync", "write")[1]


@pytest.fixture
def outsider_token(db):
    """A token of an account that organises nothing."""
    user = get_user_model().objects.create_user("visitor", "visitor@example.org", "pw-visitor-1")
    return issue_token(user, "Curious", "write")[1]
