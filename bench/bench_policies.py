"""Policy matching benchmarks (issue #17, items 2 and 9): one item with seven conditions — 规上,
manufacturing (行业 13–43), founded before 2021, a 专精特新-type tag, 2025 工业总产值 ≥ 2000 万元,
2025 营业收入 growth ≥ 10 %, and not fewer than 20 employees — matched over every enterprise of
the generated province (`selectors.matched`: the ORM compiles the stored JSON into one query)
against a hand-written SQL query for the same conditions; the near misses' first page (50 rows,
each part's flag); and one enterprise's panel (`selectors.for_enterprise`, every live item
explained). Budget: matching < 2 s at 200,000 enterprises.

When the database holds no 2025 full-year figures (a `--only core,enterprises` province, whose
indicator part takes ~45 minutes to generate), `ensure_year_figures` adds December 2025
cumulatives of 工业总产值 and 营业收入 (with last year's figure) for every 规上 enterprise in one
INSERT … SELECT, deterministic by id (`import_job = 'bench_policies'`), so the indicator
conditions have rows to probe; a full generation has them already."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from .benchmarks import Measurement, against_floor, median, timed

BUDGET_MATCH_MS = 2000
YEAR = 2025

CONDITIONS = {
    "all": [
        {"attr": "above_scale", "op": "eq", "value": True},
        {"attr": "industry", "op": "between", "value": ["13", "43"]},
        {"attr": "founded_on", "op": "lte", "value": "2020-12-31"},
        {"attr": "tag", "op": "has", "value": ["专精特新", "高新技术企业", "科技型中小企业"]},
        {"attr": "indicator", "indicator": "gross_output", "measure": "value", "op": "gte", "value": "2000"},
        {"attr": "indicator", "indicator": "revenue", "measure": "growth", "op": "gte", "value": "10"},
        {"not": {"attr": "employees", "op": "lt", "value": "20"}},
    ]
}

FLOOR_SQL = """
SELECT e.id FROM enterprises_enterprise e
WHERE e.archived_at IS NULL AND e.region_path LIKE %(root)s
  AND e.above_scale
  AND e.industry_id IN (SELECT id FROM enterprises_industry WHERE code BETWEEN '13' AND '43')
  AND e.founded_on <= DATE '2020-12-31'
  AND EXISTS (SELECT 1 FROM enterprises_enterprise_tags t WHERE t.enterprise_id = e.id AND t.tag_id = ANY(%(tags)s))
  AND EXISTS (SELECT 1 FROM indicators_value v WHERE v.enterprise_id = e.id AND v.indicator_id = %(output)s
              AND v.period IN ('2025', '202512') AND v.cumulative >= 2000)
  AND EXISTS (SELECT 1 FROM indicators_value v WHERE v.enterprise_id = e.id AND v.indicator_id = %(revenue)s
              AND v.period IN ('2025', '202512') AND v.last_year_cumulative > 0
              AND v.cumulative * 100 >= v.last_year_cumulative * 110)
  AND NOT (e.employees < 20 AND e.employees IS NOT NULL)
"""


def ensure_year_figures() -> int:
    """December 2025 cumulatives of 工业总产值 and 营业收入 for the 规上 enterprises, when absent."""
    from zhuqi.indicators.models import Indicator, Value

    ids = dict(Indicator.objects.filter(code__in=["gross_output", "revenue"]).values_list("code", "pk"))
    if Value.objects.filter(indicator_id=ids["gross_output"], period=f"{YEAR}12").exists():
        return 0
    added = 0
    with transaction.atomic(), connection.cursor() as cur:
        for code, base in (("gross_output", 1500), ("revenue", 1200)):
            cur.execute(
                """
                INSERT INTO indicators_value (indicator_id, period, year, period_type, enterprise_id,
                    region_id, region_path, cumulative, value, last_year_cumulative, last_year_value,
                    flags, explanation, source, import_job, entered_at)
                SELECT %s, %s, %s, 'M', e.id, e.region_id, e.region_path,
                    c, round(c::numeric / 12, 1), round(c::numeric * (85 + (e.id * 13) %% 35) / 100, 1), NULL,
                    '', '', 'generated', 'bench_policies', now()
                FROM (SELECT id, region_id, region_path, %s + (id * 7919) %% 40000 AS c
                      FROM enterprises_enterprise WHERE above_scale AND archived_at IS NULL) e
                """,
                [ids[code], f"{YEAR}12", YEAR, base],
            )
            added += cur.rowcount
    with connection.cursor() as cur:
        cur.execute("ANALYZE indicators_value")
    return added


def _item(province: str, actor):
    """The benchmark's item, saved through the service inside the caller's rolled-back block."""
    from zhuqi.core.models import Department, Region
    from zhuqi.policies import services

    root = Region.objects.get(path=f"{province}/")
    doc = services.save_document(
        None,
        actor=actor,
        title="[基准] 省级惠企政策",
        level="province",
        issuer="省人民政府",
        issued_on=dt.date(2026, 1, 5),
        region=root,
    )
    dept = Department.objects.filter(region=root).first() or Department.objects.first()
    return services.save_item(
        None,
        actor=actor,
        document=doc,
        title="[基准] 七个条件的奖补",
        kind="reward",
        status="published",
        mode="automatic",
        department=dept,
        data_year=YEAR,
        conditions=CONDITIONS,
        amount_rule={
            "type": "tiers",
            "base": {"indicator": "gross_output"},
            "tiers": [{"min": "2000", "amount": "20000"}, {"min": "10000", "amount": "100000"}],
        },
    )


def bench_policies(users, repeat: int = 7) -> list[Measurement]:
    from zhuqi.core import audit
    from zhuqi.enterprises.models import Enterprise, Tag
    from zhuqi.indicators.models import Indicator
    from zhuqi.policies import selectors

    added = ensure_year_figures()
    admin, dispatch, province = users["admin"], users["dispatch"], users["province"]
    out: list[Measurement] = []
    with transaction.atomic(), audit.acting_as(admin, label="bench policies"):
        item = _item(province, admin)
        params = {
            "root": f"{province}/%",
            "tags": list(
                Tag.objects.filter(name__in=CONDITIONS["all"][3]["value"]).values_list("pk", flat=True)
            ),
            "output": Indicator.objects.get(code="gross_output").pk,
            "revenue": Indicator.objects.get(code="revenue").pk,
        }

        def floor():
            with connection.cursor() as cur:
                cur.execute(FLOOR_SQL, params)
                return [r[0] for r in cur.fetchall()]

        for label, user in (("province admin", admin), ("county dispatch", dispatch)):
            base = Enterprise.objects.visible_to(user)

            def ours(base=base):
                return list(selectors.matched(item, base).values_list("pk", flat=True))

            samples, ids = timed(ours, repeat)
            if user is admin:
                floor_samples, floor_ids = timed(floor, repeat)
                assert sorted(ids) == sorted(floor_ids), (len(ids), len(floor_ids))
                out.append(
                    against_floor(
                        f"matching: 7 conditions over the province ({label}, every match's id)",
                        samples,
                        floor_samples,
                        "hand-written SQL, same conditions",
                        rows=len(ids),
                        notes=f"budget < {BUDGET_MATCH_MS} ms; "
                        f"{Enterprise.objects.count():,} enterprises; year figures added: {added:,}",
                    )
                )
            else:
                out.append(
                    Measurement(
                        name=f"matching: same item ({label}, scoped)",
                        unit="ms",
                        median=round(median(samples) * 1000, 2),
                        samples=[round(s * 1000, 2) for s in samples],
                        rows=len(ids),
                    )
                )
            near_samples, near = timed(
                lambda base=base: list(selectors.near_misses(item, base).order_by("name", "pk")[:50]),
                repeat,
            )
            out.append(
                Measurement(
                    name=f"near misses, first page of 50 ({label})",
                    unit="ms",
                    median=round(median(near_samples) * 1000, 2),
                    samples=[round(s * 1000, 2) for s in near_samples],
                    rows=len(near),
                )
            )
        one = Enterprise.objects.filter(pk__in=selectors.matched(item).values("pk")[:1]).first()
        if one is not None:
            panel, _res = timed(lambda: selectors.for_enterprise(one), repeat)
            out.append(
                Measurement(
                    name="one enterprise's 可享/差一点可享 panel (every live item explained)",
                    unit="ms",
                    median=round(median(panel) * 1000, 2),
                    samples=[round(s * 1000, 2) for s in panel],
                )
            )
        out += _claims(item, admin, dispatch, province, repeat)
        transaction.set_rollback(True)  # the item and its document leave no trace
    return out


CLAIM_STATUSES = ["applied", "returned", "approved", "publicised", "paid", "paid", "refused", "clawed_back"]

LIST_FLOOR_SQL = """
SELECT a.*, e.name FROM policies_application a JOIN enterprises_enterprise e ON e.id = a.enterprise_id
WHERE a.item_id = %(item)s AND e.archived_at IS NULL AND e.region_path LIKE %(root)s
ORDER BY a.applied_at DESC, a.id DESC LIMIT 50
"""
COUNT_FLOOR_SQL = """
SELECT count(*) FROM (SELECT 1 FROM policies_application a JOIN enterprises_enterprise e ON e.id = a.enterprise_id
WHERE a.item_id = %(item)s AND e.archived_at IS NULL AND e.region_path LIKE %(root)s LIMIT 10001) t
"""
FIGURES_FLOOR_SQL = """
SELECT count(*), count(*) FILTER (WHERE a.status IN ('approved','publicised','paid','clawed_back')),
       count(*) FILTER (WHERE a.status = 'paid'), count(*) FILTER (WHERE a.status = 'clawed_back'),
       sum(a.amount) FILTER (WHERE a.status = 'paid')
FROM policies_application a JOIN enterprises_enterprise e ON e.id = a.enterprise_id
WHERE a.item_id = %(item)s AND e.archived_at IS NULL AND e.region_path LIKE %(root)s
"""


def _claims(item, admin, dispatch, province, repeat) -> list[Measurement]:
    """An item's applicant list (budget < 100 ms) and the fulfilment figures (< 300 ms) with a
    claim for every live enterprise of the province (the worst case: one item everybody claimed),
    statuses spread by id, paid ones with a payment date; written with one INSERT … SELECT inside
    the caller's rolled-back transaction."""
    from zhuqi.core.paging import CappedPaginator
    from zhuqi.core.scope import scope_for
    from zhuqi.policies import figures, selectors

    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in CLAIM_STATUSES) + "]"
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO policies_application (item_id, enterprise_id, year, status, amount, computed_amount,
                applied_at, due_on, reason, decided_at, paid_on, voucher, applied_by_id, bank_name,
                bank_account)
            SELECT %(item)s, e.id, 2026, ({statuses})[1 + e.id %% {len(CLAIM_STATUSES)}],
                20000 + (e.id %% 9) * 10000, 20000 + (e.id %% 9) * 10000,
                TIMESTAMPTZ '2026-03-02 10:00+08' + (e.id %% 200) * INTERVAL '1 day',
                DATE '2026-05-28' + (e.id %% 200)::int, '', NULL,
                CASE WHEN ({statuses})[1 + e.id %% {len(CLAIM_STATUSES)}] IN ('paid', 'clawed_back')
                     THEN DATE '2026-04-01' + (e.id %% 200)::int END,
                '', %(actor)s, '', ''
            FROM enterprises_enterprise e WHERE e.archived_at IS NULL
            """,
            {"item": item.pk, "actor": admin.pk},
        )
        claims = cur.rowcount
        cur.execute("ANALYZE policies_application")
    out: list[Measurement] = []
    for label, user in (("province admin", admin), ("county dispatch", dispatch)):
        root = (scope_for(user).region_path or f"{province}/") + "%"
        params = {"item": item.pk, "root": root}

        def page(user=user):
            paginator = CappedPaginator(selectors.applications_for(user).filter(item=item), 50)
            got = paginator.get_page(1)
            return [(a.pk, a.enterprise.name, a.item.department.name) for a in got], paginator.count

        def page_floor(params=params):
            with connection.cursor() as cur:
                cur.execute(COUNT_FLOOR_SQL, params)
                n = cur.fetchone()[0]
                cur.execute(LIST_FLOOR_SQL, params)
                return cur.fetchall(), n

        samples, (rows, count) = timed(page, repeat)
        floor_samples, (floor_rows, floor_count) = timed(page_floor, repeat)
        assert [r[0] for r in rows] == [r[0] for r in floor_rows] and min(count, 10000) == min(
            floor_count, 10000
        )
        out.append(
            against_floor(
                f"an item's applicant list, first page of 50 with its capped count ({label})",
                samples,
                floor_samples,
                "hand-written SQL: capped count + ordered LIMIT 50",
                rows=len(rows),
                notes=f"budget < 100 ms; {claims:,} claims on the item",
            )
        )

        def figs(user=user):
            return figures.item_figures(user, [item])[0]

        def figs_floor(params=params):
            with connection.cursor() as cur:
                cur.execute(FIGURES_FLOOR_SQL, params)
                return cur.fetchone()

        samples, row = timed(figs, repeat)
        floor_samples, frow = timed(figs_floor, repeat)
        assert (row.counts["applied"], row.counts["paid"], row.amount_paid) == (
            frow[0],
            frow[2],
            frow[4] or 0,
        )
        out.append(
            against_floor(
                f"fulfilment figures of the item (counts, money, on-time rate, working days) ({label})",
                samples,
                floor_samples,
                "hand-written SQL: the counts and the money only (no working days)",
                rows=row.counts["applied"],
                notes="budget < 300 ms",
            )
        )
        samples, regions = timed(lambda user=user: figures.money_by_region(user), repeat)
        dsamples, depts = timed(lambda user=user: figures.money_by_department(user), repeat)
        out.append(
            Measurement(
                name=f"money by area, one row per subdivision ({label})",
                unit="ms",
                median=round(median(samples) * 1000, 2),
                samples=[round(x * 1000, 2) for x in samples],
                rows=len(regions),
                notes="budget < 300 ms",
            )
        )
        out.append(
            Measurement(
                name=f"money by department ({label})",
                unit="ms",
                median=round(median(dsamples) * 1000, 2),
                samples=[round(x * 1000, 2) for x in dsamples],
                rows=len(depts),
                notes="budget < 300 ms",
            )
        )
    return out
