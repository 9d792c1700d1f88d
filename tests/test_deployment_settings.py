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
