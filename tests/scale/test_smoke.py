"""Smoke test of the scale generator and one benchmark, at a tiny county (a few seconds).

The full runs (county, city, province) are `make bench`; see bench/RESULTS.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Q
from stdnum.cn import uscc

from bench import benchmarks
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry, Region, User
from zhuqi.enterprises.models import Enterprise, pinyin_initials
from zhuqi.scale.generate import SCALES, GenerateError, gb11714_check, generate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
TINY = SCALES["tiny"]


def fingerprint() -> tuple:
    from zhuqi.cases.models import Case
    from zhuqi.projects.models import Project

    return (
        list(Region.objects.order_by("code").values_list("code", "name", "kind", "path")),
        list(User.objects.order_by("username").values_list("username", "full_name", "role", "region__code")),
        list(
            Enterprise.objects.order_by("credit_code").values_list(
                "credit_code",
                "name",
                "region__code",
                "employees",
                "above_scale",
                "registered_capital",
                "tier",
            )
        ),
        list(
            Case.objects.order_by("no").values_list(
                "no", "status", "enterprise__credit_code", "category__code", "submitted_at", "closed_at"
            )
        ),
        list(Project.objects.order_by("code").values_list("code", "name", "stage", "total_investment")),
    )


class Rollback(Exception):
    pass


def generated_then_rolled_back(**kwargs) -> tuple:
    try:
        with transaction.atomic():
            generate("tiny", today=TODAY, verbosity=0, **kwargs)
            fp = fingerprint()
            raise Rollback
    except Rollback:
        pass
    return fp


def test_tiny_county_counts_codes_and_one_audit_entry():
    from zhuqi.assistance.models import Assignment
    from zhuqi.cases.models import Case, CaseClock, CaseDepartment
    from zhuqi.projects.models import InvestmentMonth, Project

    result = generate("tiny", seed=7, today=TODAY, verbosity=0)
    assert result.skipped == {}
    kinds = Counter(Region.objects.values_list("kind", flat=True))
    assert kinds == {"province": 1, "city": 1, "county": 1, "town": 3, "park": 1, "grid": 3 + 2}
    assert User.objects.count() == TINY.officials
    roles = set(User.objects.values_list("role", flat=True))
    assert {"admin", "dispatch", "leader", "dept_head", "handler", "commissioner", "grid"} <= roles
    assert not User.objects.exclude(password="!generated").exists()  # nobody can sign in

    ents = list(Enterprise.objects.select_related("region"))
    assert len(ents) == TINY.enterprises
    county = Region.objects.get(kind="county")
    assert len({e.credit_code for e in ents}) == len(ents)
    for e in ents:
        assert uscc.is_valid(e.credit_code), e.credit_code
        assert e.credit_code[2:8] == county.code  # the registering county
        assert e.credit_code[16] == gb11714_check(e.credit_code[8:16])  # the organisation code's own check
        assert e.name_initials == pinyin_initials(e.name)
        assert e.region.path.startswith(county.path) and e.region.kind in {"town", "park", "grid"}
    employees = sorted(e.employees for e in ents)
    assert employees[len(employees) // 2] < 60 < employees[-1]  # skewed: small median, a long tail
    assert 0 < sum(e.above_scale for e in ents) < len(ents) // 2

    assert Case.objects.count() == TINY.cases
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses["closed"] > TINY.cases // 2 and len(statuses) >= 3
    years = {d.year for d in Case.objects.values_list("submitted_at", flat=True)}
    assert len(years) >= 8  # ten years of history
    assert CaseDepartment.objects.exists() and CaseClock.objects.exists()
    assert not Case.objects.exclude(region_id=F("enterprise__region_id")).exists()
    assert Project.objects.count() == TINY.projects
    assert InvestmentMonth.objects.exists()
    assert Assignment.objects.exists()
    # copied columns the scope and the figures read are written by the generator too
    assert not Enterprise.objects.exclude(region_path=F("region__path")).exists()
    assert not Case.objects.exclude(region_path=F("region__path")).exists()
    assert not Project.objects.exclude(region_path=F("region__path")).exists()
    # generated projects pass the ledger rules: 五个一 (unit and leader), completion after start
    assert not Project.objects.filter(Q(department=None) | Q(leader=None)).exists()
    assert not Project.objects.filter(planned_completion__lt=F("planned_start")).exists()
    missed = set(CaseClock.objects.filter(kind="reply", state="missed").values_list("case_id", flat=True))
    assert missed and set(Case.objects.filter(reply_missed=True).values_list("pk", flat=True)) == missed
    from zhuqi.projects.models import ProjectProgress

    generated = sorted(ProjectProgress.objects.values_list("project_id", "year", "month", "actual_ytd"))
    assert generated
    ProjectProgress.objects.all().delete()
    ProjectProgress.objects.rebuild()
    assert (
        sorted(ProjectProgress.objects.values_list("project_id", "year", "month", "actual_ytd")) == generated
    )

    # the row-diff layer was off: one summary entry, besides the events of the assessment
    # services the oversight part calls (a scheme, computed and published per ended quarter);
    # the chain verifies
    entries = list(AuditEntry.objects.all())
    events = Counter((e.action, e.event) for e in entries)
    assert events == {
        ("import", "scale_generated"): 1,
        ("event", "assessment_scheme_created"): 1,
        ("event", "assessment_computed"): 3,
        ("event", "assessment_published"): 3,
    }
    (summary,) = (e for e in entries if e.event == "scale_generated")
    assert summary.changes["rows"]["enterprises.enterprise"] == TINY.enterprises
    checked, bad, _ = audit.verify()
    assert checked == len(entries) and bad is None


def test_same_seed_same_data_other_seed_other_data():
    first = generated_then_rolled_back(seed=11)
    again = generated_then_rolled_back(seed=11)
    other = generated_then_rolled_back(seed=12)
    assert first == again
    assert first[2] != other[2]


def test_refuses_foreign_data_and_second_run(world):
    with pytest.raises(GenerateError, match="非生成"):
        generate("tiny", verbosity=0)
    result = generate("tiny", force=True, verbosity=0, today=TODAY)
    assert result.province_code != world.province.code  # never mixes into the existing tree
    assert Region.objects.get(code=result.province_code).kind == "province"


def test_second_run_refused_and_parts_later(db):
    generate("tiny", only=["core", "enterprises"], verbosity=0, today=TODAY)
    from zhuqi.cases.models import Case

    assert not Case.objects.exists()
    with pytest.raises(GenerateError, match="已生成"):
        generate("tiny", verbosity=0)
    generate("tiny", only=["cases"], verbosity=0, today=TODAY)
    assert Case.objects.count() == TINY.cases
    with pytest.raises(GenerateError, match="未知"):
        generate("tiny", only=["nonsense"], verbosity=0)


def test_command(capsys):
    call_command("generate", "--scale", "tiny", "--seed", "3", "--today", "2026-11-20", verbosity=0)
    assert Enterprise.objects.count() == TINY.enterprises
    with pytest.raises(CommandError):
        call_command("generate", "--scale", "tiny", verbosity=0)


def test_list_pages_query_counts_bounded_and_page_benchmark():
    generate("tiny", seed=5, today=TODAY, verbosity=0)
    users = benchmarks.generated_users()
    assert users["dispatch"] is not None and users["admin"] is not None
    ent_list = benchmarks.url_of("enterprises:enterprise_list", "/enterprises/")
    counts = benchmarks.page_query_counts(
        users["dispatch"],
        [
            "/api/v1/enterprises/?page_size=5",
            "/api/v1/enterprises/?page_size=100",
            f"{ent_list}?page=1",
            f"{ent_list}?page=3",
        ],
    )
    assert counts["/api/v1/enterprises/?page_size=5"] == counts["/api/v1/enterprises/?page_size=100"]
    assert counts[f"{ent_list}?page=1"] == counts[f"{ent_list}?page=3"]
    assert max(counts.values()) <= 25
    growth = {m.name: m for m in benchmarks.bench_query_growth(users)}
    enterprise_pages = [m for name, m in growth.items() if "企业" in name]
    assert len(enterprise_pages) == 2
    assert all(m.notes == "bounded" for m in enterprise_pages), [(m.name, m.notes) for m in enterprise_pages]
    measurements = benchmarks.bench_pages(users, repeat=1)
    assert measurements and all(m.median > 0 and m.ratio and m.queries for m in measurements)


def test_case_pages_dashboards_and_figures_benchmarks_run_and_agree():
    """The other page benchmarks on tiny data: they run, answer 200 and (on PostgreSQL, where
    the figures floors run) our figures equal the hand-written SQL's (they raise otherwise)."""
    from django.db import connection

    generate("tiny", seed=5, today=TODAY, verbosity=0)
    users = benchmarks.generated_users()
    cases = benchmarks.bench_case_pages(users, repeat=1)
    assert cases and all(m.median > 0 and m.notes == "" for m in cases), [(m.name, m.notes) for m in cases]
    assert any("游标" in m.name for m in cases)  # the keyset page of the case API
    dashboards = benchmarks.bench_dashboards(users, repeat=1)
    assert len(dashboards) == 2 * len(benchmarks.DASHBOARDS)
    assert all(m.median > 0 and m.queries for m in dashboards), [(m.name, m.notes) for m in dashboards]
    figures = benchmarks.bench_figures(users, repeat=1)
    if connection.vendor == "postgresql":
        assert len(figures) == 4 and all(m.median > 0 and m.floor_median > 0 for m in figures)
    else:
        assert figures == []


def test_work_calendar_snapshot_agrees_with_the_calendar():
    from zhuqi.core import workcalendar
    from zhuqi.scale.parts import WorkDays

    cal = WorkDays(dt.date(2023, 1, 1), dt.date(2027, 12, 31))
    start = dt.datetime(2024, 9, 27, 3, tzinfo=dt.UTC)  # before National Day and its 调休 Sunday
    for days in range(0, 400, 7):
        moment = start + dt.timedelta(days=days, hours=days % 23)
        for n in (-10, -5, 0, 1, 7, 15):
            assert cal.add(moment, n) == workcalendar.add_working_days(moment, n), (moment, n)
        later = moment + dt.timedelta(days=days % 40)
        assert cal.between(moment, later) == workcalendar.working_days_between(moment, later)
        assert cal.due_at(moment, 7) == workcalendar.due_at(moment, 7)


def test_province_shaped_tree_with_few_rows():
    """The province's shape (17 cities × 10 counties) with few rows: codes stay unique and
    well-formed, every county gets its departments, officials and enterprises."""
    from zhuqi.core.models import Department
    from zhuqi.scale.generate import Scale

    shape = SCALES["province"]
    small = Scale(
        "province-shape",
        shape.cities,
        shape.counties_per_city,
        shape.towns_per_county,
        shape.parks_per_county,
        shape.grids_per_park,
        enterprises=1700,
        officials=2000,
        cases=0,
        projects=0,
    )
    generate(small, only=["core", "enterprises"], today=TODAY, verbosity=0)
    counties = list(Region.objects.filter(kind="county"))
    assert Region.objects.filter(kind="city").count() == 17 and len(counties) == 170
    assert all(len(c.code) == 6 and c.code.isdigit() for c in counties)
    assert len({c.name for c in counties}) == 170
    per_county = Counter(e.credit_code[2:8] for e in Enterprise.objects.all())
    assert set(per_county) == {c.code for c in counties}
    assert Department.objects.filter(region__kind="county").values("region").distinct().count() == 170
    assert (
        User.objects.filter(role="dispatch", region__kind="county").values("region").distinct().count() == 170
    )


def test_command_shows_progress():
    import io

    err = io.StringIO()
    call_command(
        "generate", "--scale", "tiny", "--only", "core,enterprises", stderr=err, stdout=io.StringIO()
    )
    text = err.getvalue()
    assert "enterprises.enterprise" in text and "行/秒" in text and "完成" in text
