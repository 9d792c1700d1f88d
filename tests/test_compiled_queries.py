"""Compiled queries: SQL built once with sample values, rerun with real ones, must read exactly
what the queryset itself would, and the personal link's registration comes in one query.
Compiled writes change and store exactly what the ORM would."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from consulta.consultations.models import Consultation, Pillar, Recommendation
from consulta.feedback.actions import (
    _RETIRE_ANSWER,
    respondent_for_registration,
)
from consulta.feedback.models import Answer, Respondent
from consulta.lib.compiled import (
    CompiledInsert,
    CompiledQuery,
    CompiledUpdate,
    columns,
    execute_prepared,
    instance,
    numbered,
)
from consulta.registrations.actions import revoke_personal_link
from consulta.registrations.links import (
    SALT,
    personal_token,
    registration_and_recommendation,
    registration_for_token,
)
from consulta.registrations.models import Registration
from consulta.signed_links import sign_link
from tests.conftest import register

pytestmark = pytest.mark.django_db


def by_email(session, email):
    """Dates, JSON and a left-joined (nullable) respondent: columns that need converters."""
    return (
        Registration.objects.filter(session_id=session, email=email)
        .order_by()
        .values_list(
            "pk",
            "created_at",
            "session__languages",
            "session__consultation__opens_on",
            "respondent__confirmed_at",
            "respondent__pk",
        )
    )


BY_EMAIL = CompiledQuery(by_email, session=-1_000_000_007, email="\x00sample-email")


@pytest.fixture
def people(demo):
    """Wanjiru has answered (she has a respondent), Amani has not; Jonas is in another session."""
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    wanjiru = register(africa, "Wanjiru", "Kamau", "wanjiru@example.org")
    respondent_for_registration(wanjiru)
    amani = register(africa, "Amani", "Otieno", "amani@example.org")
    jonas = register(europe, "Jonas", "Berg", "jonas@example.eu")
    return wanjiru, amani, jonas


def fields_of(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_rows_are_the_querysets_own_values_list(people):
    for registration in people:
        values = {"session": registration.session_id, "email": registration.email}
        rows = BY_EMAIL.rows(**values)
        assert rows == list(by_email(**values))
        assert len(rows) == 1 and rows[0][0] == registration.pk
        assert isinstance(rows[0][1], datetime) and isinstance(rows[0][2], list)
    wanjiru, amani, _ = people
    (answered,) = BY_EMAIL.rows(session=wanjiru.session_id, email=wanjiru.email)
    assert isinstance(answered[4], datetime) and answered[5] is not None
    assert BY_EMAIL.rows(session=amani.session_id, email=amani.email)[0][4:] == (None, None)


def test_rows_are_empty_when_nothing_matches(people):
    wanjiru, _, jonas = people
    assert BY_EMAIL.rows(session=jonas.session_id, email=wanjiru.email) == []
    assert BY_EMAIL.rows(session=wanjiru.session_id, email="nobody@example.org") == []


def test_one_compilation_serves_different_values_in_turn(people):
    built = []
    query = CompiledQuery(
        lambda **values: built.append(values) or by_email(**values), **BY_EMAIL.samples
    )
    wanjiru, amani, _ = people
    first = query.rows(session=wanjiru.session_id, email=wanjiru.email)
    second = query.rows(session=amani.session_id, email=amani.email)
    assert [row[0] for row in first] == [wanjiru.pk]
    assert [row[0] for row in second] == [amani.pk]
    assert built == [BY_EMAIL.samples]


def test_a_sample_that_is_not_a_parameter_is_refused():
    ignored = CompiledQuery(lambda pk: Registration.objects.filter(pk=1).values_list("pk"), pk=-7)
    with pytest.raises(ValueError, match="pk"):
        ignored.rows(pk=1)
    wrapped = CompiledQuery(
        lambda email: Registration.objects.filter(email__contains=email).values_list("pk"),
        email="\x00sample",
    )
    with pytest.raises(ValueError, match="email"):
        wrapped.rows(email="kamau")


@pytest.mark.parametrize("sample", [1.5, date(2024, 1, 20), True])
def test_a_sample_of_another_type_than_int_or_str_is_refused(sample):
    with pytest.raises(TypeError):
        CompiledQuery(
            lambda value: Registration.objects.filter(pk=value).values_list("pk"), value=sample
        )


WITH_RESPONDENT = CompiledQuery(
    lambda pk: (
        Registration.objects.filter(pk=pk)
        .order_by()
        .values_list(*columns(Registration), *columns(Respondent, "respondent__"))
    ),
    pk=-1_000_000_007,
)


def test_instance_rebuilds_the_orms_model_and_none_for_a_missing_join(people):
    wanjiru, amani, _ = people
    width = len(Registration._meta.concrete_fields)
    (row,) = WITH_RESPONDENT.rows(pk=wanjiru.pk)
    registration = instance(Registration, row[:width])
    respondent = instance(Respondent, row[width:])
    assert fields_of(registration) == fields_of(Registration.objects.get(pk=wanjiru.pk))
    assert fields_of(respondent) == fields_of(Respondent.objects.get(registration=wanjiru))
    assert not respondent._state.adding
    (row,) = WITH_RESPONDENT.rows(pk=amani.pk)
    assert instance(Registration, row[:width]).pk == amani.pk
    assert instance(Respondent, row[width:]) is None


def loaded_state(obj) -> tuple:
    """Everything an instance holds: its attributes, and whether it is saved and where."""
    attributes = {k: v for k, v in vars(obj).items() if k != "_state"}
    return type(obj), attributes, obj._state.adding, obj._state.db, obj._state.fields_cache


def test_instance_holds_exactly_what_from_db_gives(people, demo):
    wanjiru, _, _ = people
    recommendation = demo.recommendations.select_related("pillar").first()
    for obj in (
        wanjiru,
        wanjiru.session,
        demo,
        Respondent.objects.get(registration=wanjiru),
        recommendation,
        recommendation.pillar,
    ):
        model = type(obj)
        values = [getattr(obj, field.attname) for field in model._meta.concrete_fields]
        names = [field.attname for field in model._meta.concrete_fields]
        built = instance(model, values, using="default")
        assert loaded_state(built) == loaded_state(model.from_db("default", names, values))
        assert built == obj and built.pk == obj.pk


@isolate_apps("consulta.feedback")
def test_a_model_that_needs_its_init_still_goes_through_it():
    """A post_init receiver, an `__init__` of its own, or a column behind a descriptor of its
    own: each must see the instance built as `from_db` builds it."""

    class Seen(models.Model):  # noqa: DJ008 (never shown)
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "feedback"

    class Counted(models.Model):  # noqa: DJ008 (never shown)
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "feedback"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.built_by_init = True

    class Upper:
        def __get__(self, obj, owner=None):
            return self if obj is None else obj.__dict__["name"]

        def __set__(self, obj, value):
            obj.__dict__["name"] = value.upper()

    class Shouted(models.Model):  # noqa: DJ008 (never shown)
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "feedback"

    Shouted.name = Upper()

    seen = []

    def remember(sender, instance, **kwargs):
        seen.append(instance.name)

    models.signals.post_init.connect(remember, sender=Seen)
    try:
        assert instance(Seen, [1, "amani"]).name == "amani" and seen == ["amani"]
    finally:
        models.signals.post_init.disconnect(remember, sender=Seen)
    assert instance(Counted, [2, "jonas"]).built_by_init
    assert instance(Shouted, [3, "wanjiru"]).name == "WANJIRU"


def test_the_personal_link_loads_everything_in_one_query(people, django_assert_num_queries):
    wanjiru, amani, _ = people
    with django_assert_num_queries(1):
        registration = registration_for_token(personal_token(wanjiru))
    with django_assert_num_queries(0):
        assert fields_of(registration) == fields_of(wanjiru)
        assert registration.session.pk == wanjiru.session_id
        assert registration.session.consultation.pk == wanjiru.session.consultation_id
        assert registration.respondent.registration is registration
        assert registration.respondent.consultation is registration.session.consultation
    with django_assert_num_queries(1):
        silent = registration_for_token(personal_token(amani))
    with django_assert_num_queries(0):
        assert silent.pk == amani.pk and silent.session.consultation.slug
        assert not hasattr(silent, "respondent")


def test_an_altered_forged_or_revoked_link_finds_nothing(people):
    wanjiru = people[0]
    token = personal_token(wanjiru)
    assert registration_for_token(("A" if token[0] != "A" else "B") + token[1:]) is None
    assert registration_for_token(sign_link(wanjiru.pk, "a guessed nonce", SALT)) is None
    revoke_personal_link(wanjiru)
    assert registration_for_token(token) is None
    assert registration_for_token(personal_token(wanjiru)).pk == wanjiru.pk


# --- compiled writes: retiring an answer, inserting one, and the live recommendation lookup ---


def answer(respondent, code, key, **values) -> dict:
    """The fields of the respondent's answer on the recommendation with this code."""
    recommendation = Recommendation.objects.get(consultation=respondent.consultation, code=code)
    return {
        "respondent": respondent,
        "recommendation": recommendation,
        "submission_key": key,
    } | values


@pytest.fixture
def answered(people):
    """Wanjiru's current answers on MM-1 and MM-2, and Jonas's on MM-1."""
    wanjiru, _, jonas = people
    mine, his = wanjiru.respondent, respondent_for_registration(jonas)
    rows = [answer(mine, "MM-1", "a"), answer(mine, "MM-2", "b"), answer(his, "MM-1", "c")]
    return [Answer.objects.create(**row) for row in rows]


def currents() -> set[int]:
    return set(Answer.objects.filter(is_current=True).values_list("pk", flat=True))


def test_retiring_changes_only_the_selected_answer_and_counts_it(answered):
    first, second, other = answered
    assert _RETIRE_ANSWER.execute(pk=first.pk) == 1
    assert currents() == {second.pk, other.pk}
    assert _RETIRE_ANSWER.execute(pk=first.pk) == 0  # already not current: nothing matches
    assert _RETIRE_ANSWER.execute(pk=second.pk) == 1
    assert currents() == {other.pk}


def test_an_update_of_several_rows_returns_their_count(answered):
    retire_all = CompiledUpdate(
        lambda respondent: Answer.objects.filter(respondent_id=respondent, is_current=True),
        {"is_current": False},
        respondent=-1_000_000_007,
    )
    mine, his = answered[0].respondent_id, answered[2].respondent_id
    assert retire_all.execute(respondent=mine) == 2
    assert currents() == {answered[2].pk}
    assert retire_all.execute(respondent=mine) == 0
    assert retire_all.execute(respondent=his) == 1 and currents() == set()


def test_an_insert_stores_what_create_would(people):
    respondent, insert = people[0].respondent, CompiledInsert(Answer)
    varied = [
        {"comment": "Fund identification."},
        {
            "support": 4,
            "priority": 2,
            "comment": "Yes.",
            "proposed_text": "Fund it.",
            "language": "fr",
        },
    ]
    inserted = []
    for n, values in enumerate(varied):  # the first insert compiles, the second reuses the SQL
        start = timezone.now()
        obj = insert.insert(Answer(**answer(respondent, f"MM-{n + 1}", f"key-{n}", **values)))
        created = Answer.objects.create(**answer(respondent, f"HA-{n + 1}", "x", **values))
        assert obj.pk is not None and not obj._state.adding and obj._state.db == "default"
        stored = Answer.objects.get(pk=obj.pk)
        assert fields_of(stored) == fields_of(obj)
        assert start <= stored.created_at <= timezone.now()
        same = {"id", "recommendation_id", "submission_key", "created_at"}
        assert {k: v for k, v in fields_of(stored).items() if k not in same} == {
            k: v for k, v in fields_of(created).items() if k not in same
        }
        inserted.append(obj.pk)
    assert len(set(inserted)) == 2


def test_an_insert_breaking_a_unique_constraint_raises_and_writes_nothing(people):
    respondent, insert = people[0].respondent, CompiledInsert(Answer)
    insert.insert(Answer(**answer(respondent, "MM-1", "a")))
    before = Answer.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.insert(Answer(**answer(respondent, "MM-2", "b")))
        insert.insert(Answer(**answer(respondent, "MM-1", "c")))  # a second current answer on MM-1
    assert Answer.objects.count() == before


@isolate_apps("consulta.feedback")
def test_a_model_with_a_database_default_is_refused():
    """Its insert SQL has DEFAULT, not a placeholder, for that field: values would shift."""

    class Counter(models.Model):  # noqa: DJ008 (never shown)
        count = models.IntegerField(db_default=0)

        class Meta:
            app_label = "feedback"

    with pytest.raises(ValueError, match="Counter"):
        CompiledInsert(Counter)


def test_saving_an_answer_reads_the_link_and_the_recommendation_in_one_query(
    people, demo, django_assert_num_queries
):
    wanjiru = people[0]
    with django_assert_num_queries(1):
        registration, found = registration_and_recommendation(personal_token(wanjiru), "MM-2")
    with django_assert_num_queries(0):
        assert fields_of(registration) == fields_of(wanjiru)
        assert registration.session.consultation.pk == demo.pk
        assert registration.respondent.registration is registration
        assert found.pillar.code == "MM"
    assert fields_of(found) == fields_of(demo.recommendations.get(code="MM-2"))
    assert not found._state.adding


def test_the_recommendation_is_none_when_unknown_withdrawn_or_elsewhere(people, demo):
    wanjiru, amani, _jonas = people

    def recommendation(registration, code):
        found_registration, found = registration_and_recommendation(
            personal_token(registration), code
        )
        assert found_registration.pk == registration.pk  # found whatever the code
        return found

    assert recommendation(wanjiru, "MM-99") is None
    assert recommendation(amani, "MM-3") is not None
    demo.recommendations.filter(code="MM-3").update(status=Recommendation.Status.WITHDRAWN)
    assert recommendation(amani, "MM-3") is None
    other = Consultation.objects.create(slug="second-round", title="Second round")
    pillar = Pillar.objects.create(consultation=other, code="SR", title="Second round")
    Recommendation.objects.create(
        consultation=other, pillar=pillar, code="SR-1", title_en="Fund", text_en="Fund it."
    )
    assert recommendation(wanjiru, "SR-1") is None  # another consultation's
    assert recommendation(wanjiru, "MM-1").pillar.code == "MM"


def test_a_forged_link_finds_neither_registration_nor_recommendation(people):
    token = personal_token(people[0])
    forged = ("A" if token[0] != "A" else "B") + token[1:]
    assert registration_and_recommendation(forged, "MM-1") == (None, None)
    revoke_personal_link(people[0])
    assert registration_and_recommendation(token, "MM-1") == (None, None)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_the_personal_link_read_is_prepared_once_per_connection(people):
    wanjiru, amani, _jonas = people
    for registration in (wanjiru, amani, wanjiru):
        assert registration_for_token(personal_token(registration)).pk == registration.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT %%registrations_registration%%'"
        )
        prepared, executions = cursor.fetchone()
    assert prepared == 1
    assert executions >= 3


def test_placeholders_are_numbered_as_postgresql_writes_them():
    assert numbered("SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d = %s") == (
        "SELECT a FROM t WHERE b = $1 AND c LIKE 'x%' AND d = $2",
        (),
    )
    # A name used twice is one parameter; names come back in the order of their numbers.
    assert numbered("UPDATE t SET a = %(new)s WHERE a = %(old)s OR b = %(new)s") == (
        "UPDATE t SET a = $1 WHERE a = $2 OR b = $1",
        ("new", "old"),
    )
    with pytest.raises(ValueError, match="mixes"):
        numbered("SELECT %s, %(name)s")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server binds parameters on PostgreSQL only"
)
def test_a_prepared_statement_runs_django_sql_with_server_side_placeholders(people):
    wanjiru, _amani, _jonas = people
    with execute_prepared(
        connection,
        "SELECT given_name, %(pct)s FROM registrations_registration "
        "WHERE id = %(pk)s AND given_name LIKE '%%' AND id = %(pk)s",
        {"pk": wanjiru.pk, "pct": "100%"},
    ) as cursor:
        assert cursor.fetchall() == [(wanjiru.given_name, "100%")]
    with execute_prepared(
        connection, "SELECT count(*) FROM registrations_registration WHERE id = %s", [wanjiru.pk]
    ) as cursor:
        assert cursor.fetchall() == [(1,)]


def test_the_hot_reads_give_the_orms_aware_utc_datetimes(people, demo):
    wanjiru = people[0]
    Registration.objects.filter(pk=wanjiru.pk).update(
        # Written in another zone, with microseconds: read back as the same instant in UTC.
        consented_at=datetime(2026, 12, 3, 17, 5, 6, 123456, tzinfo=ZoneInfo("Africa/Nairobi"))
    )
    code = demo.recommendations.first().code
    registration, recommendation = registration_and_recommendation(personal_token(wanjiru), code)
    loaded = [
        registration,
        registration.session,
        registration.session.consultation,
        registration.respondent,
        recommendation,
    ]
    for instance_read in loaded:
        fresh = type(instance_read).objects.get(pk=instance_read.pk)
        for field in fresh._meta.concrete_fields:
            value = getattr(instance_read, field.attname)
            assert value == getattr(fresh, field.attname), field.name
            if isinstance(value, datetime):
                assert value.utcoffset() == timedelta(0), field.name
    assert registration.consented_at == datetime(2026, 12, 3, 14, 5, 6, 123456, tzinfo=UTC)
