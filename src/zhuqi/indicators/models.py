"""Economic indicators (经济指标): what is measured, the report forms that collect it, the values,
the approvals that lock a period, and the targets the values are held against.

The figures are defined in src/zhuqi/docs/indicators-figures.md; periods in `periods.py`.
Values are stored in the indicator's own unit (a return in 万元 stays in 万元): the unit is part
of the indicator, and every sum is over one indicator.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, KeepsRegionPath, Region
from zhuqi.core.scope import ScopedQuerySet, scope_for
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise, live_enterprise_q

from .periods import Period, PeriodType

_AMOUNT = {"max_digits": 20, "decimal_places": 4}


class Unit(models.TextChoices):
    WAN_YUAN = "wan_yuan", _("万元")
    YI_YUAN = "yi_yuan", _("亿元")
    WAN_KWH = "wan_kwh", _("万千瓦时")
    TCE = "tce", _("吨标煤")
    PERSON = "person", _("人")
    HOUSEHOLD = "household", _("户")
    PERCENT = "percent", _("%")


class Aggregation(models.TextChoices):
    SUM = "sum", _("求和")
    AVERAGE = "average", _("平均")
    LAST = "last", _("期末值")
    RATIO = "ratio", _("两指标之比")


class IndicatorKind(models.TextChoices):
    ENTERED = "entered", _("填报")
    DERIVED = "derived", _("计算")
    OFFICIAL = "official", _("统计部门发布")


class Indicator(models.Model):
    """One indicator (工业总产值, 入库税收, 规上工业增加值增速 …): reference data everyone reads."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    unit = models.CharField(_("单位"), max_length=12, choices=Unit.choices)
    aggregation = models.CharField(
        _("汇总方式"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    cumulative = models.BooleanField(
        _("按累计填报"), default=True, help_text=_("企业按“1—N月累计”填报（统计惯例）；否则按当期填报")
    )
    kind = models.CharField(
        _("类别"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.ENTERED
    )
    can_decrease = models.BooleanField(
        _("可为负或下降"), default=False, help_text=_("利润等可出现亏损的指标：累计值可小于上期，可为负数")
    )
    numerator = models.ForeignKey(
        "self", verbose_name=_("分子指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("分母指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decimals = models.PositiveSmallIntegerField(_("小数位"), default=2, validators=[MaxValueValidator(4)])
    description = models.CharField(_("说明"), max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("经济指标")
        verbose_name_plural = _("经济指标")
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(aggregation="ratio")
                | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="indicator_ratio_has_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_unit_display()}）"

    @property
    def is_rate(self) -> bool:
        return self.unit == Unit.PERCENT


def ancestor_paths(path: str) -> list[str]:
    """The region paths of `path` and every region above it ("41/", "41/4101/", …)."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


class Audience(models.TextChoices):
    ABOVE_SCALE = "above_scale", _("辖区内全部规上工业企业")
    KEY = "key", _("辖区内当年重点企业")
    LIST = "list", _("指定企业名单")


class DataSet(models.Model):
    """A report form (报表): which indicators, who is expected to report, how often, by when."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    period_type = models.CharField(
        _("报送周期"),
        max_length=1,
        choices=[(PeriodType.MONTH, _("月")), (PeriodType.XUN, _("旬")), (PeriodType.QUARTER, _("季"))],
        default=PeriodType.MONTH,
    )
    indicators = models.ManyToManyField(
        Indicator, through="DataSetIndicator", verbose_name=_("指标"), related_name="datasets"
    )
    audience = models.CharField(
        _("报送范围"), max_length=12, choices=Audience.choices, default=Audience.ABOVE_SCALE
    )
    enterprises = models.ManyToManyField(Enterprise, verbose_name=_("指定企业"), blank=True, related_name="+")
    due_working_days = models.PositiveSmallIntegerField(
        _("报送期限（期末后工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    merge_jan_feb = models.BooleanField(_("1—2月合并报送"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        """Officials see the forms of their own region, its ancestors (a county's form applies to
        its towns) and its subtree; enterprise users see the forms they are expected to fill."""
        s = scope_for(user)
        if s.is_admin:
            return Q()
        if s.is_enterprise_user:
            return Q(is_active=True)
        if not s.region_path:
            return Q(pk__in=[])
        return Q(region__path__startswith=s.region_path) | Q(region__path__in=ancestor_paths(s.region_path))

    def skips(self, period: Period) -> bool:
        """January of a merged form is not reported (its figures come with 1—2月)."""
        return self.merge_jan_feb and (
            (period.type == "M" and period.index == 1) or (period.type == "X" and period.index <= 3)
        )


class DataSetIndicator(models.Model):
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    sort = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(_("必填"), default=True)

    class Meta:
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator"], name="dataset_indicator_once")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.indicator_id}"


class Source(models.TextChoices):
    PORTAL = "portal", _("企业自报")
    BEHALF = "behalf", _("代为填报")
    GRID = "grid", _("批量录入")
    IMPORT = "import", _("部门导入")
    API = "api", _("接口")
    OFFICIAL = "official", _("统计部门发布")
    GENERATED = "generated", _("生成数据")


class Report(KeepsRegionPath, models.Model):
    """One return (一期报表): an enterprise's data set for one period, with when it came in."""

    dataset = models.ForeignKey(
        DataSet, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="reports"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="indicator_reports"
    )
    period = models.CharField(_("期间"), max_length=10)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    due_on = models.DateField(_("报送期限"))
    late = models.BooleanField(_("迟报"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业报表")
        verbose_name_plural = _("企业报表")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "period", "enterprise"], name="report_once_a_period")
        ]
        indexes = [
            # the completeness board: WHERE dataset=? AND period=? AND region_path LIKE '…%'
            # (pattern ops for the LIKE prefix, as value_rollup)
            models.Index(
                fields=["dataset", "period", "region_path"],
                name="report_board",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.period} {self.enterprise}"

    def save(self, *args, **kwargs):
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__", path_field="region_path") & live_enterprise_q()


class Flag(models.TextChoices):
    INCONSISTENT = "inconsistent", _("累计与当期不符")
    SWING = "swing", _("同比变动超过±50%")
    DECREASING = "decreasing", _("累计值小于上期")


class Value(KeepsRegionPath, models.Model):
    """One fact: an indicator's value for one entity (an enterprise, a region or a department) in
    one period. Both the cumulative (1—N月累计) and the period value are kept (the one not
    reported is derived), and last year's pair beside them, so completion and year-on-year on
    the same panel (同口径) are column arithmetic."""

    # no index of its own on indicator, enterprise, department or report: the composite and
    # partial indexes below lead with them, and every index is written by each of an import's
    # 50,000 rows (Meta.indexes)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="values", db_index=False
    )
    period = models.CharField(_("期间"), max_length=10)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    period_type = models.CharField(_("周期"), max_length=1, choices=PeriodType.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        db_index=False,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # no index and no database foreign key on region and entered_by (Django's deletion still
    # protects the region and clears the user): each is one more index write and one more
    # deferred key check per row of a 50,000-row import (~0.5 s of it), for rows that are never
    # read by either column. Both are copied by the service from rows that exist (the
    # enterprise's region, the acting user); regions and users are never deleted by the
    # application (regions have no delete, accounts are deactivated). The region of a
    # region-level value is reached by its partial unique index (value_once_region).
    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    region_path = models.CharField(max_length=255, blank=True, editable=False)
    cumulative = models.DecimalField(_("累计值"), null=True, blank=True, **_AMOUNT)
    value = models.DecimalField(_("当期值"), null=True, blank=True, **_AMOUNT)
    last_year_cumulative = models.DecimalField(_("上年同期累计"), null=True, blank=True, **_AMOUNT)
    last_year_value = models.DecimalField(_("上年同期当期"), null=True, blank=True, **_AMOUNT)
    flags = models.CharField(_("校验提示"), max_length=60, blank=True)
    explanation = models.CharField(_("情况说明"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="values", db_index=False
    )
    import_job = models.CharField(_("导入批次"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    entered_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            # once per (enterprise, indicator, period), and an enterprise's series: WHERE
            # enterprise=? AND indicator=? ORDER BY period (and WHERE enterprise=?: the protection
            # of an enterprise's deletion); reads by (indicator, period) go through value_rollup.
            # One index for both: each is written by every row of a 50,000-row import
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period"],
                condition=Q(enterprise__isnull=False),
                name="value_enterprise_series",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "department"],
                condition=Q(department__isnull=False),
                name="value_once_department",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "region"],
                condition=Q(enterprise__isnull=True, department__isnull=True),
                name="value_once_region",
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=True) | Q(department__isnull=True), name="value_one_entity"
            ),
        ]
        indexes = [
            # rollups and the dispatch view: WHERE indicator=? AND period=? AND region_path LIKE '…%'
            # (pattern ops: with the default opclass PostgreSQL cannot range-scan the LIKE prefix
            # unless the collation is C, and a county's rollup read every enterprise: 580 ms)
            models.Index(
                fields=["indicator", "period", "region_path"],
                name="value_rollup",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # a report's values (WHERE report=?: its page, SET NULL when it goes) and a
            # department's: partial, most values have neither, and each row of an import would
            # otherwise add a NULL entry to both
            models.Index(fields=["report"], condition=Q(report__isnull=False), name="value_report"),
            models.Index(
                fields=["department"], condition=Q(department__isnull=False), name="value_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period}"

    def save(self, *args, **kwargs):
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        """Enterprise values: the enterprises the viewer may see; region and department values
        (published figures, departments' own): the viewer's region subtree."""
        s = scope_for(user)
        # archived enterprises (few) are left out by id, not by joining every value's enterprise:
        # the join made the planner loop over all enterprises for a province-wide viewer
        ent = (
            Q(enterprise__isnull=False)
            & s.enterprise_q("enterprise__", path_field="region_path")
            & ~Q(enterprise__in=Enterprise.all_objects.filter(archived_at__isnull=False).values("pk"))
        )
        if s.is_enterprise_user:
            return ent
        return ent | (Q(enterprise__isnull=True) & s.region_q("region_path"))

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]


class Approval(models.Model):
    """A region's approval (审核) of one data set's period: its values in the region's subtree are
    locked. Reopened by an approved unlock request (`UnlockRequest`)."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("已审核锁定")
        REOPENED = "reopened", _("已解锁")

    dataset = models.ForeignKey(
        DataSet, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="approvals"
    )
    period = models.CharField(_("期间"), max_length=10)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPROVED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表审核")
        verbose_name_plural = _("报表审核")
        constraints = [models.UniqueConstraint(fields=["dataset", "period", "region"], name="approval_once")]

    def __str__(self) -> str:
        return f"{self.dataset} {self.period} {self.region}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class UnlockRequest(models.Model):
    """A request to correct approved data: the level above the approving region decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("已驳回")

    approval = models.ForeignKey(
        Approval, verbose_name=_("审核"), on_delete=models.PROTECT, related_name="unlock_requests"
    )
    reason = models.CharField(_("申请理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("解锁申请")
        verbose_name_plural = _("解锁申请")
        constraints = [
            models.UniqueConstraint(
                fields=["approval"], condition=Q(status="pending"), name="unlock_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approval} · {self.get_status_display()}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("approval__region__path")


class TargetMethod(models.TextChoices):
    EQUAL = "equal", _("平均分解")
    SEASONAL = "seasonal", _("按上年季节结构分解")
    MANUAL = "manual", _("手工分解")


class Target(models.Model):
    """An annual target of one indicator for one entity: a region, a department, or a 包抓
    leader's group of enterprises; `amount` in the indicator's unit and/or a growth rate in %."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包抓领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("目标值"), null=True, blank=True, **_AMOUNT)
    growth = models.DecimalField(_("增长目标（%）"), null=True, blank=True, max_digits=7, decimal_places=2)
    method = models.CharField(
        _("分解方式"), max_length=10, choices=TargetMethod.choices, default=TargetMethod.EQUAL
    )
    decomposed_to = models.CharField(
        _("分解到"), max_length=1, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "region"],
                condition=Q(department__isnull=True, leader__isnull=True),
                name="target_once_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "department"],
                condition=Q(department__isnull=False),
                name="target_once_department",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "leader"],
                condition=Q(leader__isnull=False),
                name="target_once_leader",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(leader__isnull=True), name="target_one_entity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator.name}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class TargetPart(models.Model):
    """One period's share of a target (the period's own amount, not cumulative)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="parts")
    period = models.CharField(_("期间"), max_length=10)
    period_type = models.CharField(_("周期"), max_length=1, choices=PeriodType.choices)
    amount = models.DecimalField(_("分解值"), **_AMOUNT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "period"], name="target_part_once")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.period}"


class Rollup(models.Model):
    """The sums of one indicator's enterprise values in one period under one region path, kept
    by `rollups.refresh` so that a city's or the province's dispatch view reads one row per region
    instead of every value (indicators-figures.md §Rollups). Two kinds of rows per (indicator,
    period): leaf rows (`subtree` False) for the enterprises whose own `region_path` is that path,
    and subtree rows (`subtree` True) for every enterprise at or below that path — one for each
    ancestor of a leaf path and the leaf path itself — summed from the leaf rows. The figures
    read the subtree rows by exact path. Only read for (indicator, period) pairs that are fresh:
    refreshed at least once (`RollupPair`) and not marked stale since (`RollupStale`)."""

    audit_exempt = True  # derived sums kept by the rollup job, not anyone's act

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    # the values' region path, or (subtree) the region's; a move of a region rewrites it with
    # theirs (core.services._repath) and marks the moved values' pairs stale (rollups.region_moved)
    region_path = models.CharField(max_length=255)
    subtree = models.BooleanField(
        default=False, db_default=False
    )  # the sums of the whole subtree under the path
    rows = models.PositiveIntegerField(default=0)  # values
    n = models.PositiveIntegerField(default=0)  # values with a cumulative
    total = models.DecimalField(max_digits=28, decimal_places=4, null=True)  # Σ cumulative
    pc = models.PositiveIntegerField(default=0)  # values on the same panel (both cumulatives)
    pn = models.DecimalField(max_digits=28, decimal_places=4, null=True)  # their Σ cumulative
    pl = models.DecimalField(max_digits=28, decimal_places=4, null=True)  # their Σ last year's

    class Meta:
        verbose_name = verbose_name_plural = _("指标汇总")
        constraints = [
            # also the index of the figures' exact reads: (indicator, period, subtree, path) IN …
            models.UniqueConstraint(
                fields=["indicator", "period", "subtree", "region_path"], name="rollup_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.region_path}{' *' if self.subtree else ''}"


class RollupPair(models.Model):
    """An (indicator, period) whose rollup rows have been built, and when. The row without an
    indicator records the last full build: every pair without values then is fresh (empty) until
    a value is written to it."""

    audit_exempt = True  # derived sums kept by the rollup job, not anyone's act

    indicator = models.ForeignKey(Indicator, null=True, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="rollup_pair_once")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}"


class RollupStale(models.Model):
    """An (indicator, period) written since its rollup was built: the figures read its values
    until the next refresh. Writers only insert (ON CONFLICT DO NOTHING); the refresh deletes
    the mark before it reads the values, so a write it does not see leaves its mark behind."""

    audit_exempt = True  # derived sums kept by the rollup job, not anyone's act

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="rollup_stale_once")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}"
