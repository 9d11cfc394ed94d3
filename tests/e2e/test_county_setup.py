"""A county set up and run end to end from the product's own pages, never /admin/ (#11, "Done
means"): on a freshly migrated database with nothing but the installer's administrator, the
administrator creates the county and its departments, an official and an enterprise with its
account, enters next year's holidays and edits the SLA scheme; the official logs in and works;
the enterprise user logs in, updates its contacts and raises a problem, which the official then
accepts and dispatches."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.enterprises.helpers import credit_code
from zhuqi.cases.models import Case, SlaPolicy
from zhuqi.core.models import Department, HolidayArrangement, Region, Role, User
from zhuqi.core.workcalendar import SHANGHAI, is_working_day
from zhuqi.enterprises.models import Enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT_PASSWORD = "Root#Passw0rd1"
NEW_PASSWORD = "Neu#Passw0rd9"


def _sign_in(pg, username, password):
    pg.context.clear_cookies()
    pg.goto("/account/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", password)
    pg.click("button[type=submit]")


def _change_forced_password(pg, old):
    pg.wait_for_selector("[data-testid=password-forced]")
    pg.fill("#id_old_password", old)
    pg.fill("#id_new_password1", NEW_PASSWORD)
    pg.fill("#id_new_password2", NEW_PASSWORD)
    pg.click("[data-testid=password-save]")
    pg.wait_for_selector("[data-testid=home-title]")


def _setting(pg, testid):
    pg.locator("[data-testid=nav-menu] a", has_text="系统设置").click()
    pg.click(f"[data-testid=setting-{testid}]")


def test_a_county_is_set_up_and_run_without_the_admin_site(page, monkeypatch):
    # what a fresh install has: the migrations' own rows (the 13710 scheme) and the installer's
    # administrator, made with the command docs/operations.md names
    importlib.import_module("zhuqi.cases.migrations.0009_default_sla_schemes").load(apps, None)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ROOT_PASSWORD)
    call_command("createsuperuser", "--noinput", username="root", email="root@example.com", verbosity=0)
    assert not Region.objects.exists() and not Department.objects.exists()
    pg = page

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=True):
        _sign_in(pg, "root", ROOT_PASSWORD)
        pg.wait_for_selector("[data-testid=home-title]")
        assert "/admin/" not in pg.url

        # 1. the county and a town, from 系统设置 → 行政区划
        _setting(pg, "coresettings_regions")
        form = pg.locator("[data-testid=region-form]")
        form.locator("#id_code").fill("410225")
        form.locator("#id_name").fill("兰考县")
        form.locator("#id_kind").select_option("county")
        pg.click("[data-testid=region-submit]")
        pg.wait_for_selector("[data-testid=timeline]")
        county = Region.objects.get(code="410225")
        pg.goto("/core/settings/regions/")
        form = pg.locator("[data-testid=region-form]")
        form.locator("#id_code").fill("410225100")
        form.locator("#id_name").fill("城关镇")
        form.locator("#id_kind").select_option("town")
        form.locator("#id_parent").select_option(label="兰考县")
        pg.click("[data-testid=region-submit]")
        pg.wait_for_selector("[data-testid=timeline]")
        town = Region.objects.get(code="410225100")
        assert town.parent == county

        # 2. its dispatch office and a department, from 系统设置 → 部门
        for name, kind in (("兰考县助企专班", "dispatch_office"), ("兰考县工信局", None)):
            _setting(pg, "coresettings_departments")
            form = pg.locator("[data-testid=department-form]")
            form.locator("#id_name").fill(name)
            if kind:
                form.locator("#id_kind").select_option(kind)
            form.locator("#id_region").select_option(label="兰考县")
            pg.click("[data-testid=department-submit]")
            pg.wait_for_selector("[data-testid=timeline]")
        office = Department.objects.get(name="兰考县助企专班")
        jxj = Department.objects.get(name="兰考县工信局")
        assert office.kind == "dispatch_office" and jxj.region == county

        # 3. an official of the dispatch office, from 用户管理
        pg.locator("[data-testid=nav-menu] a", has_text="用户管理").first.click()
        pg.click("[data-testid=account-new]")
        pg.fill("#id_username", "lk_zhuanban")
        pg.fill("#id_full_name", "李专班")
        pg.select_option("#id_role", Role.DISPATCH)
        pg.select_option("#id_region", label="兰考县")
        pg.select_option("#id_department", label="兰考县助企专班")
        pg.fill("#id_mobile", "13800000021")
        pg.click("[data-testid=account-save]")
        official_password = pg.locator("[data-testid=temp-password]").inner_text().strip()
        official = User.objects.get(username="lk_zhuanban")
        assert official.must_change_password and official.department == office

        # 4. an enterprise and its portal account with an activation link
        pg.goto("/enterprises/new/")
        form = pg.locator("[data-testid=enterprise-form]")
        form.locator("#id_name").fill("兰考瑞华乐器有限公司")
        form.locator("#id_credit_code").fill(credit_code("410225", 7))
        form.locator("#id_region").select_option(label="城关镇")
        pg.click("[data-testid=enterprise-save]")
        pg.wait_for_selector("[data-testid=account-invite]")
        ent = Enterprise.objects.get(name="兰考瑞华乐器有限公司")
        pg.click("[data-testid=account-invite]")
        pg.fill("#id_username", "ruihua")
        pg.fill("#id_full_name", "王会计")
        pg.fill("#id_mobile", "13800000022")
        pg.click("[data-testid=invite-save]")
        activation_link = pg.locator("[data-testid=activation-link]").inner_text().strip()

        # 5. next year's national holiday arrangement, after its preview
        assert "2027年" in pg.locator("[data-testid=calendar-warning]").inner_text()
        pg.click("[data-testid=calendar-warning-link]")
        form = pg.locator("[data-testid=holiday-form]")
        form.locator("#id_year").fill("2027")
        form.locator("#id_notice").fill("国务院办公厅关于2027年部分节假日安排的通知")
        form.locator("#id_holidays").fill("2027-01-01\n2月6日至12日")
        form.locator("#id_workdays").fill("2027-02-20")
        pg.click("[data-testid=holiday-preview-button]")
        pg.click("[data-testid=holiday-save]")
        pg.wait_for_selector("[data-testid=arrangement-2027]")
        expect(pg.locator("[data-testid=calendar-warning]")).to_have_count(0)
        assert HolidayArrangement.objects.filter(year=2027).exists()
        assert not is_working_day(dt.date(2027, 2, 8)) and is_working_day(dt.date(2027, 2, 20))

        # 6. the SLA scheme: a major case gets 20 working days instead of 22
        _setting(pg, "casessla")
        pg.locator("[data-testid=scheme-henan13710] a", has_text="重大复杂").click()
        pg.locator("#id_resolve_days").fill("20")
        pg.click("[data-testid=sla-policy-submit]")
        pg.wait_for_selector(".alert-success")
        assert SlaPolicy.objects.get(scheme="henan13710", urgency="major").resolve_days == 20
        shot(pg, "county-setup-1-administrator")

        # 7. the enterprise's staff member activates the account, updates the contacts and
        #    raises a problem
        pg.context.clear_cookies()
        pg.goto(activation_link)
        pg.fill("#id_new_password1", NEW_PASSWORD)
        pg.fill("#id_new_password2", NEW_PASSWORD)
        pg.click("[data-testid=password-save]")
        pg.wait_for_selector("#id_username")
        _sign_in(pg, "ruihua", NEW_PASSWORD)
        pg.wait_for_selector("[data-testid=home-title]")
        pg.locator("[data-testid=nav-menu] a", has_text="联系方式").first.click()
        pg.fill("#id_contact_name", "王会计")
        pg.fill("#id_contact_phone", "0371-6999888")
        pg.click("[data-testid=contacts-save]")
        pg.wait_for_selector(".alert-success")
        ent.refresh_from_db()
        assert (ent.contact_name, ent.contact_phone) == ("王会计", "0371-6999888")
        pg.goto("/cases/portal/")
        pg.click("[data-testid=portal-new]")
        pg.fill("#id_title", "新厂房需要接入天然气管道")
        pg.fill("#id_description", "新建的二号厂房已竣工，需要接入天然气管道用于烘干工序，请协调燃气公司。")
        pg.fill("#id_contact_phone", "13800000022")
        pg.click("[data-testid=portal-submit]")
        pg.wait_for_selector("[data-testid=case-status]")
        case = Case.objects.get(title="新厂房需要接入天然气管道")
        assert case.enterprise == ent and case.region == town
        shot(pg, "county-setup-2-enterprise")

        # 8. the official logs in (changing the temporary password first) and works the case
        _sign_in(pg, "lk_zhuanban", official_password)
        _change_forced_password(pg, official_password)
        pg.goto("/cases/board/")
        pg.click(f"[data-testid=case-row][data-no='{case.no}']")
        pg.click("[data-testid=act-accept]")
        pg.wait_for_selector("[data-testid=case-status][data-status=accepted]")
        pg.select_option("[data-testid=dispatch-lead]", str(jxj.pk))
        pg.click("[data-testid=act-dispatch]")
        pg.wait_for_selector("[data-testid=case-status][data-status=dispatched]")
        shot(pg, "county-setup-3-official")
        case.refresh_from_db()
        assert case.status == "dispatched" and case.lead_department == jxj
