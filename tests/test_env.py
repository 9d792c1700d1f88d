import pytest

from consulta.lib.env import BadSetting, env_bool, env_int, env_list, stored_secret


def test_yes_no_settings_refuse_words_they_do_not_know(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    assert env_bool("DEBUG", False) is True
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(BadSetting, match="DEBUG='maybe'"):
        env_bool("DEBUG", False)


def test_numbers_and_lists_are_read_strictly(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(BadSetting, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("ALLOWED_HOSTS", "consulta.example, ,www.consulta.example")
    assert env_list("ALLOWED_HOSTS", []) == ["consulta.example", "www.consulta.example"]


def test_a_generated_secret_is_kept_for_the_next_start(tmp_path):
    path = tmp_path / ".consulta-secret-key"
    first = stored_secret(path)
    assert len(first) > 40
    assert stored_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
