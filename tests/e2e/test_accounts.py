"""Accounts in a real browser: the administrator and the dispatch office run officials' accounts
from 用户管理 (create, deactivate with hand-over, reset with a forced change at the first
login, unlock), a forgotten password reaches the administrator's inbox, and an enterprise
account is opened from the enterprise's page, activated through its link and keeps its own
contact details."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services as assistance
from zhuqi.assistance.models import Assignment
from zhuqi.core.models import Role, User
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Neu#Passw0rd9"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _sign_in(page, username, password):
    page.goto("/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def _sign_out(page):
    page.context.clear_cookies()


def _menu(page, label):
    page.locator("[data-testid=nav-menu] a", has_text=label).first.click()


def test_admin_creates_an_official_who_must_change_the_password_first(page, world):
    log_in(page, "admin", PASSWORD)
    _menu(page, "用户管理")
    page.click("[data-testid=account-new]")
    page.click("[data-testid=account-save]")  # empty: each field says what it needs
    expect(page.locator("[data-testid=error-username]")).to_contain_text("请填写用户名")
    page.fill("#id_username", "zhaoliu")
    page.fill("#id_full_name", "赵六")
    page.select_option("#id_role", Role.HANDLER)
    page.select_option("#id_region", label="尉氏县")
    page.fill("#id_mobile", "12345")
    page.click("[data-testid=account-save]")
    expect(page.locator("[data-testid=error-department]")).to_contain_text("必须选择所属部门")
    assert "11 位数字" in page.locator("[data-testid=error-mobile]").inner_text()
    page.select_option("#id_department", label="尉氏县工信局")
    page.fill("#id_mobile", "13800000001")
    page.click("[data-testid=account-save]")
    password = page.locator("[data-testid=temp-password]").inner_text().strip()
    shot(page, "accounts-1-created")
    person = User.objects.get(username="zhaoliu")
    assert person.department == world.jxj and person.must_change_password

    _sign_out(page)
    _sign_in(page, "zhaoliu", password)
    page.wait_for_selector("[data-testid=password-forced]")
    expect(page.locator("label[for=id_old_password]")).to_have_count(1)
    assert page.get_attribute("#id_old_password", "autocomplete") == "current-password"
    assert page.get_attribute("#id_new_password1", "autocomplete") == "new-password"
    page.goto("/cases/")  # every other page sends them back
    page.wait_for_selector("[data-testid=password-forced]")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", "Other#Passw0rd9")
    page.click("[data-testid=password-save]")
    expect(page.locator("[data-testid=error-new_password2]")).to_contain_text("两次输入的新密码不一致")
    shot(page, "accounts-2-forced-change")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("[data-testid=password-save]")
    page.wait_for_selector("[data-testid=home-title]")
    person.refresh_from_db()
    assert not person.must_change_password


def test_dispatch_deactivates_a_leaver_handing_over_their_enterprises(page, world):
    for name, grid in (("尉氏恒顺有限公司", world.grid), ("尉氏丰原有限公司", world.grid2)):
        ent = make_enterprise(name, grid)
        assistance.assign(ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    successor = User.objects.create_user(
        "zy02", password=PASSWORD, full_name="接班专员", role=Role.COMMISSIONER, region=world.park
    )
    log_in(page, "alice", PASSWORD)
    _menu(page, "用户管理")
    page.select_option("#f-role", Role.COMMISSIONER)
    page.wait_for_selector("[data-testid=account-table] td:has-text('zy02')")
    page.locator("[data-testid=account-table] a", has_text="commissioner").click()
    page.click("[data-testid=account-deactivate]")
    expect(page.locator("[data-testid=handover-count]")).to_have_text("2")
    assert "尉氏恒顺有限公司" in page.locator("[data-testid=handover-items]").inner_text()
    page.fill("#id_reason", "调离")
    page.click("[data-testid=deactivate-submit]")
    expect(page.locator("[data-testid=error-to_user]")).to_contain_text("还有 2 项工作未交接")
    page.select_option("#id_to_user", label="接班专员（首席服务专员）")
    shot(page, "accounts-3-hand-over")
    page.click("[data-testid=deactivate-submit]")
    page.wait_for_selector("[data-testid=account-inactive]")
    assert not User.objects.get(username="commissioner").is_active
    current = Assignment.objects.filter(ended_on__isnull=True)
    assert current.count() == 2 and {a.user_id for a in current} == {successor.pk}


def test_admin_resets_a_password_and_the_holder_changes_it_at_login(page, world):
    log_in(page, "admin", PASSWORD)
    page.goto(f"/core/accounts/{world.bob.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=account-reset]")
    password = page.locator("[data-testid=temp-password]").inner_text().strip()
    shot(page, "accounts-4-reset")
    _sign_out(page)
    _sign_in(page, "bob", PASSWORD)  # the old password no longer works
    assert page.locator("[data-testid=login-error]").is_visible()
    _sign_in(page, "bob", password)
    page.wait_for_selector("[data-testid=password-forced]")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("[data-testid=password-save]")
    page.wait_for_selector("[data-testid=home-title]")
    _sign_out(page)
    log_in(page, "bob", NEW_PASSWORD)


def test_forgotten_password_request_reaches_the_administrator(page, world):
    page.goto("/account/login/")
    page.click("[data-testid=forgot-link]")
    assert page.get_attribute("#id_username", "autocomplete") == "username"
    page.fill("#id_username", "bob")
    page.click("[data-testid=forgot-submit]")
    said_for_bob = page.locator("[data-testid=forgot-done]").inner_text()
    page.goto("/account/forgot/")
    page.fill("#id_username", "nobody-here")
    page.click("[data-testid=forgot-submit]")
    assert page.locator("[data-testid=forgot-done]").inner_text() == said_for_bob  # reveals nothing
    shot(page, "accounts-5-forgot")

    log_in(page, "admin", PASSWORD)
    page.goto("/core/inbox/")
    page.locator("a", has_text="申请重置密码").first.click()
    page.wait_for_selector("[data-testid=account-actions]")
    assert f"/core/accounts/{world.bob.pk}/" in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=account-reset]")
    assert page.locator("[data-testid=temp-password]").inner_text().strip()


def test_enterprise_account_invited_activated_and_updating_its_contacts(page, world):
    ent = make_enterprise("尉氏恒顺有限公司", world.grid, contact_name="旧联系人")
    log_in(page, "alice", PASSWORD)
    page.goto(f"/enterprises/{ent.pk}/")
    page.click("[data-testid=account-invite]")
    page.fill("#id_username", "hs01")
    page.fill("#id_full_name", "王五")
    page.fill("#id_mobile", "13800000009")
    page.click("[data-testid=invite-save]")
    link = page.locator("[data-testid=activation-link]").inner_text().strip()
    shot(page, "accounts-6-activation-link")
    page.goto(f"/enterprises/{ent.pk}/")
    assert "待激活" in page.locator("[data-testid=member-hs01]").inner_text()
    assert EnterpriseUser.objects.get(user__username="hs01").is_primary

    _sign_out(page)
    page.goto(link)
    assert page.get_attribute("#id_new_password1", "autocomplete") == "new-password"
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("[data-testid=password-save]")
    assert (
        "密码太短：至少需要 10 个字符" in page.locator("[data-testid=error-new_password1]").first.inner_text()
    )
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("[data-testid=password-save]")
    page.wait_for_selector("#id_username")
    page.goto(link)
    assert page.locator("[data-testid=link-invalid]").is_visible()  # one time only

    log_in(page, "hs01", NEW_PASSWORD)
    _menu(page, "联系方式")
    page.fill("#id_contact_name", "王五")
    page.fill("#id_contact_phone", "0371-1234567")
    page.fill("#id_email", "wangwu@example.com")
    page.click("[data-testid=contacts-save]")
    page.wait_for_selector(".alert-success")
    shot(page, "accounts-7-contacts")
    ent = Enterprise.objects.get(pk=ent.pk)
    assert (ent.contact_name, ent.contact_phone, ent.name) == ("王五", "0371-1234567", "尉氏恒顺有限公司")
    assert User.objects.get(username="hs01").email == "wangwu@example.com"


def test_admin_unlocks_a_locked_account(page, world, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(page, "bob", "wrong-password")
    page.wait_for_selector("[data-testid=locked]")
    _sign_in(page, "bob", PASSWORD)
    page.wait_for_selector("[data-testid=locked]")  # locked even with the right password

    log_in(page, "admin", PASSWORD)
    _menu(page, "锁定账号")
    assert "bob" in page.locator("[data-testid=locked-table]").inner_text()
    shot(page, "accounts-8-locked")
    page.click("[data-testid=unlock-bob]")
    page.wait_for_selector("[data-testid=locked-empty]")
    _sign_out(page)
    log_in(page, "bob", PASSWORD)
