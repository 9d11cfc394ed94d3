"""The fulfilment figures of docs/policies.md §7, reproduced from the hand-worked example, with
the drill-down and the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuqi.policies.figures import item_figures
from zhuqi.policies.models import Application, Match

pytestmark = pytest.mark.django_db


def _example(pw):
    item = pw.item(
        title="规上企业稳岗奖励",
        conditions={"all": [{"attr": "above_scale", "op": "eq", "value": True}]},
        amount_rule={"type": "fixed", "amount": "10000"},
    )
    applied = timezone.make_aware(dt.datetime(2026, 3, 2, 10))
    rows = {
        "甲": ("paid", dt.date(2026, 5, 28), dt.date(2026, 3, 20), True),
        "乙": ("paid", dt.date(2026, 3, 10), dt.date(2026, 3, 13), True),
        "丙": ("clawed_back", dt.date(2026, 5, 28), dt.date(2026, 3, 6), False),
    }
    for name, (status, due, paid, read) in rows.items():
        ent = pw.ents[name]
        Match.objects.create(item=item, enterprise=ent, read_at=timezone.now() if read else None)
        Application.objects.create(
            item=item,
            enterprise=ent,
            year=2026,
            status=status,
            amount=Decimal("10000"),
            applied_at=applied,
            due_on=due,
            paid_on=paid,
            voucher="V",
            applied_by=pw.world.alice,
        )
    return item


def test_the_worked_example(pw):
    item = _example(pw)
    (row,) = item_figures(pw.world.alice, [item])
    assert (row.pushed, row.read) == (3, 2)
    assert row.counts == {"applied": 3, "approved": 3, "paid": 2, "clawed_back": 1}
    assert row.amount_paid == Decimal("20000")
    assert row.on_time_rate == Decimal("66.7")
    assert (row.days_total, row.days_count) == (14 + 9 + 4, 3) and row.average_days == Decimal("9.0")
    from zhuqi.policies.figures import money_by_enterprise

    money = [(r["enterprise__name"][0], r["amount"]) for r in money_by_enterprise(pw.world.alice)]
    assert money == [("乙", Decimal("10000.00")), ("甲", Decimal("10000.00"))]  # 丙's payment was clawed back


def test_scope_drill_down_and_export(pw, client):
    item = _example(pw)
    (row,) = item_figures(pw.world.charlie, [item])  # another county sees none of these claims
    assert row.pushed == 0 and row.counts == {}
    client.force_login(pw.world.alice)
    page = client.get(reverse("policies:figures")).content.decode()
    assert "66.7%" in page and "2.00 万元" in page
    drill = client.get(reverse("policies:application_list") + f"?item={item.pk}&status=paid").content.decode()
    assert drill.count('data-testid="policy-application-row"') == 2 and "丙机械有限公司" not in drill
    export = client.get(reverse("policies:figures") + "?export=1")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_money_by_region_and_department_and_their_drill_down(pw, client):
    """§7's example by area and department: for the county's dispatch office, 尉氏经开区 (甲 and
    乙 live in its grids) received 2 claims, 2 万元; 城关镇 (丙) nothing, its payment clawed back;
    工信局 paid both. Each count opens the claims it counts."""
    from zhuqi.policies.figures import money_by_department, money_by_region

    item = _example(pw)
    world = pw.world
    rows = [(r["region"].name, r["claims"], r["amount"]) for r in money_by_region(world.alice)]
    assert rows == [("尉氏经开区", 2, Decimal("20000.00"))]
    rows = [(r["item__department__name"], r["claims"], r["amount"]) for r in money_by_department(world.alice)]
    assert rows == [(world.jxj.name, 2, Decimal("20000.00"))]
    client.force_login(world.alice)
    page = client.get(reverse("policies:figures")).content.decode()
    assert 'data-testid="policy-region-row"' in page and "尉氏经开区" in page
    listed = client.get(
        reverse("policies:application_list") + f"?status=paid&region={world.park.pk}&item={item.pk}"
    ).content.decode()
    assert "甲机械有限公司" in listed and "乙机械有限公司" in listed and "丙机械有限公司" not in listed
    listed = client.get(
        reverse("policies:application_list") + f"?status=paid&region={world.town.pk}"
    ).content.decode()
    assert "机械有限公司" not in listed
    # a region outside the viewer's scope lists nothing
    listed = client.get(
        reverse("policies:application_list") + f"?status=paid&region={world.other_county.pk}"
    ).content.decode()
    assert "机械有限公司" not in listed
    listed = client.get(
        reverse("policies:application_list") + f"?status=paid&department={world.jxj.pk}"
    ).content.decode()
    assert listed.count("机械有限公司") >= 2
