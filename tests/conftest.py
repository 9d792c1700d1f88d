import copy

import pytest
import yaml
from django.contrib.auth import get_user_model

from consulta.definitions.loader import load_text
from consulta.demo import DEMO_FILE


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
    return get_user_model().objects.create_superuser(
        "amina.organiser", "amina@secretariat.example", "a long demo password"
    )


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client
