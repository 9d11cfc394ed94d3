"""The enterprise's own case page in a real browser (phone): the public timeline only. An official
writes one internal comment (the default) and one addressed to the enterprise; the case has been
sent back, supervised and escalated with internal notes. The enterprise sees who handles it,
the progress and the answer, its due dates, and rates it — saying whether the problem is solved —
and sees none of the internal texts; the official then reads the enterprise's answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases import services
from zhuqi.core import audit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INTERNAL = ("机密退单理由", "机密督办内容", "机密提级说明", "机密内部留言", "198.51.100.23")


def test_enterprise_sees_its_public_timeline_only(page, phone, world):
    cw = CaseWorld(world)
    w = world
    with audit.acting_as(w.bob, ip="198.51.100.23"):
        case = cw.new(title="新生产线变压器需要增容", description="现有变压器容量不足，请协调增容")
        case = services.accept_case(case, actor=w.alice, category=cw.power)
        case = services.dispatch_case(case, actor=w.alice, lead=w.zrzy)
        case = services.send_back_case(case, actor=w.zr_handler, reason="机密退单理由：不属本局")
        case = services.dispatch_case(case, actor=w.alice, lead=w.jxj)
        case = services.sign_case(case, actor=w.bob)
        services.supervise_case(case, actor=w.alice, body="机密督办内容：三日内说明")
        services.escalate_case(case, actor=w.alice, note="机密提级说明")
        case = services.report_progress(case, actor=w.bob, note="供电公司已到现场勘察")

    # the official writes two comments from the case page: internal by default, one to the enterprise
    log_in(page, "bob", PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    form = page.locator("[data-testid=comment-form]")
    assert form.locator("[data-testid=comment-visibility]").input_value() == "internal"
    form.locator("input[name=body]").fill("机密内部留言：企业联系人难沟通")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=comment][data-visibility=internal]")
    form = page.locator("[data-testid=comment-form]")
    form.locator("input[name=body]").fill("已约定周五现场查看，请企业电工到场")
    form.locator("[data-testid=comment-visibility]").select_option("public")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=comment][data-visibility=public]")
    shot(page, "cases-official-comments-visibility")
    services.reply_case(case, actor=w.bob, reply="增容工程已完工送电。")

    # the enterprise on its phone
    log_in(phone, "ent_user", PASSWORD)
    phone.goto("/cases/portal/")
    phone.click(f"[data-testid=case-row][data-no='{case.no}']")
    phone.wait_for_selector("[data-testid=public-case]")
    text = phone.locator("body").inner_text()
    for internal in INTERNAL:
        assert internal not in text, internal
    assert "bob" not in phone.locator("[data-testid=timeline]").inner_text()
    timeline = phone.locator("[data-testid=timeline]")
    events = [e.get_attribute("data-event") for e in timeline.locator("[data-testid=public-item]").all()]
    assert events[:2] == ["submitted", "accepted"] and "replied" in events
    assert "sent_back" not in events and "supervised" not in events and "escalated" not in events
    assert "供电公司已到现场勘察" in timeline.inner_text()
    assert "已约定周五现场查看，请企业电工到场" in timeline.inner_text()
    assert "工信局" in phone.locator("[data-testid=lead]").inner_text()
    assert "增容工程已完工送电" in phone.locator("[data-testid=reply]").inner_text()
    for absent in ("clocks", "supervisions", "comment-visibility"):
        expect(phone.locator(f"[data-testid={absent}]")).to_have_count(0)
    shot(phone, "cases-enterprise-public-timeline-phone")

    # it rates the answer: satisfied with the work, but the problem is not solved
    phone.locator("[data-testid=rate-form] label[for=solved-no]").click()
    phone.click("[data-testid=act-follow_up-satisfied]")
    phone.wait_for_selector("[data-testid=case-status][data-status=followed_up]")
    assert "未解决" in phone.locator("[data-testid=latest-followup]").inner_text()
    shot(phone, "cases-enterprise-rated-unsolved-phone")
    case.refresh_from_db()
    assert case.resolved is True and case.enterprise_solved is False

    # the official reads the enterprise's answer beside the department's
    page.goto(f"/cases/{case.pk}/")
    assert "企业认为未解决" in page.locator("[data-testid=followup]").inner_text()
    assert "198.51.100.23" in page.locator("[data-testid=timeline]").inner_text()
