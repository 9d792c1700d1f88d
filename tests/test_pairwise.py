"""'Which should come first in the final report?': choosing pairs (pure) and the page.

The pure part (consulta/feedback/pairs.py) is tested without a database, with a seeded
random.Random so that the statistics are the same on every run.
"""

import random
import uuid
from collections import Counter
from itertools import combinations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from consulta.feedback import actions as feedback
from consulta.feedback import pairs
from consulta.feedback.models import PairwiseChoice
from consulta.registrations import actions as registrations
from consulta.registrations.links import personal_token, registration_for_token
from tests.conftest import EUROPEAN, participant

CLOSED = "The consultation is closed: answers can no longer be changed."

# ---------------------------------------------------------------------------------------------
# The pure choice of pairs.

TEN = list(range(1, 11))


def test_fewer_than_two_recommendations_give_no_pair():
    assert pairs.pick_pair([], {}) is None
    assert pairs.pick_pair(["MM-1"], {}) is None
    assert pairs.pick_pair(["MM-1", "MM-2"], {}) in (("MM-1", "MM-2"), ("MM-2", "MM-1"))


def test_an_under_shown_pair_comes_up_more_often_than_a_much_shown_one():
    rng = random.Random(2024)
    items = ["MM-1", "MM-2", "MM-3", "MM-4"]
    shown = {pairs.pair_key(a, b): 40 for a, b in combinations(items, 2)}
    under_shown, much_shown = pairs.pair_key("MM-1", "MM-2"), pairs.pair_key("MM-3", "MM-4")
    shown[under_shown] = 0
    counts = Counter(pairs.pair_key(*pairs.pick_pair(items, shown, rng=rng)) for _ in range(2000))
    # Weights 1 against 1/41: the under-shown pair should take about 89% of the draws.
    assert counts[under_shown] > 1600
    assert counts[under_shown] > 10 * counts[much_shown]
    # The others still come up sometimes: the much-shown pairs are not starved.
    assert 0 < counts[much_shown] < 100


def test_pairs_shown_equally_often_come_up_about_equally_often():
    rng = random.Random(7)
    counts = Counter(pairs.pair_key(*pairs.pick_pair(TEN, {}, rng=rng)) for _ in range(9000))
    assert len(counts) == 45  # every pair of ten
    assert min(counts.values()) > 130 and max(counts.values()) < 280  # 200 expected each


def test_the_same_pair_never_comes_twice_in_a_row():
    rng = random.Random(1)
    for items in (TEN, [1, 2, 3]):
        last = None
        shown: Counter = Counter()
        for _ in range(2000):
            pair = pairs.pair_key(*pairs.pick_pair(items, shown, last, rng))
            assert pair != last
            shown[pair] += 1
            last = pair


def test_a_pair_comes_in_either_order():
    rng = random.Random(3)
    orders = Counter(pairs.pick_pair(["MM-1", "MM-2", "MM-3"], {}, rng=rng) for _ in range(600))
    assert orders[("MM-1", "MM-2")] > 50 and orders[("MM-2", "MM-1")] > 50


# ---------------------------------------------------------------------------------------------
# The page, through a participant's personal link.


def prioritise_url(token, language="en") -> str:
    with translation.override(language):
        return reverse("participant_feedback:prioritise", args=[token])


@pytest.fixture
def token(demo, before_the_sessions) -> str:
    session = demo.sessions.get(key="africa")
    return personal_token(registrations.register_participant(session, participant()).registration)


def shown_pair(html: str) -> tuple[str, str]:
    first = html.split('name="first" value="')[1].split('"')[0]
    second = html.split('name="second" value="')[1].split('"')[0]
    return first, second


def submission_key(html: str) -> str:
    return html.split('name="submission_key" value="')[1].split('"')[0]


def choose(client, token, chosen="first") -> tuple[tuple[str, str], object]:
    """Open the page, press one of its buttons ("first", "second" or "none")."""
    html = client.get(prioritise_url(token)).content.decode()
    first, second = shown_pair(html)
    value = {"first": first, "second": second, "none": "none"}[chosen]
    response = client.post(
        prioritise_url(token),
        {"first": first, "second": second, "chosen": value, "submission_key": submission_key(html)},
    )
    return (first, second), response


@pytest.mark.django_db
def test_the_page_asks_which_of_two_recommendations_should_come_first(client, demo, token):
    html = client.get(prioritise_url(token)).content.decode()
    assert '<h1 id="pairwise-question">Which should come first in the final report?</h1>' in html
    first, second = shown_pair(html)
    assert first != second
    for code in (first, second):
        title = demo.recommendations.get(code=code).title_en
        assert f'name="chosen" value="{code}"' in html
        assert title.replace("'", "&#x27;") in html
    assert '<button type="submit" name="chosen" value="none" class="secondary">' in html
    assert "Can&#x27;t decide" in html or "Can't decide" in html
    assert "You have made 0 choices." in html


@pytest.mark.django_db
def test_choosing_records_the_choice_and_shows_a_fresh_pair(client, demo, token):
    pair, response = choose(client, token, "second")
    assert response.status_code == 302
    assert response["Location"] == prioritise_url(token)
    choice = PairwiseChoice.objects.get()
    assert (choice.first.code, choice.second.code, choice.chosen.code) == (
        pair[0],
        pair[1],
        pair[1],
    )
    html = client.get(response["Location"]).content.decode()
    assert "Your choice is recorded. Here is another pair." in html
    assert "You have made 1 choice." in html
    assert set(shown_pair(html)) != set(pair)


@pytest.mark.django_db
def test_the_pair_just_answered_never_comes_straight_back(client, token):
    previous = None
    for _ in range(12):
        pair, _response = choose(client, token, "first")
        assert previous is None or set(pair) != set(previous)
        previous = pair
    assert PairwiseChoice.objects.count() == 12


@pytest.mark.django_db
def test_cant_decide_is_recorded_without_a_chosen_recommendation(client, token):
    pair, response = choose(client, token, "none")
    assert response.status_code == 302
    choice = PairwiseChoice.objects.get()
    assert choice.chosen is None
    assert {choice.first.code, choice.second.code} == set(pair)


@pytest.mark.django_db
def test_the_same_choice_posted_twice_counts_once(client, token):
    html = client.get(prioritise_url(token)).content.decode()
    first, second = shown_pair(html)
    data = {"first": first, "second": second, "chosen": first, "submission_key": uuid.uuid4().hex}
    client.post(prioritise_url(token), data)
    client.post(prioritise_url(token), data)
    assert PairwiseChoice.objects.count() == 1
    assert "You have made 1 choice." in client.get(prioritise_url(token)).content.decode()


@pytest.mark.django_db
def test_a_choice_outside_the_pair_or_the_consultation_is_refused_and_nothing_written(
    client, token
):
    key = uuid.uuid4().hex
    for data in (
        {"first": "MM-1", "second": "MM-2", "chosen": "HA-1"},
        {"first": "MM-1", "second": "XX-9", "chosen": "MM-1"},
        {"first": "MM-1", "second": "MM-1", "chosen": "MM-1"},
        {"first": "MM-1", "second": "MM-2"},
    ):
        response = client.post(prioritise_url(token), data | {"submission_key": key})
        assert response.status_code == 400, data
        html = response.content.decode()
        assert "That pair is no longer offered: here is another one." in html
        assert 'name="first" value="' in html  # and another pair to answer
    response = client.post(
        prioritise_url(token),
        {"first": "MM-1", "second": "MM-2", "chosen": "MM-1", "submission_key": "<no>"},
    )
    assert response.status_code == 400
    assert PairwiseChoice.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_consultation_refuses_choices_and_shows_no_pair(client, demo, token):
    html = client.get(prioritise_url(token)).content.decode()
    first, second = shown_pair(html)
    feedback.close_consultation(demo)
    response = client.post(
        prioritise_url(token),
        {"first": first, "second": second, "chosen": first, "submission_key": submission_key(html)},
    )
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    assert PairwiseChoice.objects.count() == 0
    page = client.get(prioritise_url(token))
    assert page.status_code == 200
    assert CLOSED in page.content.decode()
    assert 'name="chosen"' not in page.content.decode()


@pytest.mark.django_db
def test_a_cancelled_registration_cannot_prioritise(client, demo, before_the_sessions):
    session = demo.sessions.get(key="europe")
    registration = registrations.register_participant(session, participant(**EUROPEAN))
    token = personal_token(registration.registration)
    registrations.cancel_registration(registration.registration)
    response = client.get(prioritise_url(token))
    assert response.status_code == 403
    assert "Your registration is cancelled" in response.content.decode()
    response = client.post(
        prioritise_url(token),
        {"first": "MM-1", "second": "MM-2", "chosen": "MM-1", "submission_key": "k1"},
    )
    assert response.status_code == 403
    assert PairwiseChoice.objects.count() == 0


@pytest.mark.django_db
def test_a_tampered_token_cannot_prioritise(client, token):
    assert client.get(prioritise_url(token + "x")).status_code == 404


@pytest.mark.django_db
def test_the_page_is_in_arabic_with_english_titles_marked_as_such(client, token):
    html = client.get(prioritise_url(token, "ar")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    for code in shown_pair(html):
        button = html.split(f'name="chosen" value="{code}"')[1].split("</button>")[0]
        if code in ("MM-5", "MM-6", "HA-3", "HA-4"):  # no Arabic title in the demo
            assert 'lang="en" dir="ltr"' in button
        else:
            assert 'lang="en"' not in button


@pytest.mark.django_db
def test_the_page_needs_the_same_queries_however_many_choices_were_made(client, token):
    choose(client, token)
    client.get(prioritise_url(token))
    with CaptureQueriesContext(connection) as one_choice:
        client.get(prioritise_url(token))
    for _ in range(15):
        choose(client, token, random.choice(["first", "second", "none"]))
    client.get(prioritise_url(token))
    with CaptureQueriesContext(connection) as sixteen_choices:
        client.get(prioritise_url(token))
    assert len(sixteen_choices) == len(one_choice)


@pytest.mark.django_db
def test_a_pair_shown_in_both_orders_counts_every_showing(demo, token, monkeypatch):
    respondent = feedback.respondent_for_registration(registration_for_token(token))
    mm1, mm2 = demo.recommendations.get(code="MM-1"), demo.recommendations.get(code="MM-2")
    for n in range(3):
        feedback.record_choice(respondent, mm1, mm2, mm1, submission_key=f"ab{n}")
    for n in range(2):
        feedback.record_choice(respondent, mm2, mm1, mm1, submission_key=f"ba{n}")
    seen = {}

    def spy(items, shown, last=None, rng=None):
        seen.update(shown)
        return None

    monkeypatch.setattr(pairs, "pick_pair", spy)
    feedback.next_pair(respondent)
    assert seen[pairs.pair_key(mm1.pk, mm2.pk)] == 5
