"""A kept PostgreSQL connection is health-checked only after it sat idle
(consulta/serving/postgresql): the check that finds a restarted server stays, the round trip
before every busy request goes."""

import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

from consulta.lib.compiled import execute_prepared
from consulta.registrations.links import personal_token, registration_for_token
from tests.conftest import register

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the health check is PostgreSQL's backend"
    ),
]


def this_threads_connection():
    """The connection itself: monkeypatch undoes a patch made through django.db.connection
    (a proxy) by deleting the attribute from the connection."""
    return connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def health_checks(monkeypatch):
    """Counts the checks; `new_request()` starts a request as Django does (a kept connection
    is checked, at most once, before its first query)."""

    class Checks:
        count = 0

        @staticmethod
        def new_request():
            connection.health_check_done = False

    real_is_usable = this_threads_connection().is_usable

    def counted():
        Checks.count += 1
        return real_is_usable()

    monkeypatch.setattr(this_threads_connection(), "is_usable", counted)
    return Checks


def server_pid() -> int:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def drop_on_the_server(pid: int) -> None:
    """What a database restart does to a kept connection."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)


@pytest.fixture
def within_the_allowance(monkeypatch):
    """Idle for less than the allowance however slow the machine running the test."""
    monkeypatch.setattr(this_threads_connection(), "after_idle", 60)


def test_a_connection_used_a_moment_ago_goes_unchecked(health_checks, within_the_allowance):
    server_pid()
    for _ in range(3):
        health_checks.new_request()
        server_pid()
    assert health_checks.count == 0


def test_a_connection_left_idle_is_checked_and_replaced_when_the_server_dropped_it(
    health_checks,
):
    pid = server_pid()
    drop_on_the_server(pid)
    connection.last_used -= connection.after_idle + 1  # idle since before the restart
    health_checks.new_request()
    assert server_pid() != pid, "a fresh connection answers"
    assert health_checks.count == 1


def test_a_connection_busy_when_the_server_dropped_it_fails_one_request_then_reconnects(
    health_checks, within_the_allowance
):
    """The trade: one request fails (503, which clients retry); Django closes the connection
    as that request ends, and the next request connects afresh."""
    pid = server_pid()
    drop_on_the_server(pid)
    health_checks.new_request()
    with pytest.raises(OperationalError):
        server_pid()
    connection.close_if_unusable_or_obsolete()  # the end of the request
    health_checks.new_request()
    assert server_pid() != pid


def test_with_no_idle_time_allowed_every_request_is_checked(health_checks, monkeypatch):
    monkeypatch.setattr(this_threads_connection(), "after_idle", 0)
    server_pid()
    for _ in range(3):
        health_checks.new_request()
        server_pid()
    assert health_checks.count == 3


@pytest.fixture
def personal_link(demo):
    registration = register(demo.sessions.get(key="africa"), "Amani", "Otieno", "amani@ex.org")
    return registration, personal_token(registration)


def test_the_hot_statements_count_as_use_of_the_connection(
    personal_link, health_checks, within_the_allowance
):
    """A connection kept busy saving answers, which only run the hot statements on the kept
    cursor, is as used as any other: no check before its next request."""
    registration, token = personal_link
    this_threads_connection().last_used = time.monotonic() - 59.5
    assert registration_for_token(token).pk == registration.pk
    time.sleep(1)  # now 60.5 s since the last use, unless the read above counted
    health_checks.new_request()
    assert registration_for_token(token).pk == registration.pk
    assert health_checks.count == 0


def test_the_hot_statements_keep_a_cursor_each_and_take_new_ones_with_a_new_connection(
    personal_link, health_checks
):
    registration, token = personal_link
    given = "SELECT given_name FROM registrations_registration WHERE id = %s"
    family = given.replace("given_name", "family_name")

    def run(sql):
        with execute_prepared(connection, sql, [registration.pk]) as cursor:
            return cursor.cursor, cursor.fetchall()

    kept, rows = run(given)
    assert rows == [("Amani",)]
    assert run(given) == (kept, rows)
    other, rows = run(family)
    assert other is not kept and rows == [("Otieno",)]
    pid = server_pid()
    drop_on_the_server(pid)
    connection.last_used -= connection.after_idle + 1  # idle since before the restart
    health_checks.new_request()
    assert registration_for_token(token).pk == registration.pk, "read on the new connection"
    renewed, rows = run(given)
    assert renewed is not kept and rows == [("Amani",)]
    assert server_pid() != pid
