"""Django's PostgreSQL backend, with the health check of kept connections done only where it
can find something.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before a kept connection's first query in every
request. Under load a connection is reused within milliseconds of its last query, and that
extra round trip would be one of three for saving an answer (beside the link's read and the
save). Here a connection whose last cursor was opened less than `HEALTH_CHECK_AFTER_IDLE`
seconds ago (database settings; default 1, from DATABASE_HEALTH_CHECK_AFTER_IDLE) is taken as
healthy; an older one is checked as Django does. After a database restart, an idle connection is replaced before use, as before;
a connection busy at the very moment the server restarted fails one request, which answers 503
(consulta.serving.unavailable) and which clients retry, and Django closes it when that request
ends. 0 checks before every request, as Django does.

With prepared statements on, `prepared_cursor(sql)` serves the hottest statements
(consulta.lib.compiled) from cursors kept for the connection's life, one per statement.
"""

import datetime
import time

import psycopg
from django.db.backends.postgresql import base

DEFAULT_AFTER_IDLE = 1

_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(
    psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)


class KeptCursor(psycopg.RawCursor):
    """A cursor that binds parameters on the server (`$1` placeholders) and stays open with its
    connection: Django's cursor wrapper closes its cursor after each statement, which here does
    nothing (the next statement replaces the result it holds). It needs no closing: it holds
    nothing on the server."""

    def close(self):
        pass


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after_idle = self.settings_dict.get("HEALTH_CHECK_AFTER_IDLE", DEFAULT_AFTER_IDLE)
        self.last_used = float("-inf")
        self._kept_cursors = (None, {})  # (the connection they belong to, a cursor per SQL)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.last_used < self.after_idle
        ):
            self.health_check_done = True
        super().close_if_health_check_failed()

    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        self.last_used = time.monotonic()
        return cursor

    def prepared_cursor(self, sql: str):
        """Django's cursor (health-checked, connected, errors wrapped, queries logged) around
        the connection's `KeptCursor` for `sql`, or None when prepared statements are off.

        One cursor per statement (the hot statements are a handful), kept with the connection:
        run again with the same SQL, a psycopg cursor keeps the adapters it found for the
        parameters' and the columns' types (90 columns for the personal link's read) instead
        of looking them up again. Opening a cursor per statement had cost a tenth of the
        statement's CPU on the client: Django's cursor made and dropped for a raw one each
        time, and the raw one's copy of the connection's adapters to add its timestamp loader.
        Its timestamps are read by psycopg's compiled loader, not Django's Python one: the
        session is in UTC (Django sets it), so both give the same aware datetimes, and
        Django's parsing cost a twentieth of an answer's CPU. Only here: Django's own cursors
        expect its loader on the connection."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        raw = self.connection
        if raw.prepare_threshold is None:
            return None
        with self.wrap_database_errors:
            kept_with, kept_for = self._kept_cursors
            if kept_with is not raw:
                kept_for = {}
                self._kept_cursors = (raw, kept_for)
            kept = kept_for.get(sql)
            if kept is None:
                kept = kept_for[sql] = KeptCursor(raw)
                if self.timezone is datetime.UTC:
                    kept.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)
            self.last_used = time.monotonic()
            return self._prepare_cursor(kept)
