import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from tests.core import import_flow
from zhuqi.core.excel import write_workbook
from zhuqi.projects import services
from zhuqi.projects.importers import ActualImporter
from zhuqi.projects.models import InvestmentMonth

pytestmark = pytest.mark.django_db
HEAD = ["项目编号", "年度", "月份", "本月完成投资（万元）"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        yield


def xlsx(rows):
    return io.BytesIO(write_workbook(HEAD, rows))


def test_dry_run_then_apply(world, project):
    result = ActualImporter(world.alice).run(
        xlsx([["P001", 2026, 5, 12.5], ["P001", 2026, 4, "10"]]), dry_run=True
    )
    assert result.ok and len(result.rows) == 2 and not InvestmentMonth.objects.exists()
    result = ActualImporter(world.alice).run(
        xlsx([["P001", 2026, 5, 12.5], ["P001", 2026, 4, "10"]]), dry_run=False
    )
    assert result.applied and result.created == 2
    assert InvestmentMonth.objects.get(month=5).actual == Decimal("125000")


def test_all_or_nothing_with_row_messages(world, project, other_project):
    rows = [
        ["P001", 2026, 5, 1],
        ["P900", 2026, 5, 1],
        ["P001", 2026, 7, 1],
        ["P001", 2026, 13, 1],
        ["P001", 2026, 5, -1],
    ]
    result = ActualImporter(world.alice).run(xlsx(rows), dry_run=False)
    assert not result.ok and not InvestmentMonth.objects.exists()
    text = [str(e) for e in result.errors]
    assert "第 3 行「项目编号」：找不到项目「P900」（或不在您的范围内）" in text
    assert "第 4 行「月份」：不能填报未来月份" in text
    assert "第 5 行「月份」：应在 1–12 之间" in text
    assert "第 6 行「本月完成投资（万元）」：不能为负数" in text


def test_import_page(world, project, login):
    # a kind of the one import flow: preview first (nothing saved), then confirm the same file
    client = login(world.alice)
    assert client.get("/projects/investment/import/")["Location"] == import_flow.url("investment")
    assert client.get("/core/import/investment/template/").status_code == 200
    resp = import_flow.preview(client, "investment", xlsx([["P001", 2026, 5, 3]]).getvalue())
    assert resp.status_code == 200 and "新增" in resp.content.decode()
    assert not InvestmentMonth.objects.filter(actual__isnull=False).exists()
    resp = import_flow.confirm(client, "investment", import_flow.token_of(resp.content.decode()))
    assert 'data-testid="import-done"' in resp.content.decode()
    assert InvestmentMonth.objects.get(month=5).actual == Decimal("30000")


def test_sweep_command(world, project, monkeypatch):
    monkeypatch.setattr(services, "case_for_overdue_approval", lambda step, **kw: None)
    step = project.approvals.get(step_type__code="approval_filing")
    services.start_approval(step, started_on=dt.date(2026, 5, 4), actor=world.alice)
    out = io.StringIO()
    call_command("projects_sweep", "--today", "2026-06-10", stdout=out)
    assert "1" in out.getvalue()
