"""A bare WSGI app that saves answers with exactly the database work of
`PUT /api/v1/me/answers/{code}`, by calling the same functions, and nothing of the web
framework: no URL routing, middleware, django-ninja or response schema. bench/ceiling.py runs
it under gunicorn to measure what the answer's own work allows on a machine. Never served to
anyone: a bad request simply fails.
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consulta.settings")

import django

django.setup()

from django.core import signals  # noqa: E402

from consulta.feedback import actions  # noqa: E402
from consulta.registrations.links import registration_and_recommendation  # noqa: E402


def application(environ, start_response):
    signals.request_started.send(sender=None)  # connections kept and checked as Django does
    try:
        values = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        code = environ["PATH_INFO"].rsplit("/", 1)[1]
        registration, recommendation = registration_and_recommendation(
            environ["HTTP_X_PERSONAL_TOKEN"], code
        )
        consultation = registration.session.consultation
        saved = actions.record_answer(
            actions.respondent_for_registration(registration),
            recommendation,
            values | {"language": registration.language},
            submission_key=environ["HTTP_IDEMPOTENCY_KEY"],
            consultation=consultation,
            key_per_respondent=True,
        )
        body = json.dumps({"id": saved.answer.pk, "support": saved.answer.support}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    finally:
        signals.request_finished.send(sender=None)
