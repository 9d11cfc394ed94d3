"""The pages as people use them: 督查 creates an item, the department replies, 督查 accepts;
the queue puts red and orange first and is the 督查's home page; scope answers 404."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse

from tests.oversight.conftest import at, make_item
from zhuqi.core.excel import write_workbook
from zhuqi.oversight import sweep
from zhuqi.oversight.importers import TaskListImporter
from zhuqi.oversight.models import Item, Priority, Slip, Status

pytestmark = pytest.mark.django_db


def test_create_reply_accept_through_the_pages(world, login):
    client = login(world.supervisor)
    r = client.post(
        reverse("oversight:item_new"),
        {
            "title": "企业用电报装提速",
            "source": "meeting",
            "source_text": "县长办公会议 2026 年第 5 次",
            "lead_department": world.jxj.pk,
            "assisting_departments": [world.zrzy.pk],
            "working_days": 10,
            "priority": "normal",
            "report_frequency": "weekly",
        },
    )
    item = Item.objects.get()
    assert r.status_code == 302 and r.url == item.get_absolute_url()
    assert item.working_days == 10 and item.region == world.county
    client = login(world.bob)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="reply-form"' in page and 'data-testid="review-actions"' not in page
    client.post(reverse("oversight:item_fire", args=[item.pk]), {"action": "reply", "body": "已办结"})
    item.refresh_from_db()
    assert item.status == Status.REPLIED
    client = login(world.supervisor)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-accept"' in page
    client.post(reverse("oversight:item_fire", args=[item.pk]), {"action": "accept"})
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_form_errors_are_shown_on_the_form(world, login):
    client = login(world.supervisor)
    r = client.post(
        reverse("oversight:item_new"),
        {
            "title": "关联诉求",
            "source": "case",
            "source_ref": "不存在的编号",
            "lead_department": world.jxj.pk,
            "working_days": 10,
            "priority": "normal",
            "report_frequency": "none",
        },
    )
    assert r.status_code == 200
    assert "找不到编号为「不存在的编号」的记录" in r.content.decode()
    assert not Item.objects.exists()


def test_queue_shows_red_and_orange_first_and_is_the_supervisors_home(world, login):
    plain = make_item(world, at(2026, 3, 19), title="普通事项", working_days=60)
    marked = make_item(
        world, at(2026, 3, 19), title="领导批示事项", priority=Priority.INSTRUCTION, working_days=60
    )
    late = make_item(world, title="超期事项", working_days=5)
    with time_machine.travel(at(2026, 3, 20), tick=False):
        sweep.sweep()
        client = login(world.supervisor)
        page = client.get(reverse("oversight:queue")).content.decode()
        home = client.get(reverse("home")).content.decode()
    assert page.index("超期事项") < page.index("领导批示事项") < page.index("普通事项")
    assert Item.objects.get(pk=late.pk).slip == Slip.RED
    assert Item.objects.get(pk=marked.pk).slip == Slip.ORANGE
    assert Item.objects.get(pk=plain.pk).slip == Slip.NONE
    # the queue card is the first card of the 督查's home page and names the red and orange items
    assert 'data-testid="oversight-card"' in home
    assert home.index('data-testid="oversight-card"') < home.index("最新消息")
    assert "超期事项" in home and "领导批示事项" in home and "普通事项" not in home
    # not a card for anyone else
    assert 'data-testid="oversight-card"' not in login(world.alice).get(reverse("home")).content.decode()


def test_scope_on_the_pages(world, login):
    item = make_item(world, lead_department=world.zrzy)
    assert login(world.bob).get(item.get_absolute_url()).status_code == 404
    assert login(world.charlie).get(item.get_absolute_url()).status_code == 404
    assert login(world.zr_handler).get(item.get_absolute_url()).status_code == 200
    assert login(world.bob).get(reverse("oversight:queue")).status_code == 404
    listing = login(world.bob).get(reverse("oversight:item_list")).content.decode()
    assert item.title not in listing
    assert login(world.enterprise_user).get(reverse("oversight:item_list")).status_code == 404


def test_api_lists_in_scope_and_fires(world, client):
    from rest_framework.test import APIClient

    item = make_item(world)
    api = APIClient()
    api.force_authenticate(world.bob)
    r = api.get("/api/v1/oversight-items/")
    assert [row["id"] for row in r.json()["results"]] == [item.pk]
    r = api.post(f"/api/v1/oversight-items/{item.pk}/fire/", {"action": "accept"}, format="json")
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/oversight-items/{item.pk}/fire/", {"action": "reply", "body": "已办结"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    api.force_authenticate(world.other_handler)
    assert api.get(f"/api/v1/oversight-items/{item.pk}/").status_code == 404


HEAD = [
    "清单类型",
    "年度",
    "事项名称",
    "具体要求",
    "牵头单位",
    "配合单位",
    "完成时限",
    "重要程度",
    "报送频次",
]


def xlsx(rows):
    return io.BytesIO(write_workbook(HEAD, rows))


def test_task_lists_import_all_or_nothing(world):
    rows = [
        [
            "任务清单",
            2026,
            "规上工业增加值增长 8.5%",
            "按月调度",
            "工信局",
            "自然资源局",
            "2026-12-31",
            "重大",
            "每月",
        ],
        ["时限清单", 2026, "标准化厂房主体完工", "", "尉氏县自然资源局", "", "2026-06-30", "", ""],
    ]
    with time_machine.travel(at(2026, 3, 2), tick=False):
        bad = TaskListImporter(world.supervisor).run(
            xlsx([*rows, ["责任清单", 2026, "错误行", "", "不存在的局", "", "2026-06-30", "", ""]]),
            dry_run=False,
        )
        assert [str(e) for e in bad.errors] and not Item.objects.exists()
        assert any("第 4 行" in str(e) and "不存在的局" in str(e) for e in bad.errors)
        result = TaskListImporter(world.supervisor).run(xlsx(rows), dry_run=False)
    assert not result.errors
    first, second = Item.objects.order_by("pk")
    assert (first.list_kind, first.priority, first.report_frequency) == ("task", "major", "monthly")
    assert first.slip == Slip.ORANGE  # 重大: orange from the start
    assert list(first.assisting_departments.all()) == [world.zrzy]
    assert (second.lead_department, str(second.due_on), second.region) == (
        world.zrzy,
        "2026-06-30",
        world.county,
    )


def test_an_item_from_an_overdue_case_links_to_it(world, login):
    from tests.cases.conftest import CaseWorld

    case = CaseWorld(world).to("signed")
    client = login(world.supervisor)
    form = client.get(
        reverse("oversight:item_new") + f"?source=case&ref={case.no}&title=督办超时诉求"
    ).content.decode()
    assert f'value="{case.no}"' in form and 'value="督办超时诉求"' in form
    client.post(
        reverse("oversight:item_new"),
        {
            "title": "督办超时诉求",
            "source": "case",
            "source_ref": case.no,
            "lead_department": world.jxj.pk,
            "working_days": 3,
            "priority": "urgent",
            "report_frequency": "none",
        },
    )
    item = Item.objects.get()
    assert item.source_object == case
    page = client.get(item.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in page
    # the department cannot be deactivated while it leads an open item
    from zhuqi.core.references import uses_of

    assert ("未销号的督办事项（牵头）", 1) in [tuple(u) for u in uses_of("department", world.jxj)]


def test_queue_and_list_query_counts_do_not_grow_with_items(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.supervisor)

    def counts():
        out = []
        for name in ("oversight:queue", "oversight:item_list"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            out.append(len(ctx))
        return out

    make_item(world, title="一")
    few = counts()
    for i in range(8):
        make_item(world, title=f"事项{i}", assisting=[world.zrzy], priority=Priority.MAJOR)
    assert counts() == few


def test_an_item_from_a_lagging_indicator_names_it(world, login):
    from zhuqi.indicators.models import Indicator

    indicator = Indicator.objects.get(code="gross_output")
    client = login(world.supervisor)
    client.post(
        reverse("oversight:item_new"),
        {
            "title": "工业总产值落后时序进度",
            "source": "indicator",
            "source_ref": indicator.name,
            "lead_department": world.jxj.pk,
            "working_days": 20,
            "priority": "normal",
            "report_frequency": "weekly",
        },
    )
    item = Item.objects.get()
    assert item.source_object == indicator
    assert indicator.name in client.get(item.get_absolute_url()).content.decode()


def test_the_rules_are_readable_in_the_product(world, login):
    page = login(world.bob).get(reverse("core:doc", args=["oversight"])).content.decode()
    assert "督办单" in page and "手算示例" in page and "2026-03-30" in page
