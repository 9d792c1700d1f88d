"""The organiser's feedback inbox: answers and captured points per recommendation, filtered by
region, stakeholder group, channel and stance; open submissions awaiting confirmation kept
apart; hiding with a reason (never deleting) and showing again; closing the consultation."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.feedback import actions, imports
from consulta.feedback.models import Answer, CapturedPoint, Channel, ModerationEntry, Respondent
from consulta.registrations.actions import register_participant
from tests.conftest import EUROPEAN, participant

IMPORTED = (
    "respondent_id,stakeholder_group,country,recommendation,support,comment\n"
    "R-1,trade_union,BR,MM-1,2,Imported: unions were not consulted.\n"
)


def answer(respondent, recommendation, comment, *, support=4, key=None):
    return actions.save_answer(
        respondent,
        recommendation,
        {"support": support, "priority": 3, "comment": comment},
        submission_key=key or comment,
    )


def register(session, **details):
    registration = register_participant(session, participant(**details)).registration
    return actions.respondent_for_registration(registration)


@pytest.fixture
def rapporteur(db):
    return get_user_model().objects.create_user("rafael.rapporteur", "rafael@unnm.example", "pw")


@pytest.fixture
def cast(demo, organiser, rapporteur, before_the_sessions):
    """Wanjiru (Africa, civil society) and Jonas (Europe, Member State) answer MM-1 through
    their personal links; an imported trade union answers it; a university's open submission
    waits for its e-mail confirmation; a point is captured in each of the two sessions."""
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    mm1 = demo.recommendations.get(code="MM-1")
    wanjiru = register(africa)
    jonas = register(europe, **EUROPEAN)
    answer(wanjiru, mm1, "Wanjiru: one contact point for families.")
    answer(jonas, mm1, "Jonas: data protection first.", support=2)
    imports.import_file(demo, IMPORTED.encode(), "unions.csv", organiser)
    pending = Respondent.objects.create(
        consultation=demo,
        channel=Channel.OPEN_SUBMISSION,
        stakeholder_group="academia",
        country="GH",
        email="pending@uni.example",
        organisation="University of Ghana",
    )
    answer(pending, mm1, "Pending: not confirmed yet.")
    for session, group, country, stance, note in (
        (africa, "civil_society", "SN", "concerns", "Point: families are not informed."),
        (europe, "member_state", "DE", "supports", "Point: we support MM-1."),
    ):
        actions.capture_point(
            session,
            rapporteur,
            {
                "recommendation": mm1,
                "stakeholder_group": group,
                "country": country,
                "stance": stance,
                "note": note,
            },
            submission_key=note,
        )
    return {"wanjiru": wanjiru, "jonas": jonas, "pending": pending, "mm1": mm1}


def inbox_url(consultation, query: str = "") -> str:
    url = reverse("manage-feedback", args=[consultation.slug])
    return f"{url}?{query}" if query else url


def listed(response, section: str) -> set[str]:
    page = response.context[section]
    if section == "captured":
        return {point.note for point in page.object_list}
    return {answer.comment for answer in page.object_list}


WANJIRU = "Wanjiru: one contact point for families."
JONAS = "Jonas: data protection first."
UNION = "Imported: unions were not consulted."
PENDING = "Pending: not confirmed yet."
AFRICA_POINT = "Point: families are not informed."
EUROPE_POINT = "Point: we support MM-1."


def test_the_inbox_shows_the_first_recommendations_answers_and_points(organiser_client, demo, cast):
    response = organiser_client.get(inbox_url(demo))

    assert response.status_code == 200
    assert response.context["current"].code == "MM-1"
    assert listed(response, "counted") == {WANJIRU, JONAS, UNION}
    assert listed(response, "captured") == {AFRICA_POINT, EUROPE_POINT}
    page = response.content.decode()
    for label in ("Agree", "Disagree", "High", "Personal link", "Import", "Live capture"):
        assert label in page
    assert "Kenya (KE)" in page
    assert "Africa" in page
    assert "Concerns" in page


def test_unconfirmed_open_submissions_are_listed_apart_and_never_counted(
    organiser_client, demo, cast
):
    response = organiser_client.get(inbox_url(demo))

    assert listed(response, "waiting") == {PENDING}
    assert PENDING not in listed(response, "counted")
    mm1 = next(row for row in response.context["overview"] if row["code"] == "MM-1")
    assert (mm1["answers"], mm1["waiting"], mm1["points"]) == (3, 1, 2)
    assert "1 answer awaiting confirmation (not counted)" in response.content.decode()


def test_the_organiser_sees_who_answered(organiser_client, demo, cast):
    page = organiser_client.get(inbox_url(demo)).content.decode()

    assert "Wanjiru Kamau · wanjiru@example.org · Kenya Red Cross Society" in page
    assert "pending@uni.example · University of Ghana" in page
    assert "id R-1 in the imported file" in page


@pytest.mark.parametrize(
    ("query", "answers", "points"),
    [
        ("session=africa", {WANJIRU}, {AFRICA_POINT}),
        ("session=europe", {JONAS}, {EUROPE_POINT}),
        ("group=member_state", {JONAS}, {EUROPE_POINT}),
        ("group=trade_union", {UNION}, set()),
        ("channel=import", {UNION}, set()),
        ("channel=personal_link", {WANJIRU, JONAS}, set()),
        ("channel=live_capture", set(), {AFRICA_POINT, EUROPE_POINT}),
        ("stance=concerns", set(), {AFRICA_POINT}),
        ("stance=supports&session=africa", set(), set()),
        ("recommendation=MM-2", set(), set()),
        ("recommendation=general", set(), set()),
    ],
)
def test_filters_narrow_the_inbox(organiser_client, demo, cast, query, answers, points):
    response = organiser_client.get(inbox_url(demo, query))

    assert listed(response, "counted") == answers
    assert listed(response, "captured") == points


def test_a_filter_that_makes_no_sense_is_reported_and_ignored(organiser_client, demo, cast):
    response = organiser_client.get(
        inbox_url(demo, "channel=pigeon&session=africa&recommendation=XX-9")
    )

    assert response.context["current"].code == "MM-1"
    assert listed(response, "counted") == {WANJIRU}
    assert "Select a valid choice" in response.content.decode()


def test_every_filter_has_a_label(organiser_client, demo, cast):
    page = organiser_client.get(inbox_url(demo)).content.decode()

    for name in ("recommendation", "session", "group", "channel", "stance", "hidden"):
        assert f'<label for="id_{name}">' in page


def hide_url(consultation, kind, item) -> str:
    return reverse("manage-feedback-hide", args=[consultation.slug, kind, item.pk])


def show_url(consultation, kind, item) -> str:
    return reverse("manage-feedback-show", args=[consultation.slug, kind, item.pk])


def test_hiding_requires_a_reason(organiser_client, demo, cast):
    item = Answer.objects.get(comment=WANJIRU)

    response = organiser_client.post(hide_url(demo, "answer", item), {"reason": "   "})

    assert response.status_code == 400
    assert "Give a reason for hiding this item." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    item.refresh_from_db()
    assert item.hidden_at is None
    assert not ModerationEntry.objects.exists()


def test_a_hidden_answer_leaves_the_default_view_but_stays_stored_with_its_trail(
    organiser_client, organiser, demo, cast
):
    item = Answer.objects.get(comment=WANJIRU)
    back = inbox_url(demo, "session=africa")

    response = organiser_client.post(
        hide_url(demo, "answer", item), {"reason": "Names a private person.", "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == back
    assert WANJIRU not in listed(organiser_client.get(inbox_url(demo)), "counted")
    item.refresh_from_db()
    assert item.hidden_at is not None
    assert item.hidden_reason == "Names a private person."
    entry = ModerationEntry.objects.get()
    assert (entry.answer, entry.action, entry.reason, entry.moderator) == (
        item,
        ModerationEntry.Action.HIDE,
        "Names a private person.",
        organiser,
    )
    shown = organiser_client.get(inbox_url(demo, "hidden=on"))
    assert WANJIRU in listed(shown, "counted")
    page = shown.content.decode()
    assert "Names a private person." in page
    assert "Moderation trail (1 entry)" in page
    assert "Show again" in page


def test_a_hidden_point_is_kept_and_shown_with_show_hidden(organiser_client, demo, cast):
    point = CapturedPoint.objects.get(note=AFRICA_POINT)

    organiser_client.post(hide_url(demo, "point", point), {"reason": "Off topic and insulting."})

    assert AFRICA_POINT not in listed(organiser_client.get(inbox_url(demo)), "captured")
    assert AFRICA_POINT in listed(organiser_client.get(inbox_url(demo, "hidden=on")), "captured")
    assert CapturedPoint.objects.get(pk=point.pk).hidden_reason == "Off topic and insulting."
    assert ModerationEntry.objects.get().point == point


def test_a_hidden_item_can_be_shown_again(organiser_client, demo, cast):
    item = Answer.objects.get(comment=JONAS)
    organiser_client.post(hide_url(demo, "answer", item), {"reason": "Checking with the author."})

    response = organiser_client.post(
        show_url(demo, "answer", item), {"reason": "The author confirmed."}
    )

    assert response.status_code == 302
    assert JONAS in listed(organiser_client.get(inbox_url(demo)), "counted")
    assert list(ModerationEntry.objects.values_list("action", "reason")) == [
        ("hide", "Checking with the author."),
        ("show", "The author confirmed."),
    ]


def test_the_hide_page_works_without_javascript(organiser_client, demo, cast):
    item = Answer.objects.get(comment=JONAS)

    page = organiser_client.get(hide_url(demo, "answer", item)).content.decode()

    assert JONAS in page
    assert '<label for="id_reason">' in page


def test_moderation_never_sends_the_organiser_to_another_site(organiser_client, demo, cast):
    item = Answer.objects.get(comment=JONAS)

    response = organiser_client.post(
        hide_url(demo, "answer", item), {"reason": "Spam.", "next": "https://evil.example/"}
    )

    assert response["Location"] == inbox_url(demo)


def test_hiding_an_item_that_does_not_exist_is_not_found(organiser_client, demo, cast):
    missing = reverse("manage-feedback-hide", args=[demo.slug, "answer", 999_999])

    assert organiser_client.post(missing, {"reason": "x"}).status_code == 404
    assert not ModerationEntry.objects.exists()


def test_closing_asks_for_confirmation_first(organiser_client, demo, cast):
    response = organiser_client.post(reverse("manage-feedback-close", args=[demo.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Yes, close the consultation" in page
    assert "1 open submission is still awaiting its e-mail confirmation" in page
    demo.refresh_from_db()
    assert demo.status == "open"


def test_a_closed_consultation_takes_no_more_answers(organiser_client, demo, cast):
    inbox = organiser_client.get(inbox_url(demo)).content.decode()
    assert "Close the consultation" in inbox

    response = organiser_client.post(
        reverse("manage-feedback-close", args=[demo.slug]), {"confirm": "yes"}, follow=True
    )

    page = response.content.decode()
    assert "This consultation is closed" in page
    assert 'action="/en/manage/missing-migrants-2024/feedback/close/"' not in page
    demo.refresh_from_db()
    assert demo.status == "closed"
    wanjiru = Respondent.objects.get(pk=cast["wanjiru"].pk)  # as a new request would load her
    with pytest.raises(actions.FeedbackClosed):
        answer(wanjiru, cast["mm1"], "Too late.")
    assert not Answer.objects.filter(comment="Too late.").exists()


def test_moderation_still_works_once_closed(organiser_client, demo, cast):
    actions.close_consultation(demo)
    item = Answer.objects.get(comment=JONAS)

    organiser_client.post(hide_url(demo, "answer", item), {"reason": "Abusive."})

    assert Answer.objects.get(pk=item.pk).hidden_at is not None


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("omar.outsider", "omar@example.org", "pw-12345")


def organiser_urls(demo, cast) -> list[tuple[str, str]]:
    """Every feedback organiser URL, with the method it answers."""
    slug = demo.slug
    item = Answer.objects.get(comment=JONAS)
    point = CapturedPoint.objects.get(note=EUROPE_POINT)
    return [
        ("get", reverse("manage-feedback", args=[slug])),
        ("get", reverse("manage-feedback-close", args=[slug])),
        ("post", reverse("manage-feedback-close", args=[slug])),
        ("get", reverse("manage-feedback-import", args=[slug])),
        ("post", reverse("manage-feedback-import", args=[slug])),
        ("get", reverse("manage-feedback-import-template", args=[slug, "csv"])),
        ("get", reverse("manage-feedback-import-template", args=[slug, "xlsx"])),
        ("get", reverse("manage-feedback-hide", args=[slug, "answer", item.pk])),
        ("post", reverse("manage-feedback-hide", args=[slug, "answer", item.pk])),
        ("post", reverse("manage-feedback-hide", args=[slug, "point", point.pk])),
        ("post", reverse("manage-feedback-show", args=[slug, "answer", item.pk])),
        ("post", reverse("manage-feedback-show", args=[slug, "point", point.pk])),
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page_from_every_feedback_url(client, demo, cast):
    for method, url in organiser_urls(demo, cast):
        response = getattr(client, method)(url, {"reason": "x", "confirm": "yes"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url
    demo.refresh_from_db()
    assert demo.status == "open"


def test_an_outsider_gets_403_on_every_feedback_url(client, outsider, demo, cast):
    client.force_login(outsider)

    for method, url in organiser_urls(demo, cast):
        response = getattr(client, method)(url, {"reason": "x", "confirm": "yes"})
        assert response.status_code == 403, url
        assert b"wanjiru@example.org" not in response.content
    demo.refresh_from_db()
    assert demo.status == "open"
    assert not ModerationEntry.objects.exists()


def test_the_inbox_makes_as_many_queries_for_many_answers_as_for_few(
    organiser_client, organiser, rapporteur, demo, cast
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = organiser_client.get(inbox_url(demo, "hidden=on"))
            assert response.status_code == 200
        return len(captured)

    few = queries()
    mm1 = cast["mm1"]
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    for n in range(12):
        respondent = register(
            africa if n % 2 else europe, email=f"p{n}@example.org", given_name=f"P{n}"
        )
        item = answer(respondent, mm1, f"Answer number {n}.")
        actions.hide(item, organiser, f"Reason {n}.")
        pending = Respondent.objects.create(
            consultation=demo, channel=Channel.OPEN_SUBMISSION, stakeholder_group="other"
        )
        answer(pending, mm1, f"Pending number {n}.")
        point = actions.capture_point(
            africa,
            rapporteur,
            {
                "recommendation": mm1,
                "stakeholder_group": "academia",
                "country": "KE",
                "stance": "question",
                "note": f"Question {n}.",
            },
            submission_key=f"q{n}",
        )
        actions.hide(point, organiser, "Duplicate.")
        actions.show_again(point, organiser, "Not a duplicate.")

    assert queries() == few
    response = organiser_client.get(inbox_url(demo, "hidden=on"))
    assert len(listed(response, "counted")) == 15
    assert len(listed(response, "captured")) == 14
