"""Settings are explicit and strict: typed helpers refuse values they cannot mean, and the
audit log takes the client's address from X-Forwarded-For only when told to trust it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from zhuqi import settings as zhuqi_settings
from zhuqi.core.models import AuditEntry

SRC = Path(zhuqi_settings.__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("false", False), ("TRUE", True), (" False ", False)]
)
def test_env_bool_reads_true_and_false(monkeypatch, value, expected):
    monkeypatch.setenv("ZHUQI_SOME_SWITCH", value)
    assert zhuqi_settings.env_bool("ZHUQI_SOME_SWITCH", not expected) is expected


def test_env_bool_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("ZHUQI_SOME_SWITCH", raising=False)
    assert zhuqi_settings.env_bool("ZHUQI_SOME_SWITCH", True) is True
    monkeypatch.setenv("ZHUQI_SOME_SWITCH", "")
    assert zhuqi_settings.env_bool("ZHUQI_SOME_SWITCH", False) is False


@pytest.mark.parametrize("value", ["1", "0", "yes", "on", "ture"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("ZHUQI_SOME_SWITCH", value)
    with pytest.raises(zhuqi_settings.SettingError, match="ZHUQI_SOME_SWITCH must be true or false"):
        zhuqi_settings.env_bool("ZHUQI_SOME_SWITCH")


def test_env_int_refuses_a_word(monkeypatch):
    monkeypatch.setenv("ZHUQI_SOME_NUMBER", "five")
    with pytest.raises(zhuqi_settings.SettingError, match="ZHUQI_SOME_NUMBER must be a whole number"):
        zhuqi_settings.env_int("ZHUQI_SOME_NUMBER", 5)


def test_env_choice_refuses_a_value_outside_its_choices(monkeypatch):
    monkeypatch.setenv("ZHUQI_SOME_ENV", "prod")
    with pytest.raises(
        zhuqi_settings.SettingError, match="ZHUQI_SOME_ENV must be one of development, production"
    ):
        zhuqi_settings.env_choice("ZHUQI_SOME_ENV", ("development", "production"), "development")
    monkeypatch.delenv("ZHUQI_SOME_ENV")
    assert (
        zhuqi_settings.env_choice("ZHUQI_SOME_ENV", ("development", "production"), "development")
        == "development"
    )


def test_a_bad_switch_stops_start_up_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"PYTHONPATH": str(SRC), "ZHUQI_HOME": str(tmp_path), "TRUST_X_FORWARDED_FOR": "yes"})
    env["DJANGO_SETTINGS_MODULE"] = "zhuqi.settings"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUST_X_FORWARDED_FOR must be true or false, not 'yes'" in result.stderr


def _login_entry(client, world, **meta):
    from tests.conftest import PASSWORD

    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, **meta)
    return AuditEntry.objects.filter(action="login", actor=world.alice).latest("id")


@pytest.mark.django_db
def test_forwarded_address_is_ignored_unless_trusted(world, client, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    entry = _login_entry(client, world, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert entry.ip == "10.0.0.2"


@pytest.mark.django_db
def test_behind_the_trusted_proxy_the_audit_records_the_client(world, client, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    # the client forged an entry; the proxy appended the address it saw
    entry = _login_entry(
        client, world, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert entry.ip == "203.0.113.7"
    # without the header (a health check from the proxy host) the proxy's address stays
    client.logout()
    assert _login_entry(client, world, REMOTE_ADDR="10.0.0.2").ip == "10.0.0.2"
