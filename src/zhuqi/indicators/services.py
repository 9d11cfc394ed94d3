"""Every state change of the indicators: values (returns, entry on behalf, the grid, imports, the
API all go through `record_values`), approvals and unlocks, targets. Section 4 of
docs/development.md: lock, check (matrix, scope, state), write, audit, notify on commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.lookups import in_qs
from zhuqi.core.models import Region, User
from zhuqi.core.notify import notify
from zhuqi.core.roles import MANAGER_ROLES, Role
from zhuqi.core.scope import responsible_officials
from zhuqi.core.workcalendar import add_working_days
from zhuqi.enterprises.models import Enterprise

from . import rollups
from .models import (
    Aggregation,
    Approval,
    DataSet,
    Flag,
    Indicator,
    IndicatorKind,
    Report,
    Source,
    UnlockRequest,
    Value,
    ancestor_paths,
)
from .periods import Period

#: up to this many audit entries (one per enterprise, one per region figure) a write records
#: each; above it one `import` entry
AUDIT_EACH_UP_TO = 5000
#: a period value this far from last year's (either way, in %) needs an explanation
SWING_PCT = Decimal(50)
#: the largest absolute value any cell accepts (20 digits, 4 decimals)
MAX_ABS = Decimal("9999999999999999")


class ValueErrors(ValidationError):
    """Rows refused by `record_values`: `rows` is [(row label, column, message)], all of them, so
    an import or the grid shows every problem at once; nothing was saved."""

    def __init__(self, rows: list[tuple[str, str, str]]):
        self.rows = rows
        super().__init__([f"{r}：{c}：{m}" if c else f"{r}：{m}" for r, c, m in rows])


@dataclass
class Entry:
    """One value to write. `row` names it in messages (第 5 行, the indicator's name)."""

    indicator: Indicator
    period: Period
    enterprise: Enterprise | None = None
    region: Region | None = None
    cumulative: Decimal | None = None
    value: Decimal | None = None
    explanation: str = ""
    row: str = ""
    flags: list[str] = field(default_factory=list)


def parse_amount(raw, column: str) -> Decimal | None:
    """A cell or form value as a Decimal (blank → None); ValidationError({column: …}) otherwise."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError({column: gettext("“%(v)s”不是数字") % {"v": text[:20]}}) from None
    if not value.is_finite() or abs(value) > MAX_ABS:
        raise ValidationError({column: gettext("数值超出范围")})
    if value != value.quantize(Decimal("0.0001")):
        value = value.quantize(Decimal("0.0001"))
    return value


def due_on(dataset: DataSet, period: Period) -> dt.date:
    """The last day a return for `period` is on time: `due_working_days` working days after the
    period's last day."""
    return add_working_days(period.end, dataset.due_working_days)


def expected_enterprises(dataset: DataSet, year: int | None = None):
    """The enterprises expected to report `dataset` in `year` (in its region's subtree): all 规上
    enterprises, the year's key enterprises (重点企业), or the form's own list."""
    from .models import Audience

    qs = Enterprise.objects.filter(region_path__startswith=dataset.region.path)
    if dataset.audience == Audience.ABOVE_SCALE:
        return qs.filter(above_scale=True)
    if dataset.audience == Audience.KEY:
        return qs.filter(key_designations__year=year or timezone.localdate().year)
    return qs.filter(pk__in=dataset.enterprises.values("pk"))


def locked_periods(indicator_ids: Iterable[int], periods: Iterable[str]) -> dict[tuple[int, str], list[str]]:
    """(indicator, period) → region paths whose approval locks it (any data set holding it)."""
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    rows = Approval.objects.filter(
        status=Approval.Status.APPROVED,
        period__in=set(periods),
        dataset__items__indicator__in=set(indicator_ids),
    ).values_list("dataset__items__indicator", "period", "region__path")
    for ind, period, path in rows:
        out[(ind, period)].append(path)
    return out


def is_locked(dataset: DataSet, period: Period, enterprise: Enterprise) -> bool:
    """Is `dataset`'s `period` approved and locked for `enterprise` (any of its indicators)?"""
    ids = list(dataset.items.values_list("indicator_id", flat=True))
    locks = locked_periods(ids, [period.code])
    return any(_is_locked(locks, i, period.code, enterprise.region_path) for i in ids)


def _is_locked(locks, indicator_id: int, period: str, path: str) -> bool:
    return any(path.startswith(p) for p in locks.get((indicator_id, period), ()))


def _region(e: Entry) -> Region:
    """The region of an entry about a region (one without an enterprise)."""
    if e.region is None:
        raise ValueError("an entry names an enterprise or a region")
    return e.region


def _key(e: Entry) -> tuple:
    """(indicator, period, enterprise, region) of an entry: computed once (read per check and write)."""
    key = e.__dict__.get("_key")
    if key is None:
        key = e.__dict__["_key"] = (
            e.indicator.pk,
            e.period.code,
            e.enterprise.pk if e.enterprise else None,
            None if e.enterprise else _region(e).pk,
        )
    return key


def _entity_qs(entries: Sequence[Entry]) -> Iterable[Q]:
    """The entities of `entries` as a few Qs (`in_qs`: an import names tens of thousands)."""
    yield from in_qs("enterprise", {k[2] for k in map(_key, entries) if k[2] is not None})
    for q in in_qs("region", {e.region.pk for e in entries if not e.enterprise and e.region}):
        yield q & Q(enterprise__isnull=True, department__isnull=True)


#: from this many enterprises on, stored values are read by (indicator, period) alone and the
#: enterprises picked here: with a long list of ids PostgreSQL walks each enterprise's whole
#: history through the enterprise index (a 50,000-row table: 2.2 million rows read, 3 s) where
#: the (indicator, period) pairs hold a few thousand rows
PAIR_SCAN_FROM = 2000


def enterprise_value_rows(
    enterprises: Collection[int], indicators: Collection[int], periods: Collection[str], fields: Sequence[str]
) -> Iterator[tuple]:
    """(indicator_id, period, enterprise_id, *fields) of the stored enterprise values of
    `enterprises` × `indicators` × `periods`: by the enterprises for a few (a return), by the
    (indicator, period) pairs filtered here for many (a department's table)."""
    if not enterprises or not indicators or not periods:
        return
    base = Value.objects.filter(indicator__in=set(indicators), period__in=set(periods))
    columns = ("indicator_id", "period", "enterprise_id", *fields)
    if len(enterprises) < PAIR_SCAN_FROM:
        for q in in_qs("enterprise", enterprises):
            yield from base.filter(q).values_list(*columns)
        return
    wanted = enterprises if isinstance(enterprises, set | frozenset) else set(enterprises)
    for row in base.filter(enterprise__isnull=False).values_list(*columns).iterator(chunk_size=5000):
        if row[2] in wanted:
            yield row


def _existing(entries: Sequence[Entry], periods: set[str], lock: bool = False) -> dict[tuple, Value]:
    keys = list(map(_key, entries))
    inds = {k[0] for k in keys}
    out: dict[tuple, Value] = {}
    ents = {k[2] for k in keys if k[2] is not None}
    qs = Value.objects.all()
    if lock:
        qs = qs.select_for_update()
    if len(ents) >= PAIR_SCAN_FROM:  # find the rows by their pairs, then lock just those
        pks = [row[3] for row in enterprise_value_rows(ents, inds, periods, ["pk"])]
        for q in in_qs("pk", pks):
            for v in qs.filter(q):
                out[(v.indicator_id, v.period, v.enterprise_id, None)] = v
        qs_entities = list(_entity_qs([e for e in entries if not e.enterprise]))
    else:
        qs_entities = list(_entity_qs(entries))
    for q in qs_entities:
        for v in qs.filter(q, indicator__in=inds, period__in=periods):
            out[(v.indicator_id, v.period, v.enterprise_id, None if v.enterprise_id else v.region_id)] = v
    return out


class _Known(NamedTuple):
    cumulative: Decimal | None
    value: Decimal | None


def _known(entries: Sequence[Entry], periods: set[str]) -> dict[tuple, _Known]:
    """The stored (cumulative, value) pairs of `entries`' entities in `periods`: what the checks
    and last year's pair read (plain tuples, no model instances: an import reads tens of
    thousands)."""
    keys = list(map(_key, entries))
    inds = {k[0] for k in keys}
    out: dict[tuple, _Known] = {}
    ents = {k[2] for k in keys if k[2] is not None}
    for i, p, ent, c, v in enterprise_value_rows(ents, inds, periods, ["cumulative", "value"]):
        out[(i, p, ent, None)] = _Known(c, v)
    for q in _entity_qs([e for e in entries if not e.enterprise]):  # regions' figures
        rows = Value.objects.filter(q, indicator__in=inds, period__in=periods).values_list(
            "indicator_id", "period", "region_id", "cumulative", "value"
        )
        out.update({(i, p, None, reg): _Known(c, v) for i, p, reg, c, v in rows})
    return out


def _previous_code(e: Entry, merge_jan_feb: bool) -> str | None:
    """The period whose cumulative this one continues; None at the start of the year (and for
    1—2月 where January is merged into February)."""
    p = e.period
    if p.type == "Y" or p.index == 1:
        return None
    if merge_jan_feb and ((p.type == "M" and p.index == 2) or (p.type == "X" and p.index == 4)):
        return None
    return p.previous().code


def _derive(e: Entry, prev: Decimal | None, starts_year: bool) -> tuple[list[str], str | None]:
    """Fill in the number not reported; return (flags, error). `prev` is the cumulative of the
    period before (None when unknown), `starts_year` when there is none (January, 1—2月)."""
    flags: list[str] = []
    ind = e.indicator
    if ind.aggregation != Aggregation.SUM:  # a level (从业人员) or a rate: one number
        e.cumulative = e.cumulative if e.cumulative is not None else e.value
        e.value = e.value if e.value is not None else e.cumulative
        return flags, None
    base = Decimal(0) if starts_year else prev
    if e.cumulative is None:
        e.cumulative = base + e.value if base is not None and e.value is not None else None
    elif e.value is None:
        e.value = e.cumulative - base if base is not None else None
    elif base is not None and e.cumulative != base + e.value:
        flags.append(Flag.INCONSISTENT)
    if prev is not None and e.cumulative is not None and e.cumulative < prev and not ind.can_decrease:
        return flags, gettext("累计值 %(cum)s 小于上期累计 %(prev)s") % {"cum": e.cumulative, "prev": prev}
    return flags, None


def check_entries(
    entries: Sequence[Entry], *, actor, merge_jan_feb: bool = False
) -> list[tuple[str, str, str]]:
    """Every problem of `entries` as (row, column, message); fills in derived numbers and flags."""
    return _check(entries, merge_jan_feb)[0]


def _check(
    entries: Sequence[Entry], merge_jan_feb: bool
) -> tuple[list[tuple[str, str, str]], dict[tuple, _Known]]:
    """`check_entries`, also returning the stored pairs it read (this period's, the one before,
    last year's), which the write reuses for last year's pair."""
    errors: list[tuple[str, str, str]] = []
    seen: dict[tuple, str] = {}
    ind_col = gettext("指标")
    for e in entries:
        k = _key(e)
        if k in seen:
            errors.append((e.row, ind_col, gettext("与%(other)s重复") % {"other": seen[k]}))
        seen[k] = e.row
        if e.indicator.kind == IndicatorKind.DERIVED:
            errors.append(
                (e.row, ind_col, gettext("“%(name)s”由其他指标计算，不能填报") % {"name": e.indicator.name})
            )
        if e.indicator.kind == IndicatorKind.OFFICIAL and e.enterprise is not None:
            errors.append(
                (
                    e.row,
                    ind_col,
                    gettext("“%(name)s”为统计部门发布的区域指标，企业不填报") % {"name": e.indicator.name},
                )
            )
        if e.cumulative is None and e.value is None:
            errors.append((e.row, gettext("数值"), gettext("请填写数值")))
    if errors:
        return errors, {}
    periods = {e.period.code for e in entries}
    prev_codes = {c for e in entries if (c := _previous_code(e, merge_jan_feb))}
    # by period code: a Period's hash is a tuple's, computed on every lookup
    ly_code = {c: p.last_year().code for c, p in {e.period.code: e.period for e in entries}.items()}
    known = _known(entries, periods | prev_codes | set(ly_code.values()))
    keys = {id(e): _key(e) for e in entries}
    batch = {keys[id(e)]: e for e in entries}
    locks = locked_periods({k[0] for k in batch}, periods)
    col_cum, col_val, col_note = gettext("累计值"), gettext("当期值"), gettext("情况说明")
    # earlier periods first, so a batch that holds several months chains its own cumulatives
    # (a tuple key: comparing Period objects builds tuples on every comparison)
    for e in sorted(entries, key=lambda x: (x.period.year, x.period.type, x.period.index)):
        _ind, _code, ent, reg = keys[id(e)]
        path = e.enterprise.region_path if e.enterprise else _region(e).path
        if _is_locked(locks, _ind, _code, path):
            errors.append(
                (
                    e.row,
                    gettext("期间"),
                    gettext("%(p)s的数据已审核锁定，如需更正请提出解锁申请") % {"p": e.period.label()},
                )
            )
            continue
        pc = _previous_code(e, merge_jan_feb)
        prev = None
        if pc:
            pkey = (_ind, pc, ent, reg)
            prev = batch[pkey].cumulative if pkey in batch else getattr(known.get(pkey), "cumulative", None)
        flags, problem = _derive(e, prev, pc is None)
        if problem:
            errors.append((e.row, col_cum, problem))
            continue
        for amount, col in ((e.cumulative, col_cum), (e.value, col_val)):
            if amount is not None and amount < 0 and not e.indicator.can_decrease:
                errors.append((e.row, col, gettext("不能为负数")))
        ly = known.get((_ind, ly_code[_code], ent, reg))
        base = ly.cumulative if ly is not None else None
        if base and e.cumulative is not None and e.indicator.aggregation == Aggregation.SUM:
            change = (e.cumulative - base) * 100 / abs(base)
            if abs(change) > SWING_PCT:
                flags.append(Flag.SWING)
                if not e.explanation.strip():
                    errors.append(
                        (
                            e.row,
                            col_note,
                            gettext("累计值较上年同期变动 %(pct)s%%，超过±50%%，请填写情况说明")
                            % {"pct": change.quantize(Decimal("0.1"))},
                        )
                    )
        e.flags = flags
    return errors, known


def _check_actor(entries: Sequence[Entry], actor, source: str) -> None:
    actions: dict[str, str] = {
        Source.PORTAL: "indicators.report",
        Source.IMPORT: "indicators.import",
        Source.OFFICIAL: "indicators.import",
    }
    action = actions.get(str(source), "indicators.enter")
    if source == Source.API:
        action = (
            "indicators.report" if permissions.allowed(actor, "indicators.report") else "indicators.enter"
        )
    if source == Source.GENERATED:
        return
    permissions.require(actor, action)
    ents = {e.enterprise.pk for e in entries if e.enterprise}
    visible = Enterprise.objects.visible_to(actor)
    if sum(visible.filter(q).count() for q in in_qs("pk", ents)) != len(ents):
        raise Http404
    regions = {e.region.pk for e in entries if not e.enterprise and e.region}
    if regions:
        if not permissions.allowed(actor, "indicators.import"):
            raise PermissionDenied(gettext("只有专班办公室或部门可以填报区域指标"))
        seen = Region.objects.visible_to(actor)
        if sum(seen.filter(q).count() for q in in_qs("pk", regions)) != len(regions):
            raise Http404


def record_values(
    entries: Sequence[Entry],
    *,
    actor,
    source: str,
    dataset: DataSet | None = None,
    import_job: str = "",
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Write `entries` all or nothing: check the actor (matrix + scope), every row (numbers,
    duplicates, locks, cumulative not falling, ±50 % needs an explanation), derive the missing
    cumulative or period value, keep last year's pair beside each value, refresh the derived
    numbers that depend on them (the next period, next year's 同期), audit. Raises `ValueErrors`
    listing every bad row. Returns {"created": n, "updated": m}."""
    if not entries:
        return {"created": 0, "updated": 0}
    _check_actor(entries, actor, source)
    now = now or timezone.now()
    merge = bool(dataset and dataset.merge_jan_feb)
    with transaction.atomic():
        errors, last_year = _check(entries, merge)  # last_year: the stored pairs the check read
        if errors:
            raise ValueErrors(errors)
        periods = {e.period.code for e in entries}
        existing = _existing(entries, periods, lock=True)
        ly_code = {c: p.last_year().code for c, p in {e.period.code: e.period for e in entries}.items()}
        creates: list[dict] = []  # new rows by attname (no model instances: an import has 50,000)
        updates: list[Value] = []
        user = actor if isinstance(actor, User) else None
        user_id = user.pk if user is not None else None
        for e in entries:
            k = _key(e)
            ly = last_year.get((k[0], ly_code[k[1]], k[2], k[3]))
            path = e.enterprise.region_path if e.enterprise else (e.region.path if e.region else "")
            v = existing.get(k)
            if v is None:
                creates.append(
                    {
                        "indicator_id": k[0],
                        "period": k[1],
                        "year": e.period.year,
                        "period_type": e.period.type,
                        "enterprise_id": k[2],
                        # the id, not the object: an entry's enterprise may come without its region
                        "region_id": e.enterprise.region_id
                        if e.enterprise
                        else getattr(e.region, "pk", None),
                        "region_path": path,
                        "cumulative": e.cumulative,
                        "value": e.value,
                        "last_year_cumulative": ly.cumulative if ly else None,
                        "last_year_value": ly.value if ly else None,
                        "flags": ",".join(e.flags),
                        "explanation": e.explanation.strip()[:300],
                        "source": source,
                        "import_job": import_job,
                        "entered_by_id": user_id,
                        "entered_at": now,
                    }
                )
                continue
            v.region_path = path
            v.cumulative, v.value = e.cumulative, e.value
            v.last_year_cumulative = ly.cumulative if ly else None
            v.last_year_value = ly.value if ly else None
            v.flags = ",".join(e.flags)
            v.explanation = e.explanation.strip()[:300]
            v.source, v.import_job, v.entered_by, v.entered_at = source, import_job, user, now
            updates.append(v)
        try:
            _insert_values(creates)
        except IntegrityError:
            raise ValueErrors([("", "", gettext("其他人刚刚提交了相同的数据，请刷新后重试"))]) from None
        _update_values(updates)
        _refresh_dependants(entries)
        rollups.mark_stale(_written_pairs(entries))
        by_enterprise: dict[int, list[Entry]] = defaultdict(list)
        for e in entries:
            if e.enterprise:
                by_enterprise[_key(e)[2]].append(e)
        if len(by_enterprise) + len(entries) - sum(map(len, by_enterprise.values())) > AUDIT_EACH_UP_TO:
            # a department's table: one entry for the import (the rows carry `import_job`,
            # `entered_by` and `entered_at`), not one per enterprise
            audit.record(
                "import",
                None,
                event="indicator_values",
                actor=actor,
                changes={
                    gettext_noop("行数"): len(entries),
                    gettext_noop("来源"): source,
                    gettext_noop("导入批次"): import_job,
                },
            )
            return {"created": len(creates), "updated": len(updates)}
        items = [
            {
                "action": "event",
                "obj": es[0].enterprise,
                "event": "indicator_values",
                "changes": {
                    gettext_noop("期间"): sorted({e.period.code for e in es}),
                    gettext_noop("指标"): {
                        e.indicator.code: str(e.cumulative if e.cumulative is not None else e.value)
                        for e in es[:30]
                    },
                    gettext_noop("来源"): source,
                },
                "actor": actor,
            }
            for es in by_enterprise.values()
        ]
        for e in entries:
            if not e.enterprise:
                items.append(
                    {
                        "action": "event",
                        "obj": e.region,
                        "event": "indicator_values",
                        "actor": actor,
                        "changes": {
                            gettext_noop("指标"): e.indicator.code,
                            gettext_noop("期间"): e.period.code,
                            gettext_noop("数值"): str(e.cumulative if e.cumulative is not None else e.value),
                        },
                    }
                )
        audit.record_many(items)
    return {"created": len(creates), "updated": len(updates)}


UPDATED_FIELDS = [
    "cumulative",
    "value",
    "last_year_cumulative",
    "last_year_value",
    "flags",
    "explanation",
    "source",
    "import_job",
    "entered_by_id",
    "entered_at",
    "region_id",
    "region_path",
]


def _update_values(updates: list[Value]) -> None:
    """Write the changed values: a return's few rows one plain UPDATE each (bulk_update's CASE
    over 12 columns costs more to compile than the round trips), a table's in bulk_update."""
    if len(updates) <= 20:
        for v in updates:
            Value.objects.filter(pk=v.pk).update(**{f: getattr(v, f) for f in UPDATED_FIELDS})
        return
    Value.objects.bulk_update(updates, [f.removesuffix("_id") for f in UPDATED_FIELDS], batch_size=2000)


#: from this many new values on, record_values writes them without model instances: COPY on
#: PostgreSQL, a prepared executemany elsewhere
COPY_FROM = 5000


def _insert_values(creates: list[dict]) -> None:
    """INSERT the new values (rows by attname): bulk_create for a few, else COPY (PostgreSQL) or
    one prepared executemany (an import of 50,000 rows, the demo's 40,000: Django's model
    instances and INSERT compilation alone cost several times the file's read). A duplicate
    raises IntegrityError either way."""
    from django.db import connection

    if len(creates) < COPY_FROM:
        Value.objects.bulk_create([Value(**row) for row in creates], batch_size=2000)
        return
    fields = [f for f in Value._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    attnames = [f.attname for f in fields]
    qn = connection.ops.quote_name
    table = qn(Value._meta.db_table)
    if connection.vendor == "postgresql":
        import psycopg

        # the columns in the order of the rows' keys (one dict literal builds them all), then
        # those the rows leave to their defaults: a row is one itemgetter call, not a lookup
        # per column
        given = [a for a in creates[0] if a in defaults]
        rest = [a for a in attnames if a not in creates[0]]
        tail = tuple(defaults[a] for a in rest)
        order = [*given, *rest]
        width = len(creates[0]) if len(given) > 1 else -1  # itemgetter of one key: no tuple
        pick = operator.itemgetter(*given)
        column = {f.attname: f.column for f in fields}
        columns = ", ".join(qn(column[a]) for a in order)
        connection.ensure_connection()
        try:
            with (
                connection.connection.cursor() as cur,
                cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in creates:
                    values = None
                    if len(row) == width:
                        with contextlib.suppress(KeyError):
                            values = pick(row) + tail
                    if values is None:  # a row of other keys: column by column
                        values = [row[a] if a in row else defaults[a] for a in order]
                    copy.write_row(values)
        except psycopg.errors.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        return
    columns = ", ".join(qn(f.column) for f in fields)
    # the values as the backend stores them: only datetimes need adapting (decimals, text,
    # numbers and NULL go as they are, as Django's own INSERT sends them)
    stamps = {f.attname for f in fields if isinstance(f, models.DateTimeField)}
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [
                [
                    adapt(v) if a in stamps else v
                    for a in attnames
                    for v in (row[a] if a in row else defaults[a],)
                ]
                for row in creates
            ],
        )


def _written_pairs(entries: Sequence[Entry]) -> set[tuple[int, str]]:
    """The (indicator, period) pairs whose rollups a write changes: the periods written and,
    through 上年同期, the same periods next year (enterprise values only: rollups hold no others)."""
    out: set[tuple[int, str]] = set()
    periods = {e.period.code: e.period for e in entries}
    for ind, code in {_key(e)[:2] for e in entries if e.enterprise}:
        p = periods[code]
        out.add((ind, code))
        out.add((ind, Period(p.year + 1, p.type, p.index).code))
    return out


def _refresh_dependants(entries: Sequence[Entry]) -> None:
    """After a write, set-based: next year's same-period rows take the new values as 上年同期, and
    the next period's derived period value follows a changed cumulative. Two UPDATEs per
    written period (all its indicators at once; one return: two statements, not two per
    indicator), each limited to the (indicator, enterprise) pairs written."""
    from django.db.models import F, Subquery

    # period → indicator → enterprises written
    written_pairs: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    indicators: dict[int, Indicator] = {}
    for e in entries:
        ind, code, ent, _reg = _key(e)
        if ent is not None:
            written_pairs[code][ind].add(ent)
            indicators[ind] = e.indicator
    written = {_key(e)[:2] for e in entries}

    def pairs_qs(by_indicator: dict[int, set[int]], period: str) -> list[Q]:
        # indicators written by the same enterprises share one term (a return: one term); a
        # large import's enterprises come in chunks (SQLite bounds a statement's parameters),
        # or, from PAIR_SCAN_FROM on, the rows to update are found by their pairs first
        groups: dict[frozenset[int], list[int]] = defaultdict(list)
        for ind, ents in by_indicator.items():
            groups[frozenset(ents)].append(ind)
        out = []
        for group, inds in groups.items():
            if len(group) < PAIR_SCAN_FROM:
                out += [Q(indicator__in=inds) & q for q in in_qs("enterprise", group)]
                continue
            pks = [row[3] for row in enterprise_value_rows(group, inds, [period], ["pk"])]
            out += list(in_qs("pk", pks))
        return out

    for code, by_indicator in written_pairs.items():
        p = Period.parse(code)
        src = Value.objects.filter(
            indicator=OuterRef("indicator"), period=code, enterprise=OuterRef("enterprise")
        )
        next_year = Period(p.year + 1, p.type, p.index).code
        for q in pairs_qs(by_indicator, next_year):
            Value.objects.filter(q, period=next_year).update(
                last_year_cumulative=Subquery(src.values("cumulative")[:1]),
                last_year_value=Subquery(src.values("value")[:1]),
            )
        following = p.next()
        if following.year != p.year:
            continue
        follow = {
            ind: ents
            for ind, ents in by_indicator.items()
            if indicators[ind].aggregation == Aggregation.SUM and (ind, following.code) not in written
        }
        for q in pairs_qs(follow, following.code):
            Value.objects.filter(q, period=following.code, cumulative__isnull=False).update(
                value=F("cumulative") - Subquery(src.values("cumulative")[:1])
            )


# --- returns -------------------------------------------------------------------------------------


def submit_return(
    dataset: DataSet,
    enterprise: Enterprise,
    period: Period,
    figures: dict[int, dict],
    *,
    actor,
    source: str = Source.PORTAL,
    now: dt.datetime | None = None,
) -> Report:
    """An enterprise's return (or an official's entry on its behalf) for one period: `figures`
    maps indicator pk → {"cumulative"|"value": Decimal|None, "explanation": str}. Late returns
    are accepted and flagged."""
    now = now or timezone.now()
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get_visible_or_404(actor, pk=enterprise.pk)
        if period.type != dataset.period_type:
            raise ValidationError(
                {"period": gettext("该报表按%(t)s报送") % {"t": dataset.get_period_type_display()}}
            )
        if dataset.skips(period):
            raise ValidationError({"period": gettext("该报表1—2月合并报送，1月数据随2月一并填报")})
        if period.start > timezone.localdate(now):
            raise ValidationError({"period": gettext("%(p)s尚未开始，不能填报") % {"p": period.label()}})
        if not expected_enterprises(dataset, period.year).filter(pk=enterprise.pk).exists():
            raise ValidationError(
                {"enterprise": gettext("该企业不在“%(d)s”的报送范围内") % {"d": dataset.name}}
            )
        items = {i.indicator_id: i for i in dataset.items.select_related("indicator")}
        entries = []
        for ind_id, f in figures.items():
            item = items.get(ind_id)
            if item is None:
                raise ValidationError({"indicator": gettext("指标不属于该报表")})
            if f.get("cumulative") is None and f.get("value") is None:
                if item.required:
                    raise ValidationError(
                        {item.indicator.code: gettext("请填写“%(n)s”") % {"n": item.indicator.name}}
                    )
                continue
            entries.append(
                Entry(
                    item.indicator,
                    period,
                    enterprise=enterprise,
                    cumulative=f.get("cumulative"),
                    value=f.get("value"),
                    explanation=f.get("explanation") or "",
                    row=item.indicator.name,
                )
            )
        missing = {
            i.indicator.code: gettext("请填写“%(n)s”") % {"n": i.indicator.name}
            for i in items.values()
            if i.required and i.indicator_id not in figures
        }
        if missing:
            raise ValidationError(missing)
        due = due_on(dataset, period)
        report, _created = Report.objects.select_for_update().get_or_create(
            dataset=dataset,
            period=period.code,
            enterprise=enterprise,
            defaults={
                "region_id": enterprise.region_id,
                "region_path": enterprise.region_path,  # Report.save() does not copy it
                "source": source,
                "due_on": due,
                "submitted_by": actor,
                "submitted_at": now,
                "late": timezone.localdate(now) > due,
            },
        )
        record_values(entries, actor=actor, source=source, dataset=dataset, now=now)
        if not _created:
            report.submitted_at, report.submitted_by, report.source = now, actor, source
            report.save(update_fields=["submitted_at", "submitted_by", "source"])
        Value.objects.filter(
            enterprise=enterprise, period=period.code, indicator__in=[e.indicator for e in entries]
        ).update(report=report)
        audit.record(
            "event",
            enterprise,
            event="indicator_report",
            actor=actor,
            changes={
                gettext_noop("报表"): dataset.name,
                gettext_noop("期间"): period.code,
                gettext_noop("迟报"): report.late,
            },
        )
    return report


# --- approval and unlock ---------------------------------------------------------------------------


def still_reporting(
    dataset: DataSet, period: Period, region: Region, today: dt.date | None = None
) -> tuple[dt.date, int]:
    """(due date, enterprises of `region`'s subtree still to report) while `period`'s returns
    are not yet due; (due date, 0) once they are (late returns are flagged, not waited for) or
    when everyone has reported. Approving locks the period, so it waits for this to be 0."""
    due = due_on(dataset, period)
    if (today or timezone.localdate()) > due:
        return due, 0
    reported = Report.objects.filter(dataset=dataset, period=period.code, enterprise=OuterRef("pk"))
    missing = (
        expected_enterprises(dataset, period.year)
        .filter(region_path__startswith=region.path)
        .filter(~Exists(reported))
        .count()
    )
    return due, missing


def approve_period(dataset: DataSet, period: Period, region: Region, *, actor) -> Approval:
    """Approve (审核) and lock `dataset`'s `period` in `region`'s subtree. Bottom-up: the region's
    child regions that have reporters approve first, or are approved with it by this act."""
    permissions.require(actor, "indicators.approve", gettext("只有专班办公室可以审核报表"))
    with transaction.atomic():
        locked = Region.objects.visible_to(actor).select_for_update().filter(pk=region.pk).first()
        if locked is None:
            raise Http404
        region = locked
        if not DataSet.objects.visible_to(actor).filter(pk=dataset.pk).exists():
            raise Http404
        if period.type != dataset.period_type:
            raise ValidationError(
                {"period": gettext("该报表按%(t)s报送") % {"t": dataset.get_period_type_display()}}
            )
        approval = Approval.objects.filter(dataset=dataset, period=period.code, region=region).first()
        if approval and approval.status == Approval.Status.APPROVED:
            raise ValidationError({"period": gettext("%(p)s已审核锁定") % {"p": period.label()}})
        due, missing = still_reporting(dataset, period, region)
        if missing:
            raise ValidationError(
                {
                    "period": gettext(
                        "%(p)s还在报送期内（截止 %(due)s），%(region)s尚有 %(n)s 户未报：截止后或报齐后才能审核锁定"
                    )
                    % {"p": period.label(), "due": due.isoformat(), "region": region.name, "n": missing}
                }
            )
        if approval is None:
            approval = Approval(dataset=dataset, period=period.code, region=region)
        approval.status, approval.approved_by, approval.approved_at = (
            Approval.Status.APPROVED,
            actor,
            timezone.now(),
        )
        approval.save()
        audit.record(
            "event",
            approval,
            event="indicator_approved",
            actor=actor,
            changes={
                gettext_noop("报表"): dataset.name,
                gettext_noop("期间"): period.code,
                gettext_noop("区划"): region.name,
            },
        )
    return approval


def request_unlock(approval: Approval, *, reason: str, actor) -> UnlockRequest:
    permissions.require(actor, "indicators.unlock.request")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写申请理由")})
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get_visible_or_404(actor, pk=approval.pk)
        if approval.status != Approval.Status.APPROVED:
            raise ValidationError({"reason": gettext("该期数据未锁定，无需解锁")})
        if UnlockRequest.objects.filter(approval=approval, status=UnlockRequest.Status.PENDING).exists():
            raise ValidationError({"reason": gettext("已有待审批的解锁申请")})
        req = UnlockRequest.objects.create(approval=approval, reason=reason[:300], requested_by=actor)
        audit.record(
            "event",
            approval,
            event="indicator_unlock_requested",
            actor=actor,
            changes={gettext_noop("理由"): reason[:300]},
        )
        deciders = _deciders(approval.region)
        notify(
            deciders,
            gettext("解锁申请待审批：%(d)s %(p)s") % {"d": approval.dataset.name, "p": approval.period},
            body=reason[:300],
            url=_approvals_url(),
        )
    return req


def _approvals_url() -> str:
    from django.urls import reverse

    return reverse("indicators:approvals")


def _deciders(region: Region):
    """The dispatch offices of the regions above `region` (or admins at the top)."""
    above = ancestor_paths(region.path)[:-1]
    people = User.objects.filter(is_active=True, role__in=MANAGER_ROLES, region__path__in=above)
    return list(people) or list(User.objects.filter(is_active=True, is_superuser=True))


def can_decide_unlock(actor, approval: Approval) -> bool:
    """The level above the approving region decides (an administrator anywhere)."""
    if not permissions.allowed(actor, "indicators.unlock.decide"):
        return False
    if permissions.role_of(actor) == Role.ADMIN:
        return True
    own: str = getattr(getattr(actor, "region", None), "path", None) or ""
    return bool(own) and approval.region.path.startswith(own) and approval.region.path != own


def decide_unlock(req: UnlockRequest, *, grant: bool, note: str = "", actor) -> UnlockRequest:
    permissions.require(actor, "indicators.unlock.decide")
    with transaction.atomic():
        req = (
            UnlockRequest.objects.select_for_update()
            .select_related("approval__region", "approval__dataset")
            .get_visible_or_404(actor, pk=req.pk)
        )
        if not can_decide_unlock(actor, req.approval):
            raise PermissionDenied(gettext("解锁申请由上一级审批"))
        if req.status != UnlockRequest.Status.PENDING:
            raise ValidationError({"status": gettext("该申请已处理")})
        if not grant and not (note or "").strip():
            raise ValidationError({"decision_note": gettext("驳回时请填写审批意见")})
        req.status = UnlockRequest.Status.GRANTED if grant else UnlockRequest.Status.REFUSED
        req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), (note or "").strip()[:300]
        req.save()
        if grant:
            approval = Approval.objects.select_for_update().get(pk=req.approval_id)
            approval.status = Approval.Status.REOPENED
            approval.save(update_fields=["status"])
        audit.record(
            "event",
            req.approval,
            event="indicator_unlock_granted" if grant else "indicator_unlock_refused",
            actor=actor,
            changes={gettext_noop("意见"): req.decision_note},
        )
        notify(
            [req.requested_by],
            gettext("解锁申请%(r)s：%(d)s %(p)s")
            % {
                "r": gettext("已同意") if grant else gettext("已驳回"),
                "d": req.approval.dataset.name,
                "p": req.approval.period,
            },
            body=req.decision_note,
            url=_approvals_url(),
        )
    return req


# --- reminders ---------------------------------------------------------------------------------------


def remind_missing(
    dataset: DataSet, period: Period, *, actor, enterprise_ids: Iterable[int] | None = None
) -> tuple[int, list[str]]:
    """催报: notify the enterprises of the form that have not reported `period` (in the actor's
    scope; or only `enterprise_ids` of them), and their 包抓 officials. Returns how many
    enterprises were reminded."""
    from django.urls import reverse

    from zhuqi.core.notify import notify_many

    permissions.require(actor, "indicators.remind")
    with transaction.atomic():
        reported = Report.objects.filter(dataset=dataset, period=period.code).values("enterprise")
        missing = (
            expected_enterprises(dataset, period.year)
            .filter(pk__in=Enterprise.objects.visible_to(actor).values("pk"))
            .exclude(pk__in=reported)
        )
        if enterprise_ids is not None:
            missing = missing.filter(pk__in=list(enterprise_ids))
        ents = list(missing.only("pk", "name"))
        if not ents:
            return 0, []
        label = period.label(dataset.merge_jan_feb)
        members = defaultdict(list)
        for u in User.objects.filter(
            is_active=True, enterprise_membership__enterprise__in=ents
        ).select_related("enterprise_membership"):
            members[u.enterprise_membership.enterprise_id].append(u)
        officials = responsible_officials([e.pk for e in ents])
        messages = []
        for e in ents:
            url = reverse("indicators:return_form", args=[dataset.pk, period.code, e.pk])
            for u in members.get(e.pk, []):
                messages.append(
                    {
                        "recipients": [u],
                        "title": gettext("请报送%(d)s（%(p)s）") % {"d": dataset.name, "p": label},
                        "body": gettext("报送期限：%(due)s") % {"due": due_on(dataset, period)},
                        "url": url,
                        "level": "warning",
                    }
                )
            if officials.get(e.pk):
                messages.append(
                    {
                        "recipients": officials[e.pk],
                        "title": gettext("您包抓的%(e)s尚未报送%(d)s（%(p)s）")
                        % {"e": e.name, "d": dataset.name, "p": label},
                        "url": url,
                        "level": "warning",
                    }
                )
        reached = {e.pk for e in ents if members.get(e.pk) or officials.get(e.pk)}
        notify_many(messages)
        audit.record(
            "event",
            dataset,
            event="indicator_reminded",
            actor=actor,
            changes={gettext_noop("期间"): period.code, gettext_noop("企业数"): len(ents)},
        )
    return len(reached), [e.name for e in ents if e.pk not in reached]


# --- configuration: data sets and the indicator catalogue ---------------------------------------------


def save_dataset(
    dataset: DataSet | None,
    *,
    actor,
    code: str,
    name: str,
    region: Region,
    period_type: str,
    audience: str,
    due_working_days: int,
    merge_jan_feb: bool,
    indicators: Sequence[Indicator],
    required: Iterable[int] = (),
    enterprises: Sequence[Enterprise] = (),
    is_active: bool = True,
) -> DataSet:
    """Create or change a report form (报表) of the actor's region subtree: its indicators in the
    given order (`required`: the pks that must be filled; none named: all), who reports (all 规上 / the year's key
    enterprises / a list), the period, the due date in working days after the period ends."""
    from .models import Audience, DataSetIndicator

    permissions.require(actor, "indicators.configure", gettext("只有专班办公室可以设置报表"))
    from zhuqi.core.scope import require_visible

    require_visible(actor, "region", region)
    code, name = (code or "").strip(), (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写报表名称")})
    if not indicators:
        raise ValidationError({"indicators": gettext("请至少选择一项指标")})
    bad = [i.name for i in indicators if i.kind != IndicatorKind.ENTERED]
    if bad:
        raise ValidationError(
            {"indicators": gettext("%(n)s 不由企业填报，不能放入报表") % {"n": "、".join(bad)}}
        )
    if audience == Audience.LIST and not enterprises:
        raise ValidationError({"enterprises": gettext("“指定企业名单”请至少选择一家企业")})
    outside = [e.name for e in enterprises if not (e.region_path or "").startswith(region.path)]
    if outside:
        raise ValidationError(
            {"enterprises": gettext("%(n)s 不在所属区划内") % {"n": "、".join(outside[:5])}}
        )
    require_visible(actor, "enterprises", *enterprises)
    with transaction.atomic():
        if dataset is None:
            if DataSet.objects.filter(code=code).exists():
                raise ValidationError({"code": gettext("代码“%(c)s”已被使用") % {"c": code}})
            dataset = DataSet(code=code)
            event = "indicator_dataset_created"
        else:
            dataset = DataSet.objects.select_for_update().get_visible_or_404(actor, pk=dataset.pk)
            require_visible(actor, "region", dataset.region)
            if period_type != dataset.period_type and dataset.reports.exists():
                raise ValidationError({"period_type": gettext("已有企业报送，不能再改报送周期")})
            event = "indicator_dataset_changed"
        dataset.name, dataset.region, dataset.period_type, dataset.audience = (
            name,
            region,
            period_type,
            audience,
        )
        dataset.due_working_days, dataset.merge_jan_feb, dataset.is_active = (
            due_working_days,
            merge_jan_feb,
            is_active,
        )
        dataset.save()
        dataset.items.exclude(indicator__in=indicators).delete()
        required = set(required) or {i.pk for i in indicators}
        for sort, ind in enumerate(indicators):
            DataSetIndicator.objects.update_or_create(
                dataset=dataset, indicator=ind, defaults={"sort": sort, "required": ind.pk in required}
            )
        dataset.enterprises.set(enterprises if audience == Audience.LIST else [])
        audit.record(
            "event",
            dataset,
            event=event,
            actor=actor,
            changes={
                gettext_noop("名称"): name,
                gettext_noop("指标"): [i.code for i in indicators],
                gettext_noop("报送范围"): audience,
                gettext_noop("期限"): due_working_days,
            },
        )
    return dataset


def save_indicator(
    indicator: Indicator | None,
    *,
    actor,
    code: str,
    name: str,
    unit: str,
    aggregation: str,
    cumulative: bool,
    kind: str,
    can_decrease: bool,
    decimals: int,
    description: str = "",
    numerator: Indicator | None = None,
    denominator: Indicator | None = None,
    is_active: bool = True,
) -> Indicator:
    """Add or change an indicator of the shared catalogue (system administrators). A code never
    changes once values exist; a ratio names its two indicators."""
    permissions.require(actor, "indicators.catalogue.manage", gettext("只有系统管理员可以维护指标目录"))
    code, name = (code or "").strip(), (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写指标名称")})
    if aggregation == Aggregation.RATIO and not (numerator and denominator):
        raise ValidationError({"numerator": gettext("两指标之比请选择分子和分母指标")})
    if aggregation == Aggregation.RATIO and numerator == denominator:
        raise ValidationError({"denominator": gettext("分子和分母不能是同一指标")})
    with transaction.atomic():
        clash = Indicator.objects.filter(name=name)
        if indicator is None:
            if Indicator.objects.filter(code=code).exists():
                raise ValidationError({"code": gettext("代码“%(c)s”已被使用") % {"c": code}})
            indicator, event = Indicator(code=code), "indicator_created"
        else:
            indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
            clash = clash.exclude(pk=indicator.pk)
            if code != indicator.code:
                raise ValidationError({"code": gettext("指标代码创建后不能修改")})
            if (unit != indicator.unit or aggregation != indicator.aggregation) and indicator.values.exists():
                raise ValidationError({"unit": gettext("已有数据的指标不能改单位或汇总方式，请新建指标")})
            event = "indicator_changed"
        if clash.exists():
            raise ValidationError({"name": gettext("名称“%(n)s”已被使用") % {"n": name}})
        for attr, val in dict(
            name=name,
            unit=unit,
            aggregation=aggregation,
            cumulative=cumulative,
            kind=kind,
            can_decrease=can_decrease,
            decimals=decimals,
            description=(description or "").strip(),
            numerator=numerator if aggregation == Aggregation.RATIO else None,
            denominator=denominator if aggregation == Aggregation.RATIO else None,
            is_active=is_active,
        ).items():
            setattr(indicator, attr, val)
        indicator.save()
        audit.record(
            "event",
            indicator,
            event=event,
            actor=actor,
            changes={gettext_noop("名称"): name, gettext_noop("单位"): unit, gettext_noop("类别"): kind},
        )
    return indicator
