"""亩均效益评价 (per-mu evaluation): schemes as data, the yearly facts the departments supply, and
every computation kept whole — a run, each enterprise's result and each item's intermediates —
so an enterprise can be shown exactly why it got its class.

The scoring is defined in src/zhuqi/docs/mu-evaluation.md (with a hand-worked example per shipped
scheme); the computation is `services.compute`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise, live_enterprise_q

_YEAR = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
_NUM = {"max_digits": 20, "decimal_places": 4}
_PCT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _officials_enterprise_q(user):
    """Rows about enterprises, for officials only: the enterprises they may see (archived ones
    left out); an enterprise user sees none of these internal records."""
    s = scope_for(user)
    if s.is_enterprise_user:
        return NOTHING
    return s.enterprise_q("enterprise__") & live_enterprise_q()


class Pool(models.TextChoices):
    ABOVE = "above", _("规上工业企业")
    BELOW = "below", _("规下工业企业")
    LEASED = "leased", _("租赁厂房企业")


class Family(models.TextChoices):
    RATIO = "ratio", _("与基准值之比")
    MIN_MAX = "min_max", _("极差法（保底 20 分）")
    BEST = "best", _("最优值满分")


class Measure(models.TextChoices):
    """The indicators a scheme may weigh; each is a quotient of two facts (measures.py)."""

    TAX_PER_MU = "tax_per_mu", _("亩均税收")
    VALUE_ADDED_PER_MU = "value_added_per_mu", _("亩均增加值")
    REVENUE_PER_MU = "revenue_per_mu", _("亩均营业收入")
    TECH_PER_MU = "tech_investment_per_mu", _("亩均技改投资")
    VALUE_ADDED_PER_ENERGY = "value_added_per_energy", _("单位能耗增加值")
    REVENUE_PER_ENERGY = "revenue_per_energy", _("单位能耗营业收入")
    VALUE_ADDED_PER_EMISSION = "value_added_per_emission", _("单位排放增加值")
    LABOUR_PRODUCTIVITY = "labour_productivity", _("全员劳动生产率")
    RND_RATIO = "rnd_ratio", _("研发经费占营业收入比重")
    TAX_PER_POWER = "tax_per_power", _("单位电耗税收")


class FactKind(models.TextChoices):
    """A yearly fact of an enterprise and the unit it is stored in (money in yuan)."""

    TAX = "tax", _("评价税收")
    LAND_MU = "land_mu", _("用地面积")
    LEASED_MU = "leased_mu", _("租赁厂房面积（折亩）")
    VALUE_ADDED = "value_added", _("工业增加值")
    REVENUE = "revenue", _("营业收入")
    EMPLOYEES = "employees", _("年平均职工人数")
    RND = "rnd", _("研发经费")
    ENERGY = "energy", _("综合能耗")
    POWER = "power", _("用电量")
    EMISSIONS = "emissions", _("主要污染物排放量")
    TECH_INVESTMENT = "tech_investment", _("技改投资")


class MissingRule(models.TextChoices):
    POOL_AVERAGE = "pool_average", _("取本组该项平均得分")
    ZERO = "zero", _("该项计 0 分（方案明确规定）")


class CountRounding(models.TextChoices):
    HALF_UP = "half_up", _("四舍五入")
    FLOOR = "floor", _("向下取整")
    CEIL = "ceil", _("向上取整")


class Klass(models.TextChoices):
    A = "A", _("A类")
    B = "B", _("B类")
    C = "C", _("C类")
    D = "D", _("D类")
    T = "T", _("T类（暂不评价）")


class Scheme(models.Model):
    """An evaluation scheme (评价方案) of one pool: items with weights and benchmarks and the class
    settings. Versioned: a change is a new version; a run keeps the version it used. A scheme
    without a region is shipped with zhuqi and may be used by any region."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("启用")

    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    pool = models.CharField(_("评价对象"), max_length=10, choices=Pool.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("说明"), blank=True)
    min_land_mu = models.DecimalField(
        _("规下企业最小用地（亩）"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    missing_rule = models.CharField(
        _("缺项处理"), max_length=20, choices=MissingRule.choices, default=MissingRule.POOL_AVERAGE
    )
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=8, decimal_places=2, default=Decimal(0))
    # classes by rank: the first a_pct % are A, up to b_pct % B, up to c_pct % C, the rest D
    a_pct = models.DecimalField(_("A类（前 %）"), max_digits=5, decimal_places=2, default=20, validators=_PCT)
    b_pct = models.DecimalField(
        _("B类（至前 %）"), max_digits=5, decimal_places=2, default=60, validators=_PCT
    )
    c_pct = models.DecimalField(
        _("C类（至前 %）"), max_digits=5, decimal_places=2, default=95, validators=_PCT
    )
    count_rounding = models.CharField(
        _("户数取整"), max_length=10, choices=CountRounding.choices, default=CountRounding.HALF_UP
    )
    min_a = models.PositiveSmallIntegerField(_("A类至少（户）"), default=1)
    min_d = models.PositiveSmallIntegerField(_("D类至少（户）"), default=0)
    publicity_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    objection_days = models.PositiveSmallIntegerField(_("异议办理时限（工作日）"), default=5)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价方案")
        verbose_name_plural = _("评价方案")
        ordering = ["-year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="mu_scheme_version_once"),
            models.CheckConstraint(
                condition=Q(a_pct__lte=models.F("b_pct")) & Q(b_pct__lte=models.F("c_pct")),
                name="mu_scheme_classes_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    @staticmethod
    def scope_q(user):
        """Officials: the shipped schemes and those of their region subtree."""
        s = scope_for(user)
        if s.is_admin:
            return Q()
        if s.is_enterprise_user or not s.authenticated:
            return NOTHING
        return Q(region__isnull=True) | s.region_q("region__path")


class SchemeItem(models.Model):
    """One weighed indicator of a scheme; `cap` limits its points, `benchmark` is for the ratio
    family (the min-max and best families take theirs from the pool)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    measure = models.CharField(_("指标"), max_length=40, choices=Measure.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    family = models.CharField(_("计分方法"), max_length=10, choices=Family.choices)
    benchmark = models.DecimalField(_("基准值"), null=True, blank=True, **_NUM)
    cap = models.DecimalField(_("单项得分上限"), max_digits=8, decimal_places=2, null=True, blank=True)
    lower_is_better = models.BooleanField(_("越低越好"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["scheme", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "measure"], name="mu_item_once_per_scheme"),
        ]

    def __str__(self) -> str:
        return self.get_measure_display()


class FactBatch(models.Model):
    """One import of facts (a department's file): runs name the batches they used."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("数据批次")
        verbose_name_plural = _("数据批次")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Fact(models.Model):
    """One yearly fact of an enterprise (评价税收, 用地面积 …) from a department's batch. Money is in
    yuan, land in 亩, energy in 吨标煤, power in 万千瓦时, emissions in 吨, employees in 人.
    A department correcting its own figure replaces it; two departments giving the same fact is a
    duplicate the computation refuses."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    kind = models.CharField(_("数据项"), max_length=20, choices=FactKind.choices)
    value = models.DecimalField(_("数值"), **_NUM)
    department = models.ForeignKey(
        Department,
        verbose_name=_("提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch = models.ForeignKey(
        FactBatch, verbose_name=_("数据批次"), on_delete=models.PROTECT, related_name="facts"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价数据")
        verbose_name_plural = _("评价数据")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind", "batch"], name="mu_fact_once_per_batch"
            ),
        ]
        # the computation reads a year's facts of the enterprises of a region
        indexes = [models.Index(fields=["year", "kind"], name="mu_fact_year_kind")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.get_kind_display()}"

    @staticmethod
    def scope_q(user):
        return _officials_enterprise_q(user)


class UtilityAccount(models.Model):
    """An enterprise's account number with a utility (电力/供水用户编号), given by the utility with
    its yearly figures: the class lists sent back to the utilities after publication carry it,
    so 差别化电价/水价 land on the right meters. One number belongs to one enterprise; an
    enterprise may have several."""

    class Kind(models.TextChoices):
        POWER = "power", _("电力用户编号")
        WATER = "water", _("供水用户编号")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("用户编号"), max_length=30)
    department = models.ForeignKey(
        Department,
        verbose_name=_("提供单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公用事业用户编号")
        verbose_name_plural = _("公用事业用户编号")
        ordering = ["enterprise", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="mu_utility_account_once")]
        # the class list export reads the accounts of a run's enterprises
        indexes = [models.Index(fields=["enterprise", "kind"], name="mu_utility_account_ent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @staticmethod
    def scope_q(user):
        return _officials_enterprise_q(user)


class Adjustment(models.Model):
    """A decision about one enterprise in one year's evaluation, with its reason: an exclusion
    (T 类 暂不评价), a bonus or penalty in points, a veto (never A/B; the lowest class) or a
    protection (never D except by veto)."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", _("暂不评价（T类）")
        BONUS = "bonus", _("加分")
        PENALTY = "penalty", _("减分")
        VETO_AB = "veto_ab", _("否决：不得评为A、B类")
        VETO_LOWEST = "veto_lowest", _("否决：直接评为D类")
        PROTECT = "protect", _("保护：不评为D类")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    points = models.DecimalField(_("分值"), max_digits=8, decimal_places=2, default=Decimal(0))
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价调整")
        verbose_name_plural = _("评价调整")
        ordering = ["enterprise", "kind"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_kind_display()}"

    @staticmethod
    def scope_q(user):
        return _officials_enterprise_q(user)


class Run(models.Model):
    """One computation of a scheme over a region's pool for a year. A trial run goes to 公示
    (publicity: the enterprises see their results and may object until `publicity_end`); an
    upheld objection corrects a fact and a recomputation replaces the run in 公示 by a new one
    (`replaces`); when the period is over and every objection is decided the run is published,
    final, and the previous published run of the same scheme, region and year is superseded.
    The transitions are `workflow.TRANSITIONS`."""

    class Status(models.TextChoices):
        TRIAL = "trial", _("试算")
        PUBLICITY = "publicity", _("公示中")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被替代")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("评价方案"), on_delete=models.PROTECT, related_name="runs"
    )
    region = models.ForeignKey(Region, verbose_name=_("评价区域"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("数据年度"), validators=_YEAR)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.TRIAL)
    batch_ids = models.JSONField(_("使用的数据批次"), default=list)
    evaluated = models.PositiveIntegerField(_("参评企业"), default=0)
    excluded = models.PositiveIntegerField(_("暂不评价"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示截止"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("重新计算自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价批次")
        verbose_name_plural = _("评价批次")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # one published run per scheme, region and year (the enterprise page reads it)
            models.UniqueConstraint(
                fields=["scheme", "region", "year"],
                condition=Q(status="published"),
                name="mu_run_one_published",
            ),
            # one run in 公示 per scheme, region and year (objections are raised against it)
            models.UniqueConstraint(
                fields=["scheme", "region", "year"],
                condition=Q(status="publicity"),
                name="mu_run_one_in_publicity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} {self.year}（{self.get_status_display()}）"

    @staticmethod
    def scope_q(user):
        s = scope_for(user)
        if s.is_enterprise_user:
            return NOTHING
        return s.region_q("region__path")


#: the runs whose results an enterprise sees (its own): in 公示 and published
SHOWN_TO_ENTERPRISES = (Run.Status.PUBLICITY, Run.Status.PUBLISHED)


class Veto(models.TextChoices):
    LOWEST = "lowest", _("直接评为D类")
    NOT_AB = "not_ab", _("不得评为A、B类")


class Result(models.Model):
    """One enterprise's result in a run, with every step of it: base points (the items' sum),
    bonus (capped), penalty, total, rank and percentile in the pool, the class by rank and the
    final class after vetoes and protections (`notes` lists what was applied and why)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    excluded_reason = models.CharField(_("暂不评价原因"), max_length=200, blank=True)
    base = models.DecimalField(_("指标得分"), max_digits=10, decimal_places=2, null=True)
    bonus = models.DecimalField(_("加分"), max_digits=8, decimal_places=2, default=Decimal(0))
    penalty = models.DecimalField(_("减分"), max_digits=8, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(_("总分"), max_digits=10, decimal_places=2, null=True)
    land_mu = models.DecimalField(_("计算用地（亩）"), null=True, **_NUM)
    tax = models.DecimalField(_("评价税收（元）"), null=True, **_NUM)
    tax_per_mu = models.DecimalField(_("亩均税收（万元/亩）"), null=True, **_NUM)
    #: the 营业收入 the run read (yuan): the region ranking's 亩均营业收入 sums it
    revenue = models.DecimalField(_("营业收入（元）"), null=True, **_NUM)
    # what the class by rank is then subject to (applied in SQL with the ranking)
    veto = models.CharField(_("否决"), max_length=12, choices=Veto.choices, blank=True)
    protected = models.BooleanField(_("保护：不评为D类"), default=False)
    rank = models.PositiveIntegerField(_("排名"), null=True)
    percentile = models.DecimalField(_("排名百分位"), max_digits=6, decimal_places=2, null=True)
    rank_class = models.CharField(_("按排名的类别"), max_length=1, choices=Klass.choices, blank=True)
    klass = models.CharField(_("评价类别"), max_length=1, choices=Klass.choices)
    notes = models.JSONField(_("调整"), default=list)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="mu_result_once_per_run"),
        ]
        indexes = [
            # the enterprise page reads an enterprise's latest published result
            models.Index(fields=["enterprise", "run"], name="mu_result_enterprise"),
        ]
        # PostgreSQL also has (migration mu/0009, SQLite cannot declare NULLS LAST in an index):
        # mu_result_run_rank (run_id, rank NULLS LAST) for the run's page in rank order and
        # mu_result_run_tax (run_id, tax_per_mu DESC NULLS LAST) for the 领跑者; the index gives
        # the order, an incremental sort the ties

    def __str__(self) -> str:
        return f"{self.enterprise} {self.klass}"

    @staticmethod
    def scope_q(user):
        """Officials: the enterprises they may see; an enterprise user: its own published result."""
        s = scope_for(user)
        q = s.enterprise_q("enterprise__") & live_enterprise_q()
        if s.is_enterprise_user:
            q &= Q(run__status__in=SHOWN_TO_ENTERPRISES)
        return q


class ResultItem(models.Model):
    """One item of a result with every intermediate: the value, the benchmark (for min-max also
    the pool's minimum), the ratio or position, the weight and the points."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="items")
    measure = models.CharField(_("指标"), max_length=40, choices=Measure.choices)
    family = models.CharField(_("计分方法"), max_length=10, choices=Family.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    value = models.DecimalField(_("指标值"), null=True, **_NUM)
    benchmark = models.DecimalField(_("基准值"), null=True, **_NUM)
    benchmark_low = models.DecimalField(_("本组最小值"), null=True, **_NUM)
    ratio = models.DecimalField(_("比值"), null=True, **_NUM)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    missing = models.BooleanField(_("缺项"), default=False)
    capped = models.BooleanField(_("封顶"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价得分")
        verbose_name_plural = _("评价得分")
        ordering = ["result", "sort"]

    def __str__(self) -> str:
        return self.get_measure_display()


class Objection(models.Model):
    """An enterprise's objection (异议) to its result in a run in 公示, with its reason and
    evidence files (core attachments, public), naming the disputed figure when there is one
    (routed to the department that supplied it, shown to the office). The evaluating office
    decides by `deadline` (working days): upheld (a fact correction, then a recomputation) or
    not upheld, with its reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    run = models.ForeignKey(
        Run, verbose_name=_("评价批次"), on_delete=models.PROTECT, related_name="objections"
    )
    result = models.ForeignKey(Result, verbose_name=_("评价结果"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    fact_kind = models.CharField(_("有异议的数据"), max_length=20, choices=FactKind.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("数据提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("异议理由"), max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(_("办理时限"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decision = models.TextField(_("处理意见"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价异议")
        verbose_name_plural = _("评价异议")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # one open objection of an enterprise per run (a second waits for the first's answer)
            models.UniqueConstraint(
                fields=["run", "enterprise"], condition=Q(status="open"), name="mu_objection_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_status_display()}"

    @staticmethod
    def scope_q(user):
        """Officials: the enterprises they may see; an enterprise user: its own."""
        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()


class FactCorrection(models.Model):
    """A correction of one fact with its reason (an upheld objection, or the office's own
    finding): the old and the new value; the corrected fact moves to a batch of its own, so the
    next run names it among the batches it used."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=_YEAR)
    kind = models.CharField(_("数据项"), max_length=20, choices=FactKind.choices)
    old_value = models.DecimalField(_("原值"), null=True, **_NUM)
    new_value = models.DecimalField(_("更正值"), **_NUM)
    reason = models.CharField(_("原因"), max_length=200)
    objection = models.ForeignKey(
        Objection,
        verbose_name=_("评价异议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    batch = models.ForeignKey(
        FactBatch, verbose_name=_("数据批次"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据更正")
        verbose_name_plural = _("数据更正")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.get_kind_display()}"

    @staticmethod
    def scope_q(user):
        return _officials_enterprise_q(user)


class ClassMeasure(models.Model):
    """A differentiated measure (差别化措施) a scheme ties to a class: a price differential on
    electricity, water or discharge, the 城镇土地使用税, land or energy priority, policy
    eligibility — with its amount and unit where it has one and the dates it is valid. Data per
    scheme and region: the scheme's own list (no region) is a sample a region replaces with its
    document's (edited on 差别化措施, `services.save_measure`); shown on each result's page."""

    class Category(models.TextChoices):
        ELECTRICITY = "electricity", _("电价")
        WATER = "water", _("水价")
        DISCHARGE = "discharge", _("排污")
        LAND_TAX = "land_tax", _("城镇土地使用税")
        LAND = "land", _("用地")
        ENERGY = "energy", _("用能")
        POLICY = "policy", _("政策")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="measures")
    #: whose measure: a region's own list replaces the scheme's sample list (no region) for the
    #: runs of that region and below (`selectors.class_measures`)
    region = models.ForeignKey(
        Region, verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    klass = models.CharField(_("评价类别"), max_length=1, choices=Klass.choices)
    category = models.CharField(_("措施类别"), max_length=12, choices=Category.choices)
    description = models.CharField(_("措施"), max_length=200)
    amount = models.DecimalField(_("幅度"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("差别化措施")
        verbose_name_plural = _("差别化措施")
        ordering = ["scheme", "klass", "sort", "pk"]

    def __str__(self) -> str:
        return f"{self.klass} {self.get_category_display()}"

    @property
    def amount_shown(self) -> str:
        """The amount without trailing zeros (0.1000 → 0.1, 100.0000 → 100)."""
        return "" if self.amount is None else format(self.amount.normalize(), "f")

    def valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
