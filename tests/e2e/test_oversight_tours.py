"""观摩 in a real browser: 督查 organises a round with two sites (a project and an enterprise),
two criteria and five judges; the county leader scores both sites on a phone-size window, the
other four judges through the service; 督查 publishes; the ranking shows the trimmed means and
the Word bulletin downloads."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.conftest import credit_code
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.enterprises.models import Enterprise
from zhuqi.oversight import services_tours
from zhuqi.oversight.models import TourRound, TourScore
from zhuqi.projects import services as project_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (建设进度, 现场管理) per judge; the leader scores on the phone
SCORES = {
    "年产3万吨新材料项目": {
        "leader": ("90", "44"),
        "head": ("85", "40"),
        "bob": ("80", "42"),
        "alice": ("70", "46"),
        "observer": ("95", "48"),
    },
    "尉氏县丙机械有限公司": {
        "leader": ("74", "36"),
        "head": ("70", "35"),
        "bob": ("72", "36"),
        "alice": ("76", "30"),
        "observer": ("78", "40"),
    },
}


def _pick(page, field: str, text: str) -> None:
    """Choose an option of a Tom Select multi-select by typing part of its label."""
    control = page.locator(f"#id_{field}-ts-control")
    control.click()
    control.fill(text)
    page.locator(f"#id_{field}-ts-dropdown .option", has_text=text).first.click()
    page.keyboard.press("Escape")


def test_a_round_organised_scored_on_phones_and_published(page, phone, world):
    project_services.create_project(
        actor=world.admin,
        code="GZ-E2E-031",
        name="年产3万吨新材料项目",
        region=world.park,
        department=world.jxj,
        leader=world.leader,
        total_investment=Decimal("300000000"),
    )
    Enterprise.objects.create(name="尉氏县丙机械有限公司", credit_code=credit_code(), region=world.grid)

    # 督查 organises the round from the menu
    log_in(page, "supervisor", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="观摩评比").click()
    page.click("[data-testid=tour-new]")
    page.fill("#id_name", "上半年重点项目观摩评比")
    page.select_option("#id_region", str(world.county.pk))
    page.fill("#id_held_on", timezone.localdate().isoformat())
    _pick(page, "sites", "年产3万吨新材料项目")
    _pick(page, "sites", "丙机械")
    for name in ("leader", "head", "bob", "alice", "observer"):
        _pick(page, "judges", name)
    page.fill("#id_criteria", "建设进度 60\n现场管理 30 50")
    page.click("[data-testid=config-submit]")
    assert (
        "各评分项的权重之和应为 100，现在是 90" in page.locator("[data-testid=error-criteria]").inner_text()
    )
    page.fill("#id_criteria", "建设进度 60\n现场管理 40 50")
    shot(page, "tours-1-form")
    page.click("[data-testid=config-submit]")
    page.wait_for_selector("[data-testid=tour-sites]")
    rnd = TourRound.objects.get()
    assert [s.name for s in rnd.sites.all()] == ["年产3万吨新材料项目", "尉氏县丙机械有限公司"]
    assert rnd.judges.count() == 5
    assert "0 / 5" in page.locator("[data-testid=tour-sites]").inner_text()

    # four judges score through the service
    users = {u.username: u for u in (world.head, world.bob, world.alice, world.observer)}
    c1, c2 = rnd.criteria.all()
    for site in rnd.sites.all():
        for username, user in users.items():
            a, b = SCORES[site.name][username]
            services_tours.score_site(rnd, site, {c1.pk: a, c2.pk: b}, actor=user)

    # the leader scores on the phone: "我的观摩评分", the first site, the next, done
    log_in(phone, "leader", PASSWORD)
    phone.locator(".navbar-toggler").click()
    phone.locator("[data-testid=nav-menu] a", has_text="我的观摩评分").click()
    phone.locator("[data-testid=my-site]").first.click()
    expect(phone.locator("[data-testid=score-site]")).to_have_text("年产3万吨新材料项目")
    inputs = phone.locator("[data-testid=score-input]")
    inputs.nth(0).fill("120")
    inputs.nth(1).fill("44")
    phone.click("[data-testid=score-save]")
    expect(phone.locator("[data-testid=score-error]")).to_contain_text("0–100")
    inputs = phone.locator("[data-testid=score-input]")
    inputs.nth(0).fill("90")
    shot(phone, "tours-2-phone-score")
    phone.click("[data-testid=score-save]")
    phone.wait_for_selector("[data-testid=score-site]:has-text('尉氏县丙机械有限公司')")
    inputs = phone.locator("[data-testid=score-input]")
    inputs.nth(0).fill("74")
    inputs.nth(1).fill("36")
    phone.click("[data-testid=score-save]")
    phone.wait_for_selector("[data-testid=my-tour]")
    expect(phone.locator("[data-testid=my-tour] .bi-check-circle-fill")).to_have_count(2)
    shot(phone, "tours-3-phone-done")
    assert TourScore.objects.filter(judge=world.leader).count() == 4

    # 督查 publishes; the ranking shows the trimmed means
    page.reload()
    assert page.locator("[data-testid=tour-sites]").inner_text().count("5 / 5") == 2
    page.check("[data-testid=tour-confirm]")
    page.click("[data-testid=tour-publish]")
    page.wait_for_selector("[data-testid=tour-ranking]")
    rows = page.locator("[data-testid=tour-rank-row]")
    # 建设进度 (90+85+80)/3 = 85, 现场管理 (42+44+46)/3 = 44 → 0.6×85 + 0.4×88 = 86.20
    assert rows.nth(0).inner_text().split() == ["1", "年产3万吨新材料项目", "项目", "85.00", "44.00", "86.20"]
    # (72+74+76)/3 = 74, (35+36+36)/3 = 35.67 → 44.40 + 28.53 = 72.93
    assert rows.nth(1).inner_text().split() == [
        "2",
        "尉氏县丙机械有限公司",
        "企业",
        "74.00",
        "35.67",
        "72.93",
    ]
    shot(page, "tours-4-ranking")

    # the Word bulletin
    from docx import Document

    with page.expect_download() as info:
        page.click("[data-testid=tour-docx]")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[1] == ["1", "年产3万吨新材料项目", "85.00", "44.00", "86.20"]
