"""立为督办事项 from where the problem is seen: an open case's page, a project's page and a
lagging group's row on the indicator dispatch page offer it to whoever may assign supervision
items (督查, the dispatch office); the form opens with the source and the title filled in, and
the item links back to its source."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.cases.conftest import CaseWorld
from tests.indicators.conftest import example, iw  # noqa: F401  (fixtures)
from tests.projects.conftest import make_project
from zhuqi.oversight.models import Item

pytestmark = pytest.mark.django_db


def _action(page: str) -> str | None:
    marker = 'data-testid="raise-oversight-item"'
    if marker not in page:
        return None
    head = page[: page.index(marker)]
    return head[head.rindex('href="') + 6 :].split('"', 1)[0].replace("&amp;", "&")


def test_an_open_case_can_be_raised_and_the_item_links_back(world, login):
    case = CaseWorld(world).new(title="厂区道路积水影响出货")
    supervisor = login(world.supervisor)
    url = _action(supervisor.get(reverse("cases:detail", args=[case.pk])).content.decode())
    assert url is not None
    params = parse_qs(urlparse(url).query)
    assert params["source"] == ["case"] and params["ref"] == [case.no]
    assert params["title"] == [f"督办诉求{case.no}：厂区道路积水影响出货"]
    form = supervisor.get(url).content.decode()
    assert f"督办诉求{case.no}" in form and case.no in form
    r = supervisor.post(
        url,
        {
            "title": params["title"][0],
            "source": "case",
            "source_ref": case.no,
            "lead_department": world.jxj.pk,
            "working_days": 5,
            "priority": "normal",
            "report_frequency": "none",
        },
    )
    item = Item.objects.get()
    assert r.status_code == 302 and item.source_object == case
    detail = supervisor.get(item.get_absolute_url()).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in detail
    # a department handler may not assign supervision items: no button
    assert _action(login(world.bob).get(reverse("cases:detail", args=[case.pk])).content.decode()) is None


def test_a_project_can_be_raised(world, login):
    project = make_project(world)
    url = _action(
        login(world.alice).get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    )
    params = parse_qs(urlparse(url).query)
    assert params["source"] == ["project"] and params["ref"] == [project.code]
    assert params["title"] == [f"督办项目：{project.name}"]


def test_a_lagging_group_on_the_indicator_dispatch_page_can_be_raised(example, client, rf):  # noqa: F811
    """Only the rows behind 时序进度 offer it (none in §2's example, where both groups are ahead);
    the action names the group and the indicator."""
    from zhuqi.indicators.models import Indicator
    from zhuqi.oversight.cards import raise_item_action

    w = example.world
    client.force_login(w.alice)
    r = client.get(reverse("indicators:dispatch"), {"period": "202610", "indicator": "gross_output"})
    behind = [g for g in r.context["group_rows"] if g["behind"]]
    assert r.content.decode().count('data-testid="raise-oversight-item"') == len(behind)
    request = rf.get("/")
    request.user = w.alice
    action = raise_item_action(request, Indicator.objects.get(code="gross_output"), who="城关镇")
    params = parse_qs(urlparse(action["url"]).query)
    assert params["source"] == ["indicator"] and params["ref"] == ["gross_output"]
    assert params["title"] == ["城关镇工业总产值落后于时序进度"]
    request.user = w.bob
    assert raise_item_action(request, Indicator.objects.get(code="gross_output"), who="城关镇") is None


def _breached_obligation(world):
    """项目甲 promised 固定资产投资 ≥ 30,000 万元 by 2026-06-30; the sweep of 1 July warned of it."""
    import datetime as dt

    from tests.attraction.conftest import make_lead
    from zhuqi.attraction import services as attraction_services
    from zhuqi.attraction.models import Contract, Obligation

    lead = make_lead(world, investor="投资方甲", title="项目甲")
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2026, 1, 5), amount=lead.amount, created_by=world.alice
    )
    ob = Obligation.objects.create(
        contract=contract, kind="investment", target=30000, due_on=dt.date(2026, 6, 30)
    )
    later = Obligation.objects.create(contract=contract, kind="start", due_on=dt.date(2026, 12, 31))
    assert attraction_services.sweep_obligations(dt.date(2026, 7, 1)) == (0, 1)
    return lead, ob, later


def test_a_breached_obligation_can_be_raised_and_the_item_links_back(world, login):
    """The lead page's 履约 panel offers 立为督办事项 beside the warned obligation (not beside the
    one not yet due) to whoever may assign items; the item's source is the obligation, its page
    links back to the lead's 履约 panel. An obligation outside the assigner's scope is not found;
    one not under a warning is refused."""
    import datetime as dt

    import time_machine

    from zhuqi.core.workcalendar import SHANGHAI

    lead, ob, later = _breached_obligation(world)
    with time_machine.travel(dt.datetime(2026, 7, 2, 9, tzinfo=SHANGHAI), tick=False):
        alice = login(world.alice)
        page = alice.get(reverse("attraction:lead_detail", args=[lead.pk])).content.decode()
        assert page.count('data-testid="raise-oversight-item"') == 1
        url = _action(page)
        params = parse_qs(urlparse(url).query)
        assert params["source"] == ["obligation"] and params["ref"] == [str(ob.pk)]
        assert params["title"] == [
            "督办招商项目履约：项目甲未履约“固定资产投资（万元）”（约定期限 2026-06-30）"
        ]
        assert params["title"][0] in alice.get(url).content.decode()
        post = {
            "title": params["title"][0],
            "source": "obligation",
            "source_ref": str(ob.pk),
            "lead_department": world.jxj.pk,
            "working_days": 5,
            "priority": "normal",
            "report_frequency": "none",
        }
        r = alice.post(url, post)
        item = Item.objects.get()
        assert r.status_code == 302 and item.source_object == ob and item.get_source_display() == "违约项目"
        detail = alice.get(item.get_absolute_url()).content.decode()
        assert f"{reverse('attraction:lead_detail', args=[lead.pk])}#obligation-{ob.pk}" in detail
        assert "项目甲 · 固定资产投资（万元） · 2026-06-30" in detail
        # not yet due: refused
        r = alice.post(reverse("oversight:item_new"), {**post, "source_ref": str(later.pk)})
        assert "未过约定期限或已履约" in r.content.decode() and Item.objects.count() == 1
        r = alice.post(reverse("oversight:item_new"), {**post, "source_ref": "abc"})
        assert "找不到编号为「abc」的记录" in r.content.decode()
        # a department handler may not assign supervision items: no button
        assert (
            _action(login(world.bob).get(reverse("attraction:lead_detail", args=[lead.pk])).content.decode())
            is None
        )
        # another county's dispatch office: not found (the same as a number that does not exist)
        r = login(world.charlie).post(
            reverse("oversight:item_new"), {**post, "lead_department": world.other_jxj.pk}
        )
        assert f"找不到编号为「{ob.pk}」的记录" in r.content.decode() and Item.objects.count() == 1
