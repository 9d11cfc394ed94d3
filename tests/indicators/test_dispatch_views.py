"""The dispatch view, its drill-down, 督办提醒 and export, and the target pages: scope (a county sees
its own subtree; another county's region is a 404), permission, audit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from zhuqi.assistance.models import Assignment, AssignmentRole
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.indicators.models import Target, TargetPart

pytestmark = pytest.mark.django_db


def test_dispatch_shows_figures_and_who_is_behind(example, client):
    w = example.world
    client.force_login(w.alice)
    r = client.get(reverse("indicators:dispatch"), {"period": "202610", "indicator": "gross_output"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "60.0%" in html and "-23.3" in html and "5.3%" in html and "-6.3%" in html
    lag = r.context["laggards"]
    assert [x["enterprise"] for x in lag] == [example.ent2]
    assert [g["label"] for g in r.context["group_rows"]] == [w.park.name, w.town.name] or len(
        r.context["group_rows"]
    ) == 2
    assert example.other.name not in html


def test_dispatch_by_department_and_leader(example, client):
    w = example.world
    Assignment.objects.create(
        enterprise=example.ent2, year=2026, role=AssignmentRole.DEPT_CONTACT, user=w.bob, department=w.jxj
    )
    client.force_login(w.alice)
    r = client.get(reverse("indicators:dispatch"), {"period": "202610", "by": "department"})
    assert [g["label"] for g in r.context["group_rows"]] == [w.jxj.name]
    assert r.context["group_rows"][0]["f"].actual == D(300)


def test_another_countys_region_is_a_404(example, client):
    w = example.world
    client.force_login(w.charlie)
    assert client.get(reverse("indicators:dispatch"), {"region": w.county.pk}).status_code == 404
    q = {"indicator": "gross_output", "period": "202610", "kind": "region", "id": w.county.pk}
    assert client.get(reverse("indicators:dispatch_rows"), q).status_code == 404
    r = client.get(reverse("indicators:dispatch"))
    assert r.status_code == 200 and r.context["root"] == w.other_county


def test_rows_drill_down(example, client):
    w = example.world
    client.force_login(w.alice)
    q = {"indicator": "gross_output", "period": "202610", "kind": "region", "id": w.county.pk, "set": "panel"}
    r = client.get(reverse("indicators:dispatch_rows"), q)
    assert r.status_code == 200
    assert [x["v"].enterprise for x in r.context["rows"]] == [example.ent2, example.ent]


def test_remind_notifies_the_leader_and_is_audited(example, client):
    w = example.world
    Assignment.objects.create(
        enterprise=example.ent2, year=2026, role=AssignmentRole.COUNTY_LEADER, user=w.leader
    )
    client.force_login(w.alice)
    data = {
        "indicator": "gross_output",
        "period": "202610",
        "kind": "region",
        "id": w.county.pk,
        "enterprise": example.ent2.pk,
    }
    r = client.post(reverse("indicators:dispatch_remind"), data)
    assert r.status_code == 302
    n = Notification.objects.get(recipient=w.leader)
    assert "督办提醒" in n.title and example.ent2.name in n.title
    assert AuditEntry.objects.filter(event="indicator_reminder", object_id=str(example.ent2.pk)).exists()
    client.force_login(w.observer)
    assert client.post(reverse("indicators:dispatch_remind"), data).status_code == 404


def test_export_is_audited(example, client):
    w = example.world
    client.force_login(w.alice)
    r = client.get(reverse("indicators:dispatch_export"), {"period": "202610"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export", object_type="indicators.value").exists()


def test_target_pages(iw, client):
    w = iw.world
    client.force_login(w.alice)
    assert client.get(reverse("indicators:target_set")).status_code == 200
    data = {
        "indicator": iw.output.pk,
        "year": 2026,
        "kind": "region",
        "region": w.county.pk,
        "amount": "1000",
        "method": "equal",
        "decomposed_to": "M",
        "preview": "1",
    }
    r = client.post(reverse("indicators:target_set"), data)
    assert r.status_code == 200 and [g["amount"] for g in r.context["grid"]][-1] == "83.7"
    assert not Target.objects.exists()
    data.pop("preview")
    data["save"] = "1"
    r = client.post(reverse("indicators:target_set"), data)
    t = Target.objects.get()
    assert r.status_code == 302 and TargetPart.objects.filter(target=t, period_type="M").count() == 12
    parts = {f"p_2026{m:02d}": "80" for m in range(1, 13)}
    r = client.post(reverse("indicators:target_detail", args=[t.pk]), parts, follow=True)
    assert "相差 -40" in r.content.decode()
    parts["p_202612"] = "120"
    r = client.post(reverse("indicators:target_detail", args=[t.pk]), parts)
    assert r.status_code == 302 and TargetPart.objects.get(target=t, period="202612").amount == D(120)
    assert client.get(reverse("indicators:target_list"), {"year": 2026}).status_code == 200
    client.force_login(w.charlie)
    assert client.get(reverse("indicators:target_detail", args=[t.pk])).status_code == 404
    client.force_login(w.bob)
    assert client.get(reverse("indicators:target_set")).status_code == 404


def test_dispatch_at_a_xun(iw, client):
    from zhuqi.indicators import services_targets

    w = iw.world
    services_targets.set_target(
        iw.output, 2026, region=w.county, amount=D(360), decomposed_to="X", actor=w.alice
    )
    client.force_login(w.alice)
    r = client.get(reverse("indicators:dispatch"), {"period": "202610X2", "indicator": "gross_output"})
    assert r.status_code == 200
    total = r.context["selected_total"]["f"]
    assert total.target_to_date == D(290) and total.elapsed == D("80.6")  # 9⅔ months of 12
    assert len(r.context["chart"]["series"]["target"]) == 36


def test_the_view_opens_on_the_last_month_whose_returns_are_due(world):
    """On 2 December November is still being reported (due 7 December): the view opens on
    October; on 10 December on November; with nothing reported since August, on August."""
    import datetime as dt
    from decimal import Decimal as D

    from tests.indicators.conftest import IndicatorWorld
    from zhuqi.indicators import services
    from zhuqi.indicators.periods import Period
    from zhuqi.indicators.views_dispatch import default_period

    iw = IndicatorWorld(world)
    alice = world.alice
    assert default_period(alice, dt.date(2026, 12, 2)).code == "202610"  # nothing reported: no cap
    services.submit_return(
        iw.monthly,
        iw.ent,
        Period.parse("202608"),
        {
            iw.output.pk: {"cumulative": D(1)},
            iw.tax.pk: {"cumulative": D(1)},
            iw.profit.pk: {"cumulative": D(1)},
            iw.employees.pk: {"value": D(1)},
        },
        actor=alice,
        source="behalf",
    )
    assert default_period(alice, dt.date(2026, 12, 2)).code == "202608"
    services.submit_return(
        iw.monthly,
        iw.ent,
        Period.parse("202611"),
        {
            iw.output.pk: {"cumulative": D(2)},
            iw.tax.pk: {"cumulative": D(2)},
            iw.profit.pk: {"cumulative": D(2)},
            iw.employees.pk: {"value": D(1)},
        },
        actor=alice,
        source="behalf",
    )
    assert default_period(alice, dt.date(2026, 12, 2)).code == "202608"
    assert default_period(alice, dt.date(2026, 12, 10)).code == "202611"
