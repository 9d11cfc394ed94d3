"""A commissioner on a visit, on a phone: opens "my enterprises", records a visit with a photo,
and sees this period's compliance turn to done. A leader reads the registry and the ranking."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services
from zhuqi.assistance.models import Visit
from zhuqi.core.models import Attachment
from zhuqi.enterprises.models import Industry, Tag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def png(width: int = 320, height: int = 200) -> bytes:
    """A real (if plain) photo-sized PNG: a sky-blue band over a grey factory floor."""
    import struct
    import zlib

    rows = b""
    for y in range(height):
        colour = (
            b"\x87\xce\xeb"
            if y < height * 0.45
            else (b"\xb3\x26\x1e" if y < height * 0.55 else b"\x80\x80\x80")
        )
        rows += b"\x00" + colour * width

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def reference_data():
    """Transactional tests flush the database between tests, taking the rows that migrations
    ship (industries, tags, default visit rules) with it: put them back."""
    import importlib

    from django.apps import apps

    for module in (
        "zhuqi.enterprises.migrations.0003_industries_tags",
        "zhuqi.assistance.migrations.0002_default_rules",
    ):
        importlib.import_module(module).load(apps, None)


@pytest.fixture
def assigned(world):
    reference_data()
    hs = make_enterprise(
        "固镇恒顺集团有限公司",
        world.grid,
        industry=Industry.objects.get(code="26"),
        contact_name="王经理",
        contact_phone="13912345678",
        above_scale=True,
    )
    hs.tags.add(Tag.objects.get(name="专精特新"))
    other = make_enterprise("安徽润泽食品有限公司", world.grid2, industry=Industry.objects.get(code="14"))
    for ent in (hs, other):
        services.assign(
            ent, year=ent.created_at.year, role="commissioner", user=world.commissioner, actor=world.alice
        )
        services.assign(
            ent, year=ent.created_at.year, role="county_leader", user=world.leader, actor=world.alice
        )
    return hs


def test_commissioner_records_visit_with_photo_on_phone(phone, world, assigned, tmp_path):
    from zhuqi.cases.models import Case, Category

    money = Category.objects.create(code="e2e_money", name="融资")
    labour = Category.objects.create(code="e2e_labour", name="用工")
    log_in(phone, "commissioner", PASSWORD)
    phone.click("button.navbar-toggler")
    phone.locator("[data-testid=nav-menu] a", has_text="我的企业").click()
    phone.wait_for_selector("[data-testid=my-enterprises]")
    card = phone.locator("[data-testid=my-enterprise]", has_text="固镇恒顺集团有限公司")
    assert card.locator("[data-testid=period-status]").inner_text() == "待走访"
    assert phone.locator("[data-testid=my-done]").inner_text() == "0"
    shot(phone, "assistance-phone-1-my-enterprises")

    card.locator("[data-testid=record-visit]").click()
    phone.wait_for_selector("[data-testid=visit-form]")
    assert phone.locator("#id_enterprise option:checked").inner_text() == "固镇恒顺集团有限公司"
    phone.fill("#id_findings", "二期车间设备安装中，用工缺口约30人；企业希望协调银行续贷。")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png())
    phone.set_input_files("[data-testid=visit-photos]", str(photo))
    # two problems, each with its category from the case category tree
    phone.select_option("#id_problems-0-category", str(money.pk))
    phone.fill("#id_problems-0-description", "流动资金紧张，希望对接银行办理续贷")
    phone.click("[data-testid=add-problem]")
    expect(phone.locator("[data-testid=visit-problem-row]")).to_have_count(2)
    phone.select_option("#id_problems-1-category", str(labour.pk))
    phone.fill("#id_problems-1-description", "缺少熟练焊工约30人")
    phone.locator("[data-testid=add-problem]").scroll_into_view_if_needed()
    shot(phone, "assistance-phone-2-visit-form")
    phone.click("[data-testid=visit-save]")

    phone.wait_for_selector("[data-testid=visit-detail]")
    assert "走访记录已保存" in phone.content()
    expect(phone.locator("[data-testid=visit-photos-view] img")).to_have_count(1)
    problems = phone.locator("[data-testid=visit-problems]").inner_text()
    assert "流动资金紧张" in problems and "缺少熟练焊工" in problems
    expect(phone.locator("[data-testid=problem-case]")).to_have_count(2)
    shot(phone, "assistance-phone-3-visit-saved")

    phone.click("[data-testid=back-to-mine]")
    phone.wait_for_selector("[data-testid=my-enterprises]")
    card = phone.locator("[data-testid=my-enterprise]", has_text="固镇恒顺集团有限公司")
    assert card.locator("[data-testid=period-status]").inner_text() == "已完成"
    assert phone.locator("[data-testid=my-done]").inner_text() == "1"
    shot(phone, "assistance-phone-4-compliance-updated")
    visit = Visit.objects.get()
    assert visit.visitor == world.commissioner
    assert Attachment.objects.get().object_id == str(visit.pk)
    assert sorted(c.category.name for c in Case.objects.filter(visit_id=visit.pk)) == ["用工", "融资"]


def test_a_text_file_as_photo_comes_back_with_the_error_and_nothing_saved(phone, world, assigned, tmp_path):
    from zhuqi.cases.models import Case, Category

    money = Category.objects.create(code="e2e_money", name="融资")
    log_in(phone, "commissioner", PASSWORD)
    phone.goto(f"/assistance/visits/new/?enterprise={assigned.pk}")
    phone.wait_for_selector("[data-testid=visit-form]")
    phone.fill("#id_findings", "例行走访")
    notes = tmp_path / "现场照片.txt"
    notes.write_text("这不是照片", encoding="utf-8")
    phone.set_input_files("[data-testid=visit-photos]", str(notes))
    phone.select_option("#id_problems-0-category", str(money.pk))
    phone.fill("#id_problems-0-description", "流动资金紧张")
    phone.click("[data-testid=visit-save]")

    phone.wait_for_selector("[data-testid=error-photos]")
    assert "现场照片.txt" in phone.locator("[data-testid=error-photos]").inner_text()
    assert phone.input_value("#id_problems-0-description") == "流动资金紧张"
    phone.locator("[data-testid=error-photos]").scroll_into_view_if_needed()
    shot(phone, "assistance-phone-5-photo-refused")
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_leader_reads_registry_enterprise_page_and_ranking(page, world, assigned):
    services.record_visit(assigned, actor=world.commissioner, findings="例行走访，生产正常")
    log_in(page, "leader", PASSWORD)
    page.goto("/enterprises/?q=hsjt")
    rows = page.locator("[data-testid=enterprise-table] tbody tr")
    expect(rows).to_have_count(1)
    assert "固镇恒顺集团有限公司" in rows.inner_text()
    shot(page, "assistance-desktop-1-registry-search")
    rows.locator("a").first.click()
    page.wait_for_selector("[data-testid=team]")
    assert "首席服务专员" in page.locator("[data-testid=team]").inner_text()
    assert "例行走访" in page.locator("[data-testid=visits]").inner_text()
    shot(page, "assistance-desktop-2-enterprise-page")
    page.goto("/assistance/compliance/?period=week")
    page.wait_for_selector("[data-testid=compliance-table]")
    expect(page.locator("[data-testid=compliance-row]")).to_have_count(2)
    shot(page, "assistance-desktop-3-compliance")


def test_dispatch_reads_the_assignments_on_screen(page, world, assigned):
    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="包抓分工").first.click()
    table = page.locator("main [data-testid=assignment-table]")  # in the page, not under the menu
    table.scroll_into_view_if_needed()
    box, menu = table.bounding_box(), page.locator("[data-testid=nav-menu]").bounding_box()
    assert box["x"] >= menu["x"] + menu["width"] - 1 and box["y"] < 860  # beside the menu, on screen
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)  # two enterprises × (首席服务专员, 县级帮扶责任人)
    text = table.inner_text()
    assert (
        "固镇恒顺集团有限公司" in text and "首席服务专员" in text and world.commissioner.display_name in text
    )
    shot(page, "assistance-desktop-4-assignments")
    # the filter narrows the rows on screen
    with page.expect_navigation():
        page.locator("select[name=role]").select_option("county_leader")
    expect(page.locator("[data-testid=assignment-table] tbody tr")).to_have_count(2)
