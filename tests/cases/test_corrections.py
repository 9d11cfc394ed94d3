"""Correcting a registered case: enterprise, title, description, category, with a reason shown in
its history; the new enterprise is checked against the corrector's scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.cases import services
from zhuqi.cases.models import Case
from zhuqi.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


def test_dispatch_corrects_enterprise_title_and_category_with_reason(world, cw):
    case = cw.to("signed")
    services.correct_case(
        case,
        actor=world.alice,
        reason="登记时选错企业",
        enterprise=cw.ent_b,
        title="厂区变压器容量不足（更正）",
        category=cw.power,
    )
    case.refresh_from_db()
    assert case.enterprise == cw.ent_b and case.region == world.town
    assert case.region_path == world.town.path
    assert (case.title, case.category) == ("厂区变压器容量不足（更正）", cw.power)
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk), event="corrected")
    assert entry.message == "登记时选错企业" and entry.actor == world.alice
    assert entry.changes["enterprise"] == ["尉氏县华丰纺织有限公司", "尉氏县金源食品有限公司"]
    assert entry.changes["category"] == ["未分类", "水电气"]
    # the handling department hears of it; the old enterprise's account no longer sees the case
    assert Notification.objects.filter(recipient=world.bob, title__startswith="诉求登记信息已更正").exists()
    assert not Case.objects.visible_to(world.enterprise_user).filter(pk=case.pk).exists()


def test_bad_corrections_change_nothing(world, cw):
    case = cw.new()
    with pytest.raises(ValidationError) as exc:
        services.correct_case(case, actor=world.alice, reason="", title="新标题")
    assert exc.value.message_dict == {"reason": ["请填写更正原因"]}
    with pytest.raises(ValidationError) as exc:
        services.correct_case(case, actor=world.alice, reason="x", title=case.title)
    assert "没有需要更正的内容" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.correct_case(case, actor=world.alice, reason="x", title="  ")
    assert exc.value.message_dict == {"title": ["请填写诉求标题"]}
    # an enterprise of the other county is refused as if it did not exist
    with pytest.raises(ValidationError) as exc:
        services.correct_case(case, actor=world.alice, reason="x", enterprise=cw.ent_other)
    assert exc.value.message_dict == {"enterprise": ["找不到该企业（或不在您的范围内）"]}
    case.refresh_from_db()
    assert case.enterprise == cw.ent and case.title == "厂区变压器容量不足"
    assert not AuditEntry.objects.filter(event="corrected").exists()


def test_only_the_dispatch_office_in_scope_corrects(world, cw):
    case = cw.to("signed")
    with pytest.raises(PermissionDenied):
        services.correct_case(case, actor=world.bob, reason="x", title="新标题")
    with pytest.raises(Http404):
        services.correct_case(case, actor=world.charlie, reason="x", title="新标题")
    with pytest.raises(PermissionDenied):  # the enterprise sees its case, but does not correct it
        services.correct_case(case, actor=world.enterprise_user, reason="x", title="新标题")


def test_correction_page_and_history(world, cw, login):
    case = cw.new()
    client = login(world.alice)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-correct"' in detail
    url = f"/cases/{case.pk}/correct/"
    form = {
        "enterprise": cw.ent.pk,
        "title": case.title,
        "description": "新上生产线需要增容 800 千伏安",
        "category": "",
        "reason": "",
    }
    page = client.post(url, form).content.decode()
    assert "请填写更正原因" in page
    form["reason"] = "企业电话补充了容量"
    assert client.post(url, form).status_code == 302
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "新上生产线需要增容 800 千伏安" in detail and "企业电话补充了容量" in detail
    assert "更正登记信息" in detail  # the history's event label
    # the enterprise's own view shows no internal correction entry
    assert "企业电话补充了容量" not in login(world.enterprise_user).get(f"/cases/{case.pk}/").content.decode()
    assert login(world.bob).get(url).status_code == 404
    assert login(world.charlie).get(url).status_code == 404
