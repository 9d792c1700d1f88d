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
"""

import time

from django.db.backends.postgresql import base

DEFAULT_AFTER_IDLE = 1


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after_idle = self.settings_dict.get("HEALTH_CHECK_AFTER_IDLE", DEFAULT_AFTER_IDLE)
        self.last_used = float("-inf")

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
