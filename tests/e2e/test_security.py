"""Two-factor enrolment in a real browser: a system administrator with 2FA required is sent to
enrol, starts the enrolment with a button (opening the page writes nothing), scans or types the
key, enters the code and lands on the page they asked for."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_enrols_a_totp_authenticator_and_gets_in(page, world, settings):
    settings.ZHUQI_ADMIN_2FA = True
    page.goto("/account/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=totp-start]")
    assert "/account/2fa/" in page.url
    assert "绑定动态口令" in page.locator("h1").inner_text()
    assert not TOTPDevice.objects.filter(user=world.admin).exists()  # opening the page wrote nothing
    shot(page, "totp-1-start")

    page.click("[data-testid=totp-start]")
    page.wait_for_selector("[data-testid=totp-qr] svg")
    device = TOTPDevice.objects.get(user=world.admin, confirmed=False)
    assert page.locator("code").inner_text().strip()  # the key, for typing in by hand
    shot(page, "totp-2-qr")

    page.fill("#id_token", "000000" if totp(device.bin_key) != 0 else "111111")
    page.click("button:has-text('确认')")
    expect(page.locator(".text-danger")).to_contain_text("动态口令不正确")
    device.refresh_from_db()
    assert not device.confirmed

    page.wait_for_timeout(2500)  # django-otp throttles the try after a failure for a second or two
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("#id_token", f"{code:06d}")
    page.click("button:has-text('确认')")
    page.wait_for_selector("[data-testid=home-title]")
    device.refresh_from_db()
    assert device.confirmed
    shot(page, "totp-3-home")
