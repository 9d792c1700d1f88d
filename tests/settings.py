"""Consulta's settings with a throw-away secret key, so the suite runs without configuration."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from consulta.settings import *  # noqa: F403

# Hashing test passwords slowly protects nothing and costs seconds per test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Jobs run as soon as they are queued (after the transaction commits), so a test checks the
# e-mail a request sends; tests/test_jobs.py switches to the database queue and its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
