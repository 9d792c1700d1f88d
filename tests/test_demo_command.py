"""`consulta demo --no-serve` sets everything up once and reuses it afterwards."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import call_command

from consulta.consultations.models import Consultation
from consulta.definitions.loader import load_text
from consulta.demo import DEMO_SLUG, REHEARSAL_SLUG
from tests.conftest import as_yaml

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 11, 29, 9, 0, tzinfo=UTC), tick=False)
def test_the_demo_sets_up_the_note_a_rehearsal_and_an_organiser_once(capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    password = re.search(r"as 'organiser' with password '([^']+)'", out).group(1)
    assert authenticate(username="organiser", password=password).is_staff
    assert out.count("60 minutes are unscheduled") == 5

    rehearsal = Consultation.objects.get(slug=REHEARSAL_SLUG)
    assert rehearsal.is_open()
    first = rehearsal.sessions.order_by("starts_at").first()
    assert first.local_start().strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-12-07 14:00"
    assert Consultation.objects.get(slug=DEMO_SLUG).sessions.first().starts_at.year == 2024

    call_command("demo", "--no-serve")
    again = capsys.readouterr().out
    assert password not in again
    assert "nothing changed" in again
    assert "Rehearsal copy missing-migrants-rehearsal: reused" in again
    assert Consultation.objects.count() == 2


def test_the_home_page_lists_published_consultations_only(client, demo, demo_document):
    demo_document |= {
        "slug": "unpublished",
        "title": "A draft nobody should see",
        "status": "draft",
    }
    load_text(as_yaml(demo_document))
    page = client.get("/", follow=True).content.decode()
    assert demo.title in page
    assert "A draft nobody should see" not in page
    assert '<html lang="en" dir="ltr">' in page
