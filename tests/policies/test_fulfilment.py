"""Push and fulfilment: matched enterprises are told (and their 包保 officials), reads tracked;
an application runs through the one transition table on the working-day clock — returned once
with a reason, resubmitted, approved within the budget, paid with a voucher within the limit —
and a second item of the same exclusivity group is refused; bad steps say why in Chinese and
change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhuqi.assistance.models import Assignment
from zhuqi.core.models import Notification
from zhuqi.enterprises.models import EnterpriseUser
from zhuqi.policies import services, workflow
from zhuqi.policies.models import Application, Match

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)  # Monday 2 March 2026, 10:00 in Beijing


@pytest.fixture
def jia_user(pw, world):
    EnterpriseUser.objects.filter(user=world.enterprise_user).update(enterprise=pw.ents["甲"])
    world.enterprise_user.refresh_from_db()
    return world.enterprise_user


@time_machine.travel(NOW, tick=False)
def test_push_tells_the_enterprise_and_its_officials_once(pw, world):
    item = pw.item()
    EnterpriseUser.objects.filter(user=world.enterprise_user).update(enterprise=pw.ents["甲"])
    Assignment.objects.create(
        enterprise=pw.ents["甲"], year=2026, role="commissioner", user=world.commissioner
    )
    assert services.push_item(item, actor=world.bob) == 1
    assert Match.objects.get().enterprise == pw.ents["甲"]
    assert Notification.objects.filter(
        recipient=world.enterprise_user, title__contains="升规入统奖励"
    ).exists()
    assert Notification.objects.filter(
        recipient=world.commissioner, title__contains="甲机械有限公司"
    ).exists()
    assert services.push_item(item, actor=world.bob) == 0  # nobody told twice
    with pytest.raises(PermissionDenied):
        services.push_item(item, actor=world.zr_handler)  # not 自然资源局's item


@time_machine.travel(NOW, tick=False)
def test_apply_return_resubmit_approve_pay_on_the_clock(pw, world, jia_user):
    item = pw.item(mode="apply", window_start="2026-01-01", window_end="2026-06-30", budget=Decimal("100000"))
    a = services.apply_item(item, actor=jia_user)
    assert a.amount == Decimal("50000.00") and a.status == "applied"
    # 60 working days after Monday 2 March 2026 on the work calendar (清明 and 劳动节 off, their make-up days worked)
    assert a.due_on == dt.date(2026, 5, 28)
    assert workflow.allowed_actions(a, world.bob) == ["return", "approve", "refuse"]
    with pytest.raises(ValidationError) as exc:
        services.fire(a, "return", actor=world.bob)
    assert "请填写理由" in str(exc.value)
    a = services.fire(a, "return", actor=world.bob, reason="请补充统计部门入规证明")
    assert a.status == "returned" and a.reason == "请补充统计部门入规证明"
    with pytest.raises(PermissionDenied):
        services.fire(a, "resubmit", actor=world.bob)  # the enterprise resubmits, not the department
    a = services.fire(a, "resubmit", actor=jia_user)
    a = services.fire(a, "approve", actor=world.bob)
    assert workflow.allowed_actions(a, world.bob) == ["publicise", "refuse"]  # no payment before the 公示
    a = services.fire(a, "publicise", actor=world.bob)
    assert a.status == "publicised" and a.publicity_until == dt.date(2026, 3, 9)  # 5 working days
    with pytest.raises(ValidationError) as exc:
        services.fire(a, "pay", actor=world.bob, voucher="GZ-2026-0318")
    assert "公示期至 2026-03-09，期满无异议后方可兑现" in str(exc.value)
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationError) as exc:
            services.fire(a, "pay", actor=world.bob, voucher="GZ-2026-0318")
        assert "企业尚未确认收款账户" in str(exc.value)
        a = services.confirm_account(
            a, bank_name="中国农业银行尉氏支行", bank_account="6228 4800 1234 5678", actor=jia_user
        )
        assert a.bank_account == "6228480012345678"
        with pytest.raises(ValidationError) as exc:
            services.fire(a, "pay", actor=world.bob)
        assert "付款凭证号" in str(exc.value)
        a = services.fire(a, "pay", actor=world.bob, voucher="GZ-2026-0318", paid_on=dt.date(2026, 5, 20))
    assert a.status == "paid" and a.paid_within_limit
    with pytest.raises(ValidationError):
        services.fire(a, "approve", actor=world.bob)  # not from paid
    a = services.fire(a, "clawback", actor=world.bob, reason="入规证明系伪造")
    assert a.status == "clawed_back" and a.reason == "入规证明系伪造"


@time_machine.travel(NOW, tick=False)
def test_the_exclusivity_group_and_the_budget_refuse_a_second_payment(pw, world, jia_user):
    first = pw.item(mode="apply")
    second = pw.item(title="产值增长奖励", mode="apply", amount_rule={"type": "fixed", "amount": "30000"})
    a = services.fire(services.apply_item(first, actor=jia_user), "approve", actor=world.bob)
    b = services.apply_item(second, actor=jia_user)
    with pytest.raises(ValidationError) as exc:
        services.fire(b, "approve", actor=world.bob)
    assert "同一年度“升规奖励”类资金不重复享受：该企业已获“升规入统奖励”" in str(exc.value)
    b.refresh_from_db()
    assert b.status == "applied"
    small = pw.item(title="小额奖励", mode="apply", exclusivity_group="", budget=Decimal("1000"))
    c = services.apply_item(small, actor=jia_user)
    with pytest.raises(ValidationError) as exc:
        services.fire(c, "approve", actor=world.bob)
    assert "超出年度预算" in str(exc.value)
    assert a.status == "approved"


@time_machine.travel(NOW, tick=False)
def test_bad_applications_are_refused_in_chinese(pw, world, jia_user):
    late = pw.item(title="已截止", mode="apply", window_start="2026-01-01", window_end="2026-02-27")
    with pytest.raises(ValidationError) as exc:
        services.apply_item(late, actor=jia_user)
    assert "该事项已停止或已过期" in str(exc.value)
    soon = pw.item(title="未开始", mode="apply", window_start="2026-04-01", window_end="2026-06-30")
    with pytest.raises(ValidationError) as exc:
        services.apply_item(soon, actor=jia_user)
    assert "不在申报时间内" in str(exc.value)
    EnterpriseUser.objects.filter(user=jia_user).update(enterprise=pw.ents["乙"])
    jia_user.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.apply_item(pw.item(title="乙不符合", mode="apply"), actor=jia_user)
    assert "本企业不符合申报条件" in str(exc.value) and "营业收入同比增速" in str(exc.value)
    assert not Application.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_complaint_about_fulfilment_becomes_a_case_in_the_pool(pw, world, jia_user, login):
    """反映兑现问题: the enterprise's complaint is a 诉求 with channel 政策兑现 in the cases pool
    (the dispatch office sees it like any other), the claim links to it; empty text is refused
    and writes nothing; another enterprise's user gets 404; an official cannot file it."""
    from django.urls import reverse

    from zhuqi.cases.models import Case

    item = pw.item(mode="apply", window_start="2026-01-01", window_end="2026-06-30")
    a = services.apply_item(item, actor=jia_user)
    with pytest.raises(ValidationError):
        services.complain(a, text="  ", actor=jia_user)
    with pytest.raises(PermissionDenied):
        services.complain(a, text="兑现超期", actor=world.bob)
    assert not Case.objects.exists()

    client = login(jia_user)
    response = client.post(
        reverse("policies:application_complain", args=[a.pk]), {"text": "超过期限仍未到账"}
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.channel == "policy" and case.get_channel_display() == "政策兑现"
    assert case.enterprise == pw.ents["甲"] and case.title == f"政策兑现：{item.title}"
    assert "超过期限仍未到账" in case.description and "兑现期限 2026-05-28" in case.description
    a.refresh_from_db()
    assert a.complaint_case == case
    page = client.get(reverse("policies:application_detail", args=[a.pk])).content.decode()
    assert case.no in page
    # the county's dispatch office finds it in the pool
    assert Case.objects.visible_to(world.alice).filter(pk=case.pk).exists()
    # another enterprise's user: not found, nothing written
    EnterpriseUser.objects.filter(user=world.enterprise_user).update(enterprise=pw.ents["乙"])
    response = login(world.enterprise_user).post(
        reverse("policies:application_complain", args=[a.pk]), {"text": "再次反映"}
    )
    assert response.status_code == 404 and Case.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_automatic_items_are_granted_from_the_matched_list_publicised_and_paid(pw, world, jia_user, login):
    """免申即享: nobody applies; the department confirms the list the system matched (甲 only,
    §5), each claim approved at the rule's amount; the list is publicised for 5 working days on a
    page every signed-in user may read; the enterprise is asked for its account and confirms it;
    paid after the 公示. A second confirmation grants nobody twice."""
    from django.urls import reverse

    from zhuqi.core.models import AuditEntry

    item = pw.item(mode="automatic", budget=Decimal("100000"))
    with pytest.raises(ValidationError) as exc:
        services.apply_item(item, actor=jia_user)
    assert "免申即享，无需申报" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.grant_automatic(item, actor=world.zr_handler)  # not 自然资源局's item
    assert services.grant_automatic(item, actor=world.bob) == 1
    a = Application.objects.get()
    assert (a.enterprise, a.status, a.amount, a.computed_amount) == (
        pw.ents["甲"],
        "approved",
        Decimal("50000.00"),
        Decimal("50000.00"),
    )
    assert a.due_on == dt.date(2026, 5, 28)
    assert AuditEntry.objects.filter(event="policy_granted", object_id=str(a.pk)).exists()
    assert services.grant_automatic(item, actor=world.bob) == 0
    assert services.publicise_item(item, actor=world.bob) == 1
    a.refresh_from_db()
    assert a.status == "publicised" and a.publicity_until == dt.date(2026, 3, 9)
    assert Notification.objects.filter(recipient=jia_user, title__contains="请确认收款账户").exists()
    # the 公示 list is public: another enterprise's user reads the name and the amount
    other = login(world.enterprise_user)
    EnterpriseUser.objects.filter(user=world.enterprise_user).update(enterprise=pw.ents["乙"])
    page = other.get(reverse("policies:item_publicity", args=[item.pk])).content.decode()
    assert "甲机械有限公司" in page and "5.00" in page and "2026-03-09" in page
    EnterpriseUser.objects.filter(user=world.enterprise_user).update(enterprise=pw.ents["甲"])
    client = login(jia_user)
    r = client.post(
        reverse("policies:application_account", args=[a.pk]),
        {"bank_name": "中国工商银行尉氏支行", "bank_account": "6222 0217 0000 1234"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.bank_account == "6222021700001234"
    entry = AuditEntry.objects.get(event="policy_account", object_id=str(a.pk))
    assert "****1234" in str(entry.changes) and "6222021700001234" not in str(
        list(AuditEntry.objects.values_list("changes", flat=True))
    )
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        a = services.fire(a, "pay", actor=world.bob, voucher="MS-2026-001")
    assert a.status == "paid" and a.paid_on == dt.date(2026, 3, 10) and a.paid_within_limit


@time_machine.travel(NOW, tick=False)
def test_a_grant_over_budget_or_in_a_held_group_writes_nothing(pw, world, jia_user):
    """The whole list is checked before anything is written: over the budget, nobody is granted;
    an enterprise already holding a claim of the same 不重复享受分组 this year is left out."""
    small = pw.item(mode="automatic", budget=Decimal("10000"))
    with pytest.raises(ValidationError) as exc:
        services.grant_automatic(small, actor=world.bob)
    assert "超出年度预算" in str(exc.value)
    assert not Application.objects.exists()
    held = pw.item(title="已获同类奖励", mode="apply")
    services.fire(services.apply_item(held, actor=jia_user), "approve", actor=world.bob)
    assert services.grant_automatic(pw.item(title="同组免申即享"), actor=world.bob) == 0
    with pytest.raises(ValidationError) as exc:
        services.grant_automatic(pw.item(title="申报类", mode="apply", exclusivity_group=""), actor=world.bob)
    assert "只有免申即享的事项" in str(exc.value)


@time_machine.travel(NOW, tick=False)
def test_the_department_may_approve_another_amount_saying_why(pw, world, jia_user):
    item = pw.item(mode="apply")
    a = services.apply_item(item, actor=jia_user)
    for bad, message in [
        ("五万", "金额须为数字"),
        ("-1", "不小于 0"),
        ("1.234", "两位小数"),
        ("1" * 20, "金额过大"),
        ("NaN", "不小于 0"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.fire(a, "approve", actor=world.bob, amount=bad, reason="核减")
        assert message in str(exc.value) and "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.fire(a, "approve", actor=world.bob, amount="30000")
    assert "核定金额与测算金额（50000.00 元）不同，请说明理由" in str(exc.value)
    a.refresh_from_db()
    assert a.status == "applied" and a.amount == Decimal("50000.00")
    a = services.fire(a, "approve", actor=world.bob, amount="30,000", reason="产值含非工业部分，核减")
    assert (a.amount, a.computed_amount, a.amount_adjusted) == (
        Decimal("30000.00"),
        Decimal("50000.00"),
        True,
    )
    assert a.reason == "产值含非工业部分，核减"


@time_machine.travel(NOW, tick=False)
def test_the_account_is_the_enterprises_own_and_must_look_like_one(pw, world, jia_user, login):
    from django.http import Http404
    from django.urls import reverse

    a = services.apply_item(pw.item(mode="apply"), actor=jia_user)
    for name, account, field in [
        ("", "6222021700001234", "bank_name"),
        ("工商银行", "abc", "bank_account"),
        ("工商银行", "1234567", "bank_account"),
        ("工商银行", "１２３４５６７８９", "bank_account"),  # full-width digits
        ("工商银行", "1" * 31, "bank_account"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.confirm_account(a, bank_name=name, bank_account=account, actor=jia_user)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.confirm_account(a, bank_name="工商银行", bank_account="6222021700001234", actor=world.bob)
    EnterpriseUser.objects.filter(user=jia_user).update(enterprise=pw.ents["乙"])
    jia_user.refresh_from_db()
    with pytest.raises(Http404):
        services.confirm_account(a, bank_name="工商银行", bank_account="6222021700001234", actor=jia_user)
    r = login(jia_user).post(
        reverse("policies:application_account", args=[a.pk]),
        {"bank_name": "工商银行", "bank_account": "6222021700001234"},
    )
    assert r.status_code == 404
    a.refresh_from_db()
    assert a.bank_account == ""


@time_machine.travel(NOW, tick=False)
def test_the_enterprise_attaches_its_evidence_and_the_department_opens_it(pw, world, jia_user, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    a = services.apply_item(pw.item(mode="apply"), actor=jia_user)
    r = login(jia_user).post(
        reverse("core:attachment_add", args=["policies.application", a.pk]),
        {"file": SimpleUploadedFile("入规证明.pdf", b"%PDF-1.4\n%%EOF\n"), "next": "/"},
    )
    assert r.status_code == 302
    page = login(world.bob).get(reverse("policies:application_detail", args=[a.pk])).content.decode()
    assert "入规证明.pdf" in page
    page = login(jia_user).get(reverse("policies:application_detail", args=[a.pk])).content.decode()
    assert "入规证明.pdf" in page and 'data-testid="policy-account"' in page
