"""招商引资 (investment attraction): leads moving through pipelines whose stages are data, every
stage change kept; the "14+n" pre-review (联审预审) of a lead by the reviewer departments, with
the office's 综合预审意见; contracts with dated, measurable obligations (履约); and the link from a
signed lead to the key project it becomes in `projects`.

The figures are defined in src/zhuqi/docs/attraction-figures.md. Scope: a 招商 team (a
Department) sees its own leads, the region's office its subtree (`Lead.scope_q`)."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, KeepsRegionPath, Region, RegionPathQuerySet
from zhuqi.core.roles import DEPARTMENT_ROLES, REGION_SCOPED_ROLES
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for

MONEY = {"max_digits": 16, "decimal_places": 2}
AREA = {"max_digits": 12, "decimal_places": 2}

#: legal-form words and punctuation left out when comparing investor names for duplicates
_NAME_NOISE = re.compile(r"[\s()（）【】\[\]·.,，、\-—_]|有限责任公司|股份有限公司|有限公司|集团|公司")


def normalise_name(name: str) -> str:
    """The comparable form of an investor's name: full-width folded (NFKC), case folded, legal
    forms (有限公司, 集团 …), brackets, spaces and punctuation removed: 「安徽 丰原（集团）有限公司」
    and 「安徽丰原集团」 compare equal."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _NAME_NOISE.sub("", text)


class Source(models.TextChoices):
    """Where a lead came from (线索来源)."""

    REFERRAL = "referral", _("以商招商")
    ABROAD = "abroad", _("驻外招商组")
    EXHIBITION = "exhibition", _("展会招商")
    FUND = "fund", _("基金招商")
    AGENCY = "agency", _("中介招商")
    ADVISER = "adviser", _("招商顾问")


class Pipeline(models.Model):
    """A kind of lead with its own stages (新引进项目, 增资扩产). Seeded by a data migration;
    stages are rows of `Stage`."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("线索类型")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One stage of a pipeline. Main stages run in `order` (线索 → … → 开工); 搁置 (`is_shelved`)
    and 流失 (`is_lost`) stand aside and need a reason. `is_won` marks the stage a lead counts as
    signed from (签约); `needs_prereview` the stages a lead may only enter with a concluded,
    non-rejected pre-review; `is_final` the last stage (开工: handed to `projects`)."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("线索类型"), on_delete=models.CASCADE, related_name="stages"
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"))
    is_won = models.BooleanField(_("签约"), default=False)
    is_lost = models.BooleanField(_("流失"), default=False)
    is_shelved = models.BooleanField(_("搁置"), default=False)
    is_final = models.BooleanField(_("最终阶段"), default=False)
    needs_prereview = models.BooleanField(_("须经联审预审"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("线索阶段")
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="attraction_stage_code_once"),
            models.UniqueConstraint(fields=["pipeline", "order"], name="attraction_stage_order_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_side(self) -> bool:
        """搁置 and 流失 stand beside the main line."""
        return self.is_lost or self.is_shelved

    @property
    def needs_reason(self) -> bool:
        return self.is_side


class Chain(models.Model):
    """An industrial chain (产业链) of a region, with its 链长 (a leader) and lead department."""

    name = models.CharField(_("产业链"), max_length=40)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("链长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("产业链")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        s = scope_for(user)
        if s.is_admin:
            return Q()
        return Q(region__path__startswith=s.region_path) if s.authenticated and s.region_path else NOTHING


class ChainNode(models.Model):
    """A link (环节) of a chain: upstream, midstream or downstream, its GB/T 4754 industry codes
    (comma-separated prefixes) and whether it is a gap to fill (强链/延链/补链)."""

    class Position(models.TextChoices):
        UP = "up", _("上游")
        MID = "mid", _("中游")
        DOWN = "down", _("下游")

    class Gap(models.TextChoices):
        NONE = "", _("无")
        STRENGTHEN = "strengthen", _("强链")
        EXTEND = "extend", _("延链")
        FILL = "fill", _("补链")

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级环节"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("环节"), max_length=40)
    position = models.CharField(_("位置"), max_length=4, choices=Position.choices)
    industry_codes = models.CharField(_("国民经济行业代码"), max_length=100, blank=True)
    gap = models.CharField(_("缺链类型"), max_length=12, choices=Gap.choices, blank=True, default="")
    #: a switched-off link stays (targets and leads keep pointing at it) but leaves the
    #: 全景图, its counts and the pickers
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("产业链环节")
        ordering = ["chain", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.chain.name}·{self.name}"

    def codes(self) -> list[str]:
        """The GB/T 4754 codes of the link, as stored ("2614,2651")."""
        return [c for c in (self.industry_codes or "").split(",") if c]

    def divisions(self) -> set[str]:
        """The 大类 (first two digits) of the link's codes: an enterprise whose industry is one
        of them is suggested for the link."""
        return {c[:2] for c in self.codes()}


class ChainEnterprise(models.Model):
    """A local enterprise placed on a link of a chain by hand: the edit page suggests the
    enterprises of the chain's region whose 大类 matches the link's codes, and an official
    confirms (上链) or removes each one. A removed suggestion is kept so it is not suggested
    again; only confirmed rows count on the 全景图 (attraction-figures.md §产业链全景图)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        REMOVED = "removed", _("已移除")

    node = models.ForeignKey(
        ChainNode, verbose_name=_("产业链环节"), on_delete=models.CASCADE, related_name="placements"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("产业链上的本地企业")
        ordering = ["node", "pk"]
        constraints = [
            # one decision per enterprise and link: confirming again or removing updates it
            models.UniqueConstraint(fields=["node", "enterprise"], name="chain_enterprise_once"),
        ]

    def __str__(self) -> str:
        return f"{self.node}·{self.enterprise_id}"


class Lead(KeepsRegionPath, models.Model):
    """A 招商线索: an investor, what and how much they may invest, where it came from, the team
    that follows it and the stage it is in. `stage_entered_at` is when it entered its current
    stage (time in stage, aging); every change is a `StageChange` row."""

    MONEY_FIELDS = frozenset({"amount"})

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("线索类型"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="leads")
    stage_entered_at = models.DateTimeField(_("进入本阶段时间"), default=timezone.now)
    title = models.CharField(_("项目名称"), max_length=200)
    investor_name = models.CharField(_("投资方"), max_length=200)
    investor_key = models.CharField(_("投资方（比对用）"), max_length=200, editable=False, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    investor_region = models.CharField(_("投资方所在地"), max_length=60, blank=True)
    source = models.CharField(_("线索来源"), max_length=12, choices=Source.choices)
    referrer = models.CharField(_("推荐人/信息提供方"), max_length=100, blank=True)
    content = models.TextField(_("项目内容"), blank=True)
    amount = models.DecimalField(_("计划投资（元）"), validators=[MinValueValidator(0)], **MONEY)
    industry_code = models.CharField(_("国民经济行业代码"), max_length=5, blank=True)
    chain_node = models.ForeignKey(
        ChainNode,
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    land_mu = models.DecimalField(
        _("用地需求（亩）"), null=True, blank=True, validators=[MinValueValidator(0)], **AREA
    )
    site = models.CharField(_("拟选址"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("落地区划/园区"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    team = models.ForeignKey(
        Department,
        verbose_name=_("招商小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate)
    # a second (or later) phase of an earlier, signed lead: its funds are not a new project's
    # (the recognition rule `second_phase`, attraction-figures.md §到位资金)
    phase_of = models.ForeignKey(
        "self",
        verbose_name=_("前期项目（本项目为其二期）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_phases",
    )
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("转化项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RegionPathQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("招商线索")
        ordering = ["-registered_on", "-pk"]
        indexes = [
            # the lead list and the funnel: leads of a region subtree by stage
            models.Index(fields=["region_path", "stage"], name="attraction_lead_region_stage"),
            # the funnel's cohorts: leads registered in a period
            models.Index(fields=["registered_on"], name="attraction_lead_registered"),
            # scope: a region subtree is a prefix match (LIKE 'path%'), which a plain index
            # cannot serve unless the database collates in "C"
            models.Index(
                fields=["region_path"], name="attraction_lead_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.investor_key = normalise_name(self.investor_name)
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        """A 招商 team (a department's people) sees its own leads and those it owns; the
        region's office and leaders their region subtree; everyone their own leads."""
        s = scope_for(user)
        if s.is_admin:
            return Q()
        if not s.authenticated or s.is_enterprise_user:
            return NOTHING
        own = Q(owner=user.pk)
        if s.role in DEPARTMENT_ROLES:
            # a reviewer department reads the leads it was asked to pre-review
            asked = Q(pk__in=Opinion.objects.filter(department=user.department_id).values("prereview__lead"))
            return own | s.department_q("team") | asked
        if s.role in REGION_SCOPED_ROLES:
            return own | s.region_q("region_path")
        return own


class StageChange(models.Model):
    """One move of a lead: from which stage to which, when, by whom, and why (a reason is
    required for 搁置 and 流失)."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="changes")
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("原阶段"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, verbose_name=_("新阶段"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("原因/说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("线索阶段变更")
        ordering = ["lead", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.to_stage_id}"


class Verdict(models.TextChoices):
    PASS = "pass", _("同意")
    CONDITIONAL = "conditional", _("有条件同意")
    REJECT = "reject", _("不同意")


class ReviewRule(models.Model):
    """Who reviews a region's leads (联审预审 "14+n"): a standing reviewer (`industry_prefix`
    empty: the "14") or one added for leads whose GB/T 4754 code starts with the prefix (the
    "+n": food 13/14 → 市场监管, chemicals 26 → 应急 and 生态环境)."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("预审部门"), on_delete=models.PROTECT, related_name="+"
    )
    industry_prefix = models.CharField(
        _("行业代码前缀"), max_length=5, blank=True, help_text=_("留空为常设预审部门")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("预审部门规则")
        ordering = ["region", "industry_prefix", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "department", "industry_prefix"], name="attraction_review_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.industry_prefix}"

    @staticmethod
    def scope_q(user):
        return Chain.scope_q(user)


class PreReview(models.Model):
    """A lead's 联审预审: one `Opinion` per reviewer department, then the office's 综合预审意见
    (`conclusion` and `summary`). A lead enters 签约 only with a concluded, non-rejected one."""

    class Status(models.TextChoices):
        OPEN = "open", _("征求意见中")
        CONCLUDED = "concluded", _("已出具综合意见")

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="prereviews"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("反馈期限"))
    conclusion = models.CharField(_("综合意见"), max_length=12, choices=Verdict.choices, blank=True)
    summary = models.TextField(_("综合预审意见"), blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(_("出具时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("联审预审")
        ordering = ["lead", "-started_at"]
        constraints = [
            # one pre-review at a time per lead (the lead page and the gate read "the open one")
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="open"), name="attraction_one_open_prereview"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.status}"

    @property
    def passed(self) -> bool:
        return self.status == self.Status.CONCLUDED and self.conclusion in (Verdict.PASS, Verdict.CONDITIONAL)


class Opinion(models.Model):
    """One reviewer department's opinion on a pre-review: pass, conditional (with its
    conditions) or reject, due within N working days."""

    prereview = models.ForeignKey(
        PreReview, verbose_name=_("联审预审"), on_delete=models.CASCADE, related_name="opinions"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("预审部门"), on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(_("意见"), max_length=12, choices=Verdict.choices, blank=True)
    conditions = models.TextField(_("条件/理由"), blank=True)
    due_on = models.DateField(_("反馈期限"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("部门预审意见")
        ordering = ["prereview", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["prereview", "department"], name="attraction_opinion_once")
        ]

    def __str__(self) -> str:
        return f"{self.prereview_id}/{self.department_id}"


class Contract(models.Model):
    """A signed contract of a lead: framework (框架) or formal (正式), with its obligations."""

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", _("框架协议")
        FORMAL = "formal", _("正式合同")

    MONEY_FIELDS = frozenset({"amount"})

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="contracts")
    kind = models.CharField(_("合同类型"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("合同编号"), max_length=60, blank=True)
    signed_on = models.DateField(_("签约日期"))
    amount = models.DecimalField(_("合同投资额（元）"), validators=[MinValueValidator(0)], **MONEY)
    planned_start = models.DateField(_("约定开工日期"), null=True, blank=True)
    planned_completion = models.DateField(_("约定竣工日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("招商合同")
        ordering = ["lead", "-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.number or str(self.pk)


class Obligation(models.Model):
    """One dated, measurable promise of a contract (履约事项): a threshold to reach by a date
    (固定资产投资 ≥ 5 亿元 by 2027-12-31; 开工 by 2026-06-30). `status` is due until checked, then
    met or missed; 履约率 counts the checked ones that fell due (attraction-figures.md). The sweep
    sets `breached_at` (违约预警) on one past its date and not met, once."""

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("固定资产投资（万元）")
        INTENSITY = "intensity", _("投资强度（万元/亩）")
        PLOT_RATIO = "plot_ratio", _("容积率")
        START = "start", _("开工日期")
        COMPLETION = "completion", _("竣工日期")
        PRODUCTION = "production", _("投产日期")
        OUTPUT = "output", _("达产产值（万元）")
        TAX_PER_MU = "tax_per_mu", _("年亩均税收（万元/亩）")
        ENERGY = "energy", _("单位产出能耗（吨标煤/万元）")

    class Status(models.TextChoices):
        DUE = "due", _("待核定")
        MET = "met", _("已履约")
        MISSED = "missed", _("未履约")

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(_("履约事项"), max_length=12, choices=Kind.choices)
    target = models.DecimalField(_("约定值"), max_digits=16, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("约定期限"))
    status = models.CharField(_("履约状态"), max_length=8, choices=Status.choices, default=Status.DUE)
    actual = models.DecimalField(_("实际值"), max_digits=16, decimal_places=2, null=True, blank=True)
    checked_on = models.DateField(_("核定日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # the fact an automatic check used (自动核定): where it comes from and its period
    fact_source = models.CharField(_("核定依据"), max_length=100, blank=True)
    fact_period = models.CharField(_("依据期间"), max_length=20, blank=True)
    breached_at = models.DateTimeField(_("违约预警时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("履约事项")
        ordering = ["contract", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract.lead.title} · {self.get_kind_display()} · {self.due_on}"

    def get_absolute_url(self) -> str:
        """The 履约 panel of its lead's page (a supervision item raised from it links here)."""
        return reverse("attraction:lead_detail", args=[self.contract.lead_id]) + f"#obligation-{self.pk}"

    @staticmethod
    def scope_q(user):
        """The obligations of the leads the viewer sees."""
        return Q(contract__lead__in=Lead.objects.visible_to(user).values("pk"))


class FundSource(models.TextChoices):
    """Where a month's funds in place came from (到位资金来源)."""

    OUT_OF_PROVINCE = "out_province", _("国内省外资金")
    IN_PROVINCE = "in_province", _("省内市外资金")
    SAME_CITY = "same_city", _("本市跨县（区）资金")
    LOCAL = "local", _("本地投资方资金")
    LOAN = "loan", _("银行贷款")
    GOVERNMENT = "government", _("政府投资/PPP")
    FOREIGN = "foreign", _("境外资金")


class FundMonth(models.Model):
    """One month's funds in place (到位资金) of a lead, by source, with its evidence (the
    enterprise's 到位资金分割证明) and whether it is recognised as 省外到位资金 — and if not,
    why (`services.RECOGNITION`, attraction-figures.md)."""

    MONEY_FIELDS = frozenset({"amount"})

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="funds")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    source = models.CharField(_("资金来源"), max_length=12, choices=FundSource.choices)
    amount = models.DecimalField(_("到位资金（元）"), validators=[MinValueValidator(0)], **MONEY)
    evidence = models.CharField(_("佐证材料"), max_length=200, blank=True)
    recognised = models.BooleanField(_("认定为省外到位资金"), default=False)
    reason = models.CharField(_("不予认定原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("到位资金")
        ordering = ["-year", "-month", "lead", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "year", "month", "source"], name="attraction_fund_month_once"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="attraction_fund_month_valid"
            ),
        ]
        indexes = [
            # the 台账: recognised funds of a year by month
            models.Index(fields=["year", "month"], name="attraction_fund_period"),
            # the 台账's rows of a year in the page's order (month, lead, source)
            models.Index(fields=["year", "month", "lead", "source"], name="attraction_fund_ledger"),
            # the 台账's monthly sums: only the recognised rows, amount and lead in the index
            models.Index(
                fields=["year", "month", "lead"],
                include=["amount"],
                condition=Q(recognised=True),
                name="attraction_fund_recognised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.year}-{self.month:02d} {self.source}"


class LedgerClose(models.Model):
    """A month of the funds-in-place 台账 closed (关账) by the office of a region: from
    `closed_at` on, no fund month of that month may be recorded for a lead landing in the region's
    subtree (`services.record_funds`), and the 台账 counts only the rows recorded before the close
    (`figures.counted_q`). Reopened (重新开账, with a reason) it no longer locks anything until closed
    again; the audit log keeps every close and reopen. A month closes only when someone closes it
    (`services.close_ledger`, attraction-figures.md §关账)."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关账人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("关账时间"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重新开账人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("重新开账时间"), null=True, blank=True)
    reopen_reason = models.CharField(_("重新开账原因"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("到位资金台账关账")
        ordering = ["-year", "-month", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "month"], name="attraction_ledger_close_once"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="attraction_ledger_close_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}-{self.month:02d}"

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class Target(KeepsRegionPath, models.Model):
    """A target enterprise (重点目标企业) of a region's chain: who it is, where its headquarters
    and home region are (the 招商路径图 groups by home region), what it makes, the chain link it
    would fill, the approach planned and its date, who owns it and how far it got."""

    class Tag(models.TextChoices):
        FORTUNE500 = "fortune500", _("500强")
        LISTED = "listed", _("上市公司")
        SOE = "soe", _("央企/国企")
        SPECIALISED = "specialised", _("专精特新")

    class Status(models.TextChoices):
        PLANNED = "planned", _("待对接")
        CONTACTING = "contacting", _("对接中")
        LEAD = "lead", _("已形成线索")
        DROPPED = "dropped", _("暂不跟进")

    name = models.CharField(_("企业名称"), max_length=200)
    headquarters = models.CharField(_("总部所在地"), max_length=60, blank=True)
    home_region = models.CharField(_("所在省份/地区"), max_length=30, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    products = models.CharField(_("主营产品"), max_length=200, blank=True)
    chain_node = models.ForeignKey(
        ChainNode,
        verbose_name=_("产业链环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    approach = models.CharField(_("对接方案"), max_length=200, blank=True)
    approach_on = models.DateField(_("计划对接日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    team = models.ForeignKey(
        Department,
        verbose_name=_("招商小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RegionPathQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("重点目标企业")
        ordering = ["chain_node", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        """As a lead's: a team its own targets, the office its region subtree."""
        s = scope_for(user)
        if s.is_admin:
            return Q()
        if not s.authenticated or s.is_enterprise_user:
            return NOTHING
        own = Q(owner=user.pk)
        if s.role in DEPARTMENT_ROLES:
            return own | s.department_q("team")
        if s.role in REGION_SCOPED_ROLES:
            return own | s.region_q("region_path")
        return own

    def tag_labels(self) -> list[str]:
        return [str(self.Tag(t).label) for t in self.tags if t in self.Tag.values]


class ClockKind(models.TextChoices):
    """The service clocks of a big lead (≥ 1 亿元 unless the region's `ClockSetting` says
    otherwise), in working days from registration (`services.clock_rule`); 报告进展 restarts after
    every report."""

    RESPOND = "respond", _("响应")
    JUDGE = "judge", _("研判")
    FEEDBACK = "feedback", _("反馈推荐人")
    PROGRESS = "progress", _("报告进展")


class LeadClock(models.Model):
    """One clock of a lead: due by the end of `due_on` (a working day), stopped at `done_at`
    (with a note: how the lead was answered, judged, fed back, how it progressed). The sweep
    sets `overdue_at` the first time it finds the clock running past its day and tells the
    team once (attraction-figures.md §Clocks)."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("时限"), max_length=10, choices=ClockKind.choices)
    started_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    overdue_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("线索办理时限")
        ordering = ["lead", "due_on", "pk"]
        constraints = [
            # one running clock of a kind per lead (the lead page and the sweep read "the open one")
            models.UniqueConstraint(
                fields=["lead", "kind"], condition=Q(done_at__isnull=True), name="attraction_one_open_clock"
            )
        ]
        indexes = [
            # the sweep and the "超时" filter: running clocks past their day
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="attraction_clock_open_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.kind} {self.due_on}"


#: the bounds of a clock's working days on the settings page (ClockSetting)
CLOCK_MIN_DAYS, CLOCK_MAX_DAYS = 1, 60


class ClockSetting(models.Model):
    """A province's, city's or county's own defaults for the clocks of a big lead (时限设置): the
    plan from which a lead runs the clocks (yuan) and the working days of each clock. A lead's
    clocks take the row of its region's nearest ancestor that has one, else the shipped defaults
    (`services.clock_rule`, attraction-figures.md §Clocks). A change applies to clocks started
    afterwards; running clocks keep their day."""

    MONEY_FIELDS = frozenset({"threshold"})

    region = models.OneToOneField(
        Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="attraction_clock_setting"
    )
    threshold = models.DecimalField(_("计时起点（计划投资，元）"), **MONEY)
    respond_days = models.PositiveSmallIntegerField(_("响应（工作日）"))
    judge_days = models.PositiveSmallIntegerField(_("研判（工作日）"))
    feedback_days = models.PositiveSmallIntegerField(_("反馈推荐人（工作日）"))
    progress_days = models.PositiveSmallIntegerField(_("报告进展间隔（工作日）"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("办理时限设置")
        ordering = ["region__path"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0), name="attraction_clock_threshold_positive"),
            models.CheckConstraint(
                condition=Q(
                    respond_days__gte=CLOCK_MIN_DAYS,
                    respond_days__lte=CLOCK_MAX_DAYS,
                    judge_days__gte=CLOCK_MIN_DAYS,
                    judge_days__lte=CLOCK_MAX_DAYS,
                    feedback_days__gte=CLOCK_MIN_DAYS,
                    feedback_days__lte=CLOCK_MAX_DAYS,
                    progress_days__gte=CLOCK_MIN_DAYS,
                    progress_days__lte=CLOCK_MAX_DAYS,
                ),
                name="attraction_clock_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")

    def days(self) -> dict[str, int]:
        return {
            ClockKind.RESPOND: self.respond_days,
            ClockKind.JUDGE: self.judge_days,
            ClockKind.FEEDBACK: self.feedback_days,
            ClockKind.PROGRESS: self.progress_days,
        }


WEEKDAYS = [
    (0, _("星期一")),
    (1, _("星期二")),
    (2, _("星期三")),
    (3, _("星期四")),
    (4, _("星期五")),
    (5, _("星期六")),
    (6, _("星期日")),
]


class AbroadTeam(models.Model):
    """A 驻外招商组: a department (its people file the reports) stationed in a city, which
    files one weekly report per ISO week by its due weekday (0 = Monday … 4 = Friday)."""

    department = models.OneToOneField(
        Department, verbose_name=_("招商小组"), on_delete=models.PROTECT, related_name="abroad_team"
    )
    station = models.CharField(_("驻点城市"), max_length=40)
    due_weekday = models.PositiveSmallIntegerField(
        _("周报截止（星期）"), default=4, choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_on = models.DateField(_("设立日期"), default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("驻外招商组")
        ordering = ["department__name", "pk"]

    def __str__(self) -> str:
        return f"{self.department.name}（{self.station}）"

    @staticmethod
    def scope_q(user):
        """A team's people their own team; the office and leaders their region subtree."""
        s = scope_for(user)
        if s.is_admin:
            return Q()
        if not s.authenticated or s.is_enterprise_user:
            return NOTHING
        if s.role in DEPARTMENT_ROLES:
            return s.department_q("department")
        if s.role in REGION_SCOPED_ROLES:
            return s.region_q("department__region__path")
        return NOTHING


class WeeklyReport(models.Model):
    """A 驻外招商组's weekly report (工作周报) for one ISO week: whom it met, the new leads, the
    plan for next week. One per team and week; filing again changes it."""

    team = models.ForeignKey(
        AbroadTeam, verbose_name=_("驻外招商组"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    week = models.PositiveSmallIntegerField(
        _("周次"), validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    met = models.TextField(_("本周对接拜访情况"))
    new_leads = models.TextField(_("新获取线索"), blank=True)
    next_week = models.TextField(_("下周工作计划"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("驻外招商周报")
        ordering = ["-year", "-week", "team"]
        constraints = [
            models.UniqueConstraint(fields=["team", "year", "week"], name="attraction_weekly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.year}-W{self.week:02d}"

    @staticmethod
    def scope_q(user):
        return Q(team__in=AbroadTeam.objects.filter(AbroadTeam.scope_q(user)).values("pk"))


class ReportReminder(models.Model):
    """That a team was reminded of a week's missing report (the reminder goes out once)."""

    team = models.ForeignKey(AbroadTeam, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    week = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("周报提醒")
        constraints = [
            models.UniqueConstraint(fields=["team", "year", "week"], name="attraction_report_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.year}-W{self.week:02d}"


class JudgingMeeting(models.Model):
    """A 线索研判会 (usually monthly) of a region: the leads put before it, each scored on the
    criteria (`JudgingItem`) and decided — follow, park (搁置) or drop (流失) — when the office
    closes the meeting; the minutes are a Word document."""

    class Status(models.TextChoices):
        OPEN = "open", _("研判中")
        DECIDED = "decided", _("已决定")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chair = models.CharField(_("主持人"), max_length=60, blank=True)
    attendees = models.TextField(_("参会人员"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("线索研判会")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class Decision(models.TextChoices):
    FOLLOW = "follow", _("继续跟进")
    PARK = "park", _("暂缓（搁置）")
    DROP = "drop", _("放弃（流失）")


#: the criteria a lead is scored on at a 研判会 (0–10 each), in the order of the minutes
CRITERIA = [
    ("industry", _("产业方向")),
    ("market", _("市场前景")),
    ("technology", _("技术路线")),
    ("environment", _("环保")),
    ("energy", _("能耗")),
    ("benefit", _("经济效益")),
]


class JudgingItem(models.Model):
    """One lead before a 研判会: its scores (0–10) on each criterion, the 亩均税收 the investor
    commits to (万元/亩), the decision and its reason (required to park or drop)."""

    meeting = models.ForeignKey(
        JudgingMeeting, verbose_name=_("研判会"), on_delete=models.CASCADE, related_name="items"
    )
    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="judgements"
    )
    industry = models.PositiveSmallIntegerField(
        _("产业方向"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    market = models.PositiveSmallIntegerField(
        _("市场前景"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    technology = models.PositiveSmallIntegerField(
        _("技术路线"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    environment = models.PositiveSmallIntegerField(
        _("环保"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    energy = models.PositiveSmallIntegerField(
        _("能耗"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    benefit = models.PositiveSmallIntegerField(
        _("经济效益"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    tax_per_mu = models.DecimalField(
        _("承诺亩均税收（万元/亩）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    decision = models.CharField(_("研判结论"), max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("研判事项")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "lead"], name="attraction_judging_lead_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.lead_id}"

    @property
    def total(self) -> int | None:
        """The sum of the scores (0–60); None until every criterion is scored."""
        values = [getattr(self, f) for f, _label in CRITERIA]
        return None if any(v is None for v in values) else sum(values)


class SplitMethod(models.TextChoices):
    """How an annual target is spread over the year (attraction-figures.md §分解)."""

    EQUAL = "equal", _("平均分解")
    PROFILE = "profile", _("按上年实际进度分解")
    MANUAL = "manual", _("手工分解")


class SplitTo(models.TextChoices):
    """The finest parts of a decomposed annual target: quarters, or months (quarters derived)."""

    QUARTER = "Q", _("季度")
    MONTH = "M", _("月（并汇总到季度）")


class AnnualTarget(models.Model):
    """A year's 招商 target of a region (team empty) or of a 招商 team in it: the number of leads of
    1 亿元 or more to sign (and, of them, of 5, 20 and 50 亿元 or more, and on a 延链/补链 link), the contract amount to sign, and the 省外到位资金 to bring in (yuan).
    Progress is `figures.target_progress`."""

    MONEY_FIELDS = frozenset({"signed_amount", "funds"})

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Department,
        verbose_name=_("招商小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_count = models.PositiveIntegerField(_("签约亿元以上项目（个）"), default=0)
    # the size bands of `figures.SIZE_BANDS` (0: no target for the band)
    signed_5 = models.PositiveIntegerField(_("其中 5 亿元以上（个）"), default=0)
    signed_20 = models.PositiveIntegerField(_("其中 20 亿元以上（个）"), default=0)
    signed_50 = models.PositiveIntegerField(_("其中 50 亿元以上（个）"), default=0)
    # of signed_count, the projects on a chain link marked 延链 or 补链 (`figures.chain_gap_q`)
    signed_chain = models.PositiveIntegerField(_("其中延链补链亿元以上（个）"), default=0)
    # the decomposition over the year (`AnnualTargetPart`): blank until decomposed
    split_method = models.CharField(_("分解方式"), max_length=10, blank=True, choices=SplitMethod.choices)
    split_to = models.CharField(_("分解到"), max_length=1, blank=True, choices=SplitTo.choices)
    signed_amount = models.DecimalField(
        _("签约额（元）"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    funds = models.DecimalField(
        _("省外到位资金（元）"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("招商年度目标")
        ordering = ["year", "region__path", "team", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region"],
                condition=Q(team__isnull=True),
                name="attraction_target_region_once",
            ),
            models.UniqueConstraint(
                fields=["year", "region", "team"],
                condition=Q(team__isnull=False),
                name="attraction_target_team_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id}/{self.team_id or '-'}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class AnnualTargetPart(models.Model):
    """One period's part of an annual target's metric (signed_count, signed_amount, funds): a
    quarter (`2026Q1`) or a month (`202601`); a month decomposition also keeps the quarters it
    adds up to. The parts of one metric and type add up to the target exactly (services:
    `services_targets.decompose`); counts are whole numbers, money yuan."""

    class Metric(models.TextChoices):
        SIGNED_COUNT = "signed_count", _("签约亿元以上项目（个）")
        SIGNED_AMOUNT = "signed_amount", _("签约额")
        FUNDS = "funds", _("省外到位资金")

    class PeriodType(models.TextChoices):
        QUARTER = "Q", _("季度")
        MONTH = "M", _("月")

    target = models.ForeignKey(
        AnnualTarget, verbose_name=_("年度目标"), on_delete=models.CASCADE, related_name="parts"
    )
    metric = models.CharField(_("目标项"), max_length=16, choices=Metric.choices)
    period_type = models.CharField(_("期间类型"), max_length=1, choices=PeriodType.choices)
    period = models.CharField(_("期间"), max_length=8)
    amount = models.DecimalField(_("分解值"), validators=[MinValueValidator(0)], **MONEY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("招商年度目标分解")
        ordering = ["target", "metric", "period_type", "period"]
        constraints = [
            # one part per period: the annual page reads a target's parts by (target, metric)
            models.UniqueConstraint(fields=["target", "metric", "period"], name="attraction_target_part_once")
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.metric} {self.period}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("target__region__path")


class LeadCount(models.Model):
    """招商年度汇总 (attraction-figures.md §Rollup): the leads registered in a year with a region
    path, counted — all, signed (reached 签约, `figures.reached_q`), turned into a project
    (`figures.CONVERTED`) — and the last day one of them was registered. Kept by the attraction
    sweep (`attraction.rollups.refresh`); read by the cockpit only while fresh."""

    audit_exempt = True  # derived counts kept by the sweep, not anyone's act

    year = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    registered = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    last_registered = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_path"], name="leadcount_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.region_path}"


class FundSum(models.Model):
    """到位资金月汇总 (attraction-figures.md §Rollup): the recognised fund months the 台账 counts
    (`figures.funds_q`) of a (year, month), summed per lead region path."""

    audit_exempt = True

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "month", "region_path"], name="fundsum_once")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month} {self.region_path}"


class LeadCountStale(models.Model):
    """A (year, region path) whose leads (registered that year) or fund months (of that year)
    changed since the rollup was built: the figures read the rows for any region above it until
    the next refresh."""

    audit_exempt = True

    year = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_path"], name="leadcount_stale_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.region_path}"


class LeadCountBuild(models.Model):
    """The last full build of `LeadCount` and `FundSum` (one row): before it, nothing is fresh."""

    audit_exempt = True

    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.built_at)
