"""Figures checked against a hand-computed data set, drill-down to the same rows, export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from zhuqi.cases import figures as F
from zhuqi.cases import services
from zhuqi.core.workcalendar import SHANGHAI


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


@pytest.fixture
def data(cw):
    """Six cases (see the expected numbers in each test):
    c1 jxj closed satisfied, on time        c4 refused
    c2 jxj reopened once, then basic, closed c5 zrzy reopened (open)
    c3 zrzy in progress                     c6 zrzy closed late (sign + reply missed), not resolved
    """
    w = cw.w
    a, z = w.alice, w.zr_handler

    def dispatched(lead, when, **kw):
        with time_machine.travel(when, tick=False):
            c = cw.new(**kw)
            c = services.accept_case(c, actor=a, category=cw.power)
            return services.dispatch_case(c, actor=a, lead=lead)

    with time_machine.travel(at(2026, 3, 2), tick=False):
        c1 = cw.to("closed")
        c2 = cw.to("reopened")
        c2 = services.reply_case(c2, actor=w.bob, reply="再次协调")
        c2 = services.follow_up_case(c2, actor=a, result="basic")
        c2 = services.close_case(c2, actor=a)
        c4 = cw.to("refused")
    c3 = dispatched(w.zrzy, at(2026, 3, 3))
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        services.sign_case(c3, actor=z)
    c5 = dispatched(w.zrzy, at(2026, 3, 4))
    with time_machine.travel(at(2026, 3, 4, 11), tick=False):
        services.sign_case(c5, actor=z)
        services.reply_case(c5, actor=z, reply="已答复")
        services.follow_up_case(c5, actor=a, result="unsatisfied")
    c6 = dispatched(w.zrzy, at(2026, 3, 5))  # Thursday: sign due 3-6, reply due 3-16
    with time_machine.travel(at(2026, 3, 9), tick=False):
        services.sign_case(c6, actor=z)  # 1 working day late
    with time_machine.travel(at(2026, 3, 18), tick=False):
        services.reply_case(c6, actor=z, reply="受政策限制暂无法解决，已说明", resolved=False)
        services.follow_up_case(c6, actor=a, result="satisfied")
        services.close_case(c6, actor=a)
    return dict(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6)


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_totals_hand_computed(cw, data):
    t = F.totals(F.base(cw.w.alice))
    assert t["received"]["n"] == 6
    assert t["accepted"]["n"] == 5
    assert t["closed"]["n"] == 3
    assert t["close_rate"] == {"n": 3, "d": 5, "rate": D("60.0")}
    assert t["sign_ontime"] == {"n": 4, "d": 5, "rate": D("80.0")}
    # 应办结 on 3-20: closed c1, c2, c6 and the open c3 (due 3-12) and c5 (reopened, due 3-13)
    assert t["close_ontime"] == {"n": 2, "d": 5, "rate": D("40.0")}
    assert t["close_ontime_closed"] == {"n": 2, "d": 3, "rate": D("66.7")}
    assert t["solve_rate"] == {"n": 2, "d": 3, "rate": D("66.7")}
    assert t["satisfaction"] == {"n": 3, "d": 4, "rate": D("75.0")}
    assert t["reopen_rate"] == {"n": 2, "d": 4, "rate": D("50.0")}
    # c6: accepted 3-5 → closed 3-18: 6, 9, 10, 11, 12, 13, 16, 17, 18 = 9 working days
    assert data["c6"].__class__.objects.get(pk=data["c6"].pk).close_working_days == 9


def test_by_department_and_drilldown(cw, data):
    w = cw.w
    rows = {r["label"]: r for r in F.by_dimension(F.base(w.alice), "department")}
    assert rows["工信局"]["close_rate"] == {"n": 2, "d": 2, "rate": D("100.0")}
    assert rows["自然资源局"]["close_rate"] == {"n": 1, "d": 3, "rate": D("33.3")}
    assert rows["自然资源局"]["satisfaction"]["rate"] == D("50.0")
    qs = F.drill(F.base(w.alice), "close_rate", "d", "department", str(w.zrzy.pk))
    assert {c.pk for c in qs} == {data["c3"].pk, data["c5"].pk, data["c6"].pk}
    r = w and cw  # noqa: F841
    from django.test import Client

    client = Client()
    client.force_login(w.alice)
    page = client.get(
        reverse("cases:list"), {"metric": "close_rate", "part": "n", "dim": "department", "key": w.jxj.pk}
    )
    assert {c.pk for c in page.context["page"]} == {data["c1"].pk, data["c2"].pk}


def test_by_period_channel_category_region(cw, data):
    w = cw.w
    qs = F.base(w.alice)
    period = F.by_dimension(qs, "period")
    assert [r["key"] for r in period] == ["2026-03"] and period[0]["received"]["n"] == 6
    assert sum(r["received"]["n"] for r in F.by_dimension(qs, "channel")) == 6
    cats = {r["label"]: r for r in F.by_dimension(qs, "category")}
    assert cats["水电气"]["accepted"]["n"] == 3
    assert sum(r["received"]["n"] for r in F.by_dimension(qs, "region")) == 6
    assert F.totals(F.base(w.alice, dt.date(2026, 3, 3), dt.date(2026, 3, 4)))["received"]["n"] == 2


def test_figures_scope(cw, data):
    assert F.totals(F.base(cw.w.charlie))["received"]["n"] == 0
    assert F.totals(F.base(cw.w.bob))["received"]["n"] == 2  # 工信局's own cases


@time_machine.travel(at(2026, 12, 1), tick=False)
def test_figures_page_and_export(cw, data, login):
    c = login(cw.w.alice)
    r = c.get(reverse("cases:figures"), {"dim": "department"})
    assert r.status_code == 200 and "60.0%" in r.content.decode()
    r = c.get(reverse("cases:figures_export"), {"dim": "category"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = c.get(reverse("cases:export"))
    assert r.status_code == 200
    assert login(cw.w.enterprise_user).get(reverse("cases:figures")).status_code == 404


def test_figures_page_defaults_to_this_year_with_all_time_one_click_away(cw, data, login):
    with time_machine.travel(at(2027, 2, 1), tick=False):
        c = login(cw.w.alice)
        page = c.get(reverse("cases:figures"))
        # the March 2026 cases lie outside 2027's year to date
        assert page.context["totals"]["received"]["n"] == 0
        assert (page.context["start"], page.context["end"]) == (dt.date(2027, 1, 1), dt.date(2027, 2, 1))
        links = {label: qs for label, qs, _active in page.context["periods"]}
        assert links["全部"] == "start=&end="
        assert links["上年"] == "start=2026-01-01&end=2026-12-31"
        everything = c.get(reverse("cases:figures") + "?" + links["全部"])
        assert everything.context["totals"]["received"]["n"] == 6
        last_year = c.get(reverse("cases:figures") + "?" + links["上年"])
        assert last_year.context["totals"]["close_rate"] == {"n": 3, "d": 5, "rate": D("60.0")}
        assert [a for _l, _q, a in last_year.context["periods"]] == [False, False, True, False]


def test_clock_outcomes_are_kept_on_the_case(cw, data):
    """The figures read the outcome columns; they must agree with the clock rows."""
    from zhuqi.cases.models import Case, CaseClock

    for case in Case.objects.all():
        clocks = CaseClock.objects.filter(case=case)
        assert case.sign_done == clocks.filter(kind="sign", state__in=["met", "missed"]).exists()
        assert case.sign_missed == clocks.filter(kind="sign", state="missed").exists()
        assert case.reply_missed == clocks.filter(kind="reply", state="missed").exists()
    assert Case.objects.get(pk=data["c6"].pk).sign_missed is True
    assert Case.objects.get(pk=data["c6"].pk).reply_missed is True


@pytest.mark.parametrize("dim", list(F.DIMENSIONS))
def test_one_query_summary_adds_up_to_the_separate_totals(cw, data, dim, django_assert_max_num_queries):
    qs = F.base(cw.w.alice)
    with django_assert_max_num_queries(3):  # the grouped query, the labels (and a scope lookup)
        totals, rows = F.summary(qs, dim, F.region_depth_for(cw.w.alice))
    assert totals == F.totals(qs)
    assert sum(r["received"]["n"] for r in rows) == 6


def test_region_rows_are_one_level_below_the_viewer_and_drill_to_their_cases(cw, data, login):
    w = cw.w
    rows = F.by_dimension(F.base(w.alice), "region", F.region_depth_for(w.alice))
    # alice works for the county: rows are its towns and parks (4 path segments)
    assert rows and all(r["key"].count("/") == 4 for r in rows)
    for r in rows:
        drilled = F.drill(F.base(w.alice), "received", "n", "region", r["key"])
        assert drilled.count() == r["received"]["n"]
    # the province admin sees the city as one row with every case of it
    admin_rows = F.by_dimension(F.base(w.admin), "region", F.region_depth_for(w.admin))
    assert [r["key"] for r in admin_rows] == [w.city.path]
    assert admin_rows[0]["label"] == w.city.name and admin_rows[0]["received"]["n"] == 6


@time_machine.travel(at(2026, 12, 1), tick=False)
def test_wide_scopes_open_on_regions_and_long_tables_are_cut_with_a_note(cw, data, login, monkeypatch):
    from zhuqi.cases import views

    page = login(cw.w.admin).get(reverse("cases:figures"))
    assert page.context["dim"] == "region"
    assert login(cw.w.alice).get(reverse("cases:figures")).context["dim"] == "department"
    monkeypatch.setattr(views, "FIGURE_ROWS", 1)
    page = login(cw.w.alice).get(reverse("cases:figures"), {"dim": "department"})
    # 工信局, 自然资源局 and the cases not yet dispatched (未指定)
    assert len(page.context["rows"]) == 1 and page.context["rows_hidden"] == 2
    assert "另有 2 行未显示" in page.content.decode()


@pytest.mark.parametrize(
    ("n", "d", "shown"),
    [
        (1, 16, "6.3"),
        (3, 2000, "0.2"),
        (1, 8, "12.5"),
        (5, 16, "31.3"),
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (0, 7, "0.0"),
    ],
)
def test_rates_round_half_up_at_the_x5_boundaries(n, d, shown):
    """1 of 16 is 6.25 %: shown 6.3 (Python's round() on the float gave 6.2); 3 of 2000 is
    0.15 %: 0.2 (round() gave 0.1). The same helper rounds the cases, visits and projects pages."""
    from zhuqi.assistance.compliance import Summary
    from zhuqi.core.templatetags.core_tags import pct
    from zhuqi.core.units import rate
    from zhuqi.projects.figures import pct as project_pct

    row = {"close_rate__n": n, "close_rate__d": d}
    assert F._finish(row)["close_rate"]["rate"] == D(shown) == rate(n, d) == project_pct(n, d)
    assert Summary(None, "", done=n, overdue=d - n).rate == D(shown)
    assert pct(n * 100 / d) == f"{shown}%"


def test_average_working_days_round_half_up():
    # 3 working days over 20 closed cases = 0.15 → 0.2 (round() gave 0.1); 25 over 10 = 2.5
    assert F._finish({"days__sum": 3, "days__n": 20})["avg_days"] == D("0.2")
    assert F._finish({"days__sum": 125, "days__n": 20})["avg_days"] == D("6.3")
    assert F._finish({"days__sum": 0, "days__n": 0})["avg_days"] is None


def test_open_cases_past_their_deadline_count_as_not_on_time(cw, data):
    """按时办结率 used to divide by closed cases only (2 of 3 = 66.7 %): c3 (reply due 3-12) and
    c5 (reopened, reply due 3-13), still open on 3-20, never lowered it. Over the cases due:
    2 of 5 = 40.0 %. 按时签收率 ignored a case dispatched on 3-17 and still unsigned past its
    sign deadline (3-18): 4 of 6 = 66.7 % instead of 4 of 5. The drill-down lists the same cases."""
    w = cw.w
    with time_machine.travel(at(2026, 3, 17), tick=False):
        c7 = cw.new()
        c7 = services.accept_case(c7, actor=w.alice, category=cw.power)
        c7 = services.dispatch_case(c7, actor=w.alice, lead=w.zrzy)
    with time_machine.travel(at(2026, 3, 18, 12), tick=False):  # sign deadline not yet passed
        t = F.totals(F.base(w.alice))
        assert t["sign_ontime"] == {"n": 4, "d": 5, "rate": D("80.0")}
    with time_machine.travel(at(2026, 3, 20), tick=False):
        qs = F.base(w.alice)
        t = F.totals(qs)
        assert t["close_ontime"] == {"n": 2, "d": 5, "rate": D("40.0")}
        assert t["sign_ontime"] == {"n": 4, "d": 6, "rate": D("66.7")}
        due = {c.pk for c in F.drill(qs, "close_ontime", "d")}
        assert due == {data[k].pk for k in ("c1", "c2", "c3", "c5", "c6")}
        assert {c.pk for c in F.drill(qs, "close_ontime", "n")} == {data["c1"].pk, data["c2"].pk}
        assert c7.pk in {c.pk for c in F.drill(qs, "sign_ontime", "d")}
        assert c7.pk not in {c.pk for c in F.drill(qs, "sign_ontime", "n")}
        rows = {r["label"]: r for r in F.by_dimension(qs, "department")}
        assert rows["自然资源局"]["close_ontime"] == {"n": 0, "d": 3, "rate": D("0.0")}
        assert rows["自然资源局"]["close_ontime_closed"] == {"n": 0, "d": 1, "rate": D("0.0")}


@time_machine.travel(at(2026, 3, 20), tick=False)
def test_first_call_and_final_satisfaction_and_first_time_solved(cw, data):
    """满意率 took only the latest answer: c2 (unsatisfied, reopened, then 基本满意) counted as
    satisfied. Followed up: c1 满意, c2 不满意→基本满意, c5 不满意 (reopened, open), c6 满意.
    首次满意率 = c1, c6 = 2 ÷ 4 = 50.0 %; 最终满意率 = c1, c2, c6 = 3 ÷ 4 = 75.0 %.
    解决率 (the department's flag) = c1, c2 of 3 closed = 66.7 %; 一次解决率 (solved and accepted
    by the enterprise at the first follow-up call) = c1 = 1 ÷ 3 = 33.3 %."""
    qs = F.base(cw.w.alice)
    t = F.totals(qs)
    assert t["first_satisfaction"] == {"n": 2, "d": 4, "rate": D("50.0")}
    assert t["satisfaction"] == {"n": 3, "d": 4, "rate": D("75.0")}
    assert t["solve_rate"] == {"n": 2, "d": 3, "rate": D("66.7")}
    assert t["solve_first_call"] == {"n": 1, "d": 3, "rate": D("33.3")}
    first = {c.pk for c in F.drill(qs, "first_satisfaction", "n")}
    assert first == {data["c1"].pk, data["c6"].pk}
    assert {c.pk for c in F.drill(qs, "solve_first_call", "n")} == {data["c1"].pk}
    assert str(F.METRICS["satisfaction"].label) == "最终满意率"
