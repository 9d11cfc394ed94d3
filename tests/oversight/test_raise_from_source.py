"""立为督办事项 from where the problem is seen: an open case's page, a project's page and a
lagging group's row on the indicator dispatch page offer it to whoever may assign supervision
items (督查, the dispatch office); the form opens with the source and the title filled in, and
the item links back to its source."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.cases.conftest import CaseWorld
from tests.indicators.conftest import iw  # noqa: F401  (fixture)
from tests.indicators.test_figures import example  # noqa: F401  (fixture)
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
