"""Quarterly bulletins and the oversight calendar in a real browser: 督查 drafts last quarter's
bulletin, the county leader approves it, 督查 publishes it and downloads it as Word and as PDF
(the files stored at publication); the calendar lists the coming meetings (desktop and phone)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.oversight import services
from zhuqi.oversight.models import Bulletin, CalendarEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in_as(page, username):
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)


def test_quarterly_bulletin_drafted_approved_published_and_downloaded(world, page):
    from docx import Document
    from pypdf import PdfReader

    today = timezone.localdate()
    quarter = (today.month + 2) // 3
    year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    services.create_item(
        actor=world.supervisor,
        title="标准化厂房主体完工",
        lead_department=world.zrzy,
        assigned_on=today.replace(year=year, month=quarter * 3 - 2, day=1),
        working_days=5,
    )
    _log_in_as(page, "supervisor")
    page.goto("/oversight/bulletins/")
    form = page.locator("[data-testid=bulletin-draft-quarter-form]")
    form.locator("#bq-year").fill(str(year))
    form.locator("#bq-quarter").select_option(str(quarter))
    page.click("[data-testid=bulletin-draft-quarter]")
    page.wait_for_selector("[data-testid=bulletin-edit]")
    label = f"{year}年第{'一二三四'[quarter - 1]}季度"
    assert page.locator("[data-testid=bulletin-kind]").inner_text() == f"季度通报 · {label}"
    page.fill("#b-req", "各单位于季后 10 日内报送整改情况。")
    page.click("[data-testid=bulletin-save]")
    page.wait_for_selector("[data-testid=bulletin-status][data-status=draft]")

    _log_in_as(page, "leader")
    page.goto(Bulletin.objects.get().get_absolute_url())
    page.click("[data-testid=bulletin-approve]")
    page.wait_for_selector("[data-testid=bulletin-status][data-status=approved]")

    _log_in_as(page, "supervisor")
    page.goto(Bulletin.objects.get().get_absolute_url())
    page.check("[data-testid=bulletin-confirm]")
    page.click("[data-testid=bulletin-publish]")
    page.wait_for_selector("[data-testid=bulletin-status][data-status=published]")
    number = f"〔{year}〕1号"
    assert page.locator("[data-testid=bulletin-number]").inner_text() == number
    shot(page, "oversight-bulletin-quarter")

    with page.expect_download() as info:
        page.click("[data-testid=bulletin-word]")
    assert info.value.suggested_filename == f"bulletin-{year}Q{quarter}.docx"
    doc = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert number in texts and "各单位于季后 10 日内报送整改情况。" in texts

    with page.expect_download() as info:
        page.click("[data-testid=bulletin-pdf]")
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\n", "")
    assert len(pdf.pages) >= 1 and number in text and f"关于{label}助企工作情况的通报" in text
    # both came from the files rendered once at publication (eager here: no worker configured)
    b = Bulletin.objects.get()
    assert Path(b.pdf_file.path).read_bytes() == Path(info.value.path()).read_bytes()
    assert b.docx_file.name.endswith(".docx")

    # the archive: quarterly bulletins only
    page.goto("/oversight/bulletins/")
    page.locator("[data-testid=bulletin-kind-filter]").select_option("quarter")
    page.click("[data-testid=bulletin-search] button")
    page.wait_for_url("**kind=quarter**")
    expect(page.locator("[data-testid=bulletin-row]")).to_have_count(1)


def test_the_calendar_lists_the_coming_meetings(world, page, phone):
    # a fixed Monday: the 90-day calendar's rows do not depend on the day the suite runs
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=True):
        CalendarEvent.objects.create(
            region=world.county,
            kind="weekly_meeting",
            title="“工招园”工作周调度会",
            recurrence="weekly",
            weekday=0,
            department=world.jxj,
            lead_days=1,
            note="每周一调度重点项目、企业诉求和经济指标",
        )
        CalendarEvent.objects.create(
            region=world.county,
            kind="monthly_bulletin",
            title="一月一通报：月度助企工作通报",
            recurrence="monthly",
            day=5,
            day_rule="working",
            preparer=world.supervisor,
            lead_days=3,
        )
        _log_in_as(page, "supervisor")
        page.goto("/")
        page.locator("[data-testid=nav-menu] a", has_text="督办队列").click()
        page.click("[data-testid=calendar-link]")
        page.wait_for_url("**/oversight/calendar/")
        rows = page.locator("[data-testid=calendar-row]")
        # 90 days: at least 12 Mondays and 3 bulletins (waits for the 15th row to be drawn)
        expect(rows.nth(12 + 3 - 1)).to_be_attached()
        assert "月度通报" in page.locator("[data-testid=calendar-table]").inner_text()
        shot(page, "oversight-calendar")
        log_in(phone, "supervisor", PASSWORD)
        phone.goto("/oversight/calendar/")
        assert phone.locator("[data-testid=calendar-row]").first.is_visible()
        shot(phone, "oversight-calendar-phone")
