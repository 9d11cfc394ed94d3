"""Security baseline: lockout, password policy, headers, two-factor for admins, deploy check."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_five_failures_lock_the_account_even_for_the_right_password(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_password_logs_in_and_lands_on_home(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.context["home_title"] == "专班办公室工作台"


@pytest.mark.parametrize("weak", ["short1A!", "alllowercaseletters", "1234567890123", "zhuqizhuqi123"])
def test_weak_passwords_are_refused_in_chinese(weak):
    with pytest.raises(ValidationError) as exc:
        validate_password(weak)
    assert any(("密码" in m) or ("password" in m.lower()) for m in exc.value.messages)


def test_strong_password_is_accepted():
    validate_password("Qiye#Fuwu2026")


def test_security_headers(world, login):
    response = login(world.alice).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_must_enrol_and_pass_totp_when_2fa_is_on(world, client, settings):
    settings.ZHUQI_ADMIN_2FA = True
    client.force_login(world.admin)
    response = client.get("/core/departments/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
    page = client.get("/account/2fa/?next=/core/departments/")
    assert "绑定动态口令" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=world.admin).exists()  # a GET writes nothing
    started = client.post("/account/2fa/?next=/core/departments/", {"start": "1"})
    assert started.status_code == 302 and started["Location"] == "/account/2fa/?next=%2Fcore%2Fdepartments%2F"
    device = TOTPDevice.objects.get(user=world.admin, confirmed=False)
    page = client.get(started["Location"])
    assert 'data-testid="totp-qr"' in page.content.decode()
    client.get(started["Location"])
    assert TOTPDevice.objects.filter(user=world.admin).count() == 1  # reloading adds no device
    bad = client.post("/account/2fa/", {"token": "000000"})
    assert "动态口令不正确" in bad.content.decode()
    # after a failure django-otp throttles the next try for a second or two
    with time_machine.travel(datetime.timedelta(seconds=10)):
        token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        passed = client.post("/account/2fa/?next=/core/departments/", {"token": f"{token:06d}"})
        assert passed["Location"] == "/core/departments/"
        assert client.get("/core/departments/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(event="totp_enrolled", actor=world.admin).count() == 1


def test_admin_with_a_device_is_asked_for_the_code_only(world, client, settings):
    settings.ZHUQI_ADMIN_2FA = True
    TOTPDevice.objects.create(user=world.admin, name="zhuqi", confirmed=True)
    client.force_login(world.admin)
    page = client.get("/account/2fa/").content.decode()
    assert "请输入动态口令" in page and "totp-qr" not in page and "totp-start" not in page
    assert client.post("/account/2fa/?next=https://evil.example/", {"token": "000000"}).status_code == 200


def test_non_admins_are_not_asked_for_totp(world, login, settings):
    settings.ZHUQI_ADMIN_2FA = True
    assert login(world.alice).get("/core/departments/").status_code == 200


def test_session_expires_and_cookies_are_hardened(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


def test_an_idle_session_ends_after_eight_hours_and_pages_do_not_write_it_each_time(world, client):
    """The session's expiry slides with use, moved at most every SESSION_REFRESH_SECONDS: a page
    opened a minute after the last save writes nothing; one opened six minutes later moves the
    expiry; eight idle hours after that the next page asks to log in again."""
    from django.contrib.sessions.models import Session

    start = datetime.datetime(2026, 6, 10, 1, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        key = client.cookies["sessionid"].value
        client.get("/core/departments/")
        first = Session.objects.get(session_key=key).expire_date
        clock.shift(datetime.timedelta(minutes=1))
        assert client.get("/core/departments/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date == first  # nothing written
        clock.shift(datetime.timedelta(minutes=5))
        assert client.get("/core/departments/").status_code == 200
        moved = Session.objects.get(session_key=key).expire_date
        assert moved == first + datetime.timedelta(minutes=6)
        clock.shift(datetime.timedelta(hours=8, seconds=1))
        response = client.get("/core/departments/")
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_check_deploy_is_clean_under_production_settings():
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests; not in production
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="a-long-random-production-secret-for-the-deploy-check-0123456789-abcdef",
        ALLOWED_HOSTS="zhuqi.gov.example",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "zhuqi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(os.environ, DJANGO_ENV="production")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "zhuqi.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
