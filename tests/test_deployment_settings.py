"""Production settings pass Django's deployment checks and refuse to start half-configured."""

import os
import subprocess
import sys


def run_consulta(*args, **env):
    inherited_by_tests = ("DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in inherited_by_tests}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "consulta.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = run_consulta(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 60 + "a-long-random-production-secret",
        ALLOWED_HOSTS="consulta.example",
        DJANGO_SETTINGS_MODULE="consulta.settings",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = run_consulta("check", DJANGO_SETTINGS_MODULE="consulta.settings")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_nonsense_setting_is_named():
    result = run_consulta("check", DEBUG="perhaps", DJANGO_SETTINGS_MODULE="consulta.settings")
    assert result.returncode != 0
    assert "DEBUG='perhaps'" in result.stderr


def test_prepared_statements_are_on_for_postgresql_unless_turned_off():
    """Behind an old PgBouncer in transaction mode a prepared statement breaks: the setting
    must really turn them off."""

    def prepare_threshold(**env):
        result = run_consulta(
            "shell",
            "-c",
            "from django.conf import settings; "
            "print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold', 'off'))",
            DEBUG="1",
            SECRET_KEY="x" * 60,
            DJANGO_SETTINGS_MODULE="consulta.settings",
            DATABASE_URL="postgres://consulta@db.internal:5432/consulta",
            **env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert prepare_threshold() == "0"
    assert prepare_threshold(DATABASE_PREPARED_STATEMENTS="0") == "off"


def test_postgresql_checks_kept_connections_after_a_second_idle_unless_told_otherwise():
    def database_setting(**env):
        result = run_consulta(
            "shell",
            "-c",
            "from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], d['HEALTH_CHECK_AFTER_IDLE'])",
            DEBUG="1",
            SECRET_KEY="x" * 60,
            DJANGO_SETTINGS_MODULE="consulta.settings",
            DATABASE_URL="postgres://consulta@db.internal:5432/consulta",
            **env,
        )
        return result.returncode, (result.stdout or result.stderr).strip().splitlines()[-1]

    assert database_setting() == (0, "consulta.serving.postgresql True 1")
    assert database_setting(DATABASE_HEALTH_CHECK_AFTER_IDLE="0") == (
        0,
        "consulta.serving.postgresql True 0",
    )
    status, message = database_setting(DATABASE_HEALTH_CHECK_AFTER_IDLE="soon")
    assert status != 0
    assert "DATABASE_HEALTH_CHECK_AFTER_IDLE='soon' is not a whole number" in message
