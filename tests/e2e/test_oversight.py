"""督办 in a real browser: the queue is 督查's home page with the red and orange items first;
督查 assigns an item to 工信局, the department replies, 督查 accepts it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.core.workcalendar import add_working_days
from zhuqi.oversight import services
from zhuqi.oversight.models import Item, Priority, Slip, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in_as(page, username):
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)


def test_supervisor_assigns_department_replies_supervisor_accepts(world, page):
    today = timezone.localdate()
    services.create_item(
        actor=world.supervisor,
        title="标准化厂房主体完工",
        lead_department=world.zrzy,
        assigned_on=add_working_days(today, -10),
        working_days=5,
    )
    services.create_item(
        actor=world.supervisor,
        title="县委书记批示：解决企业招工难",
        lead_department=world.jxj,
        priority=Priority.INSTRUCTION,
        working_days=20,
    )
    services.create_item(actor=world.supervisor, title="普通事项", lead_department=world.jxj, working_days=40)

    # 督查's home page is the queue: its card first, naming the red and orange items
    _log_in_as(page, "supervisor")
    card = page.locator("[data-testid=oversight-card]")
    assert "标准化厂房主体完工" in card.inner_text() and "普通事项" not in card.inner_text()
    page.click("[data-testid=oversight-card-link]")
    rows = page.locator("[data-testid=oversight-queue] [data-testid=oversight-item-row]")
    assert [rows.nth(i).get_attribute("data-slip") for i in range(3)] == ["3", "2", "0"]
    assert page.locator("[data-testid=count-red]").inner_text() == "1"
    assert page.locator("[data-testid=count-orange]").inner_text() == "1"
    shot(page, "oversight-queue")

    # 督查 assigns a new item to 工信局
    page.click("[data-testid=oversight-new]")
    form = page.locator("[data-testid=oversight-item-form]")
    form.locator("#id_title").fill("企业用电报装提速")
    form.locator("#id_source").select_option("meeting")
    form.locator("#id_source_text").fill("县长办公会议 2026 年第 5 次")
    form.locator("#id_lead_department").select_option(str(world.jxj.pk))
    form.locator("#id_working_days").fill("10")
    form.locator("#id_report_frequency").select_option("weekly")
    page.click("[data-testid=oversight-item-submit]")
    page.wait_for_selector("[data-testid=item-status]")
    item = Item.objects.get(title="企业用电报装提速")
    assert page.locator("[data-testid=item-status]").get_attribute("data-status") == "assigned"
    assert page.locator("[data-testid=item-due]").inner_text() == item.due_on.isoformat()

    # the department's handler finds it in the menu and replies
    _log_in_as(page, "bob")
    page.locator("[data-testid=nav-menu] a", has_text="督办事项").first.click()
    page.locator("[data-testid=oversight-item-row] a", has_text="企业用电报装提速").click()
    page.fill("[data-testid=reply-form] textarea[name=body]", "已开通绿色通道，报装时间压缩至 5 个工作日")
    page.click("[data-testid=reply-submit]")
    page.wait_for_selector("[data-testid=item-status][data-status=replied]")
    shot(page, "oversight-replied")

    # 督查 reviews the reply from the queue and accepts it
    _log_in_as(page, "supervisor")
    page.goto("/oversight/")
    page.locator("[data-testid=oversight-review] a", has_text="企业用电报装提速").click()
    expect(page.locator("[data-testid=item-reports]")).to_contain_text("已开通绿色通道")
    page.click("[data-testid=action-accept]")
    page.wait_for_selector("[data-testid=item-status][data-status=accepted]")
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    assert Item.objects.get(title="标准化厂房主体完工").slip == Slip.RED


def test_the_queue_on_a_phone(world, phone):
    services.create_item(
        actor=world.supervisor,
        title="县委书记批示：解决企业招工难",
        lead_department=world.jxj,
        priority=Priority.URGENT,
        working_days=20,
    )
    log_in(phone, "supervisor", PASSWORD)
    phone.goto("/oversight/")
    assert phone.locator("[data-testid=oversight-item-row]").first.get_attribute("data-slip") == "2"
    shot(phone, "oversight-queue-phone")


def test_monthly_bulletin_drafted_approved_published_and_downloaded(world, page):
    import datetime as dt
    import io
    from pathlib import Path

    from docx import Document

    from zhuqi.oversight.models import Bulletin

    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.create_item(
        actor=world.supervisor,
        title="标准化厂房主体完工",
        lead_department=world.zrzy,
        assigned_on=last,
        working_days=5,
    )
    _log_in_as(page, "supervisor")
    page.goto("/oversight/bulletins/")
    page.locator("#b-year").fill(str(last.year))
    page.locator("#b-month").select_option(str(last.month))
    page.click("[data-testid=bulletin-draft]")
    page.wait_for_selector("[data-testid=bulletin-edit]")
    page.fill("#b-requirements, #b-req", "各单位于下月 5 日前报送整改情况。")
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
    number = f"〔{last.year}〕1号"
    assert page.locator("[data-testid=bulletin-number]").inner_text() == number
    shot(page, "oversight-bulletin")
    with page.expect_download() as info:
        page.click("[data-testid=bulletin-word]")
    doc = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert number in texts and "各单位于下月 5 日前报送整改情况。" in texts


def test_an_open_case_becomes_a_supervision_item_from_its_page(world, page):
    """立为督办事项 on the case page: the form opens with the source and title filled in; the
    item links back to the case."""
    from tests.cases.conftest import CaseWorld

    case = CaseWorld(world).new(title="厂区道路积水影响出货")
    _log_in_as(page, "supervisor")
    page.goto(f"/cases/{case.pk}/")
    page.click("[data-testid=raise-oversight-item]")
    form = page.locator("[data-testid=oversight-item-form]")
    expect(form.locator("#id_title")).to_have_value(f"督办诉求{case.no}：厂区道路积水影响出货")
    assert form.locator("#id_source").input_value() == "case"
    form.locator("#id_lead_department").select_option(str(world.jxj.pk))
    form.locator("#id_working_days").fill("5")
    page.click("[data-testid=oversight-item-submit]")
    page.wait_for_selector("[data-testid=item-status]")
    item = Item.objects.get(title__startswith="督办诉求")
    assert item.source_object == case
    shot(page, "oversight-raised-from-case")
    page.get_by_role("link", name=case.no).first.click()
    page.wait_for_selector("[data-testid=case-title]")
    assert page.inner_text("[data-testid=case-title]") == "厂区道路积水影响出货"
