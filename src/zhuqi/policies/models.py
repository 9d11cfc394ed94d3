"""惠企政策: policy documents split into items (事项), each with its conditions as data, an amount
rule, an exclusivity group, a budget, a window, a mode and a fulfilment limit in working days.

The condition language and the amount rules are defined in src/zhuqi/docs/policies.md
(`conditions.py`, `amounts.py`); matching every enterprise is one SQL query (`matching.py`).
Policies are public documents: every signed-in user reads them; who may change one is the
permission matrix plus the object rule in `services.can_manage`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for
from zhuqi.core.units import MAX_YEAR, MIN_YEAR

_YEAR = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
#: the fulfilment limit when a policy names none (直达快享: paid within 60 working days)
DEFAULT_LIMIT_DAYS = 60
#: how long the list of approved claims is shown publicly (公示) before anything is paid
PUBLICITY_DAYS = 5


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Kind(models.TextChoices):
    RELIEF = "relief", _("减免")
    REWARD = "reward", _("奖补")
    RIGHT = "right", _("权益")
    QUALIFICATION = "qualification", _("资质")


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", _("免申即享")
    QUICK = "quick", _("快申快享")
    APPLY = "apply", _("申报")


def _authenticated_q(user) -> Q:
    return Q() if scope_for(user).authenticated else NOTHING


class PolicyDocument(models.Model):
    """A policy document (政策文件) as issued: its level, issuer, number and dates, the region
    whose enterprises it serves; the file itself is an attachment (core attachments)."""

    title = models.CharField(_("文件标题"), max_length=200)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    issuer = models.CharField(_("发文单位"), max_length=100)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("发文日期"))
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    effective_to = models.DateField(_("有效期至"), null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("内容摘要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user):
        """Policies are public: everyone signed in reads them."""
        return _authenticated_q(user)


class PolicyItem(models.Model):
    """One operable item (事项) of a document: who qualifies (`conditions`, JSON of the condition
    language), how much (`amount_rule`), and how it is fulfilled. `data_year` is the year whose
    facts the conditions read when a condition names no year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已停止")

    document = models.ForeignKey(
        PolicyDocument, verbose_name=_("政策文件"), on_delete=models.PROTECT, related_name="items"
    )
    title = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=15, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    conditions = models.JSONField(_("申享条件"), default=dict, blank=True)
    amount_rule = models.JSONField(_("金额规则"), default=dict, blank=True)
    data_year = models.PositiveSmallIntegerField(_("数据年度"), validators=_YEAR)
    exclusivity_group = models.CharField(
        _("不重复享受分组"),
        max_length=60,
        blank=True,
        help_text=_("同一年度同一分组的资金从高从优、不重复享受"),
    )
    budget = models.DecimalField(_("年度预算（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    window_start = models.DateField(_("申报开始"), null=True, blank=True)
    window_end = models.DateField(_("申报截止"), null=True, blank=True)
    evidence = models.TextField(_("申报材料"), blank=True)
    mode = models.CharField(_("兑现方式"), max_length=10, choices=Mode.choices, default=Mode.APPLY)
    limit_days = models.PositiveSmallIntegerField(
        _("兑现时限（工作日）"), default=DEFAULT_LIMIT_DAYS, validators=[MinValueValidator(1)]
    )
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    # the public guide (办事指南)
    beneficiaries = models.TextField(_("惠及对象"), blank=True)
    conditions_text = models.TextField(_("申报条件"), blank=True)
    address = models.CharField(_("受理地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策事项")
        verbose_name_plural = _("政策事项")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_start__lte=models.F("window_end")),
                name="policy_item_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=Decimal(0)),
                name="policy_item_budget_positive",
            ),
        ]
        # the enterprise page and portal read the live items: WHERE status='published'
        indexes = [models.Index(fields=["status", "window_end"], name="policy_item_live")]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user):
        """Policies are public: everyone signed in reads them (drafts: see `selectors`)."""
        return _authenticated_q(user)

    def is_live(self, today: dt.date | None = None) -> bool:
        """Published and neither its window nor its document has expired: it takes part in
        matching."""
        today = today or timezone.localdate()
        if self.status != self.Status.PUBLISHED:
            return False
        if self.window_end and self.window_end < today:
            return False
        return not (self.document.effective_to and self.document.effective_to < today)


def live_items_q(today: dt.date | None = None) -> Q:
    """The items taking part in matching (the same rule as `PolicyItem.is_live`, as a Q)."""
    today = today or timezone.localdate()
    return (
        Q(status=PolicyItem.Status.PUBLISHED)
        & (Q(window_end__isnull=True) | Q(window_end__gte=today))
        & (Q(document__effective_to__isnull=True) | Q(document__effective_to__gte=today))
    )


class Match(models.Model):
    """An item pushed to an enterprise that qualifies (推送): when, and when the enterprise read
    it on the portal."""

    item = models.ForeignKey(
        PolicyItem, verbose_name=_("政策事项"), on_delete=models.CASCADE, related_name="matches"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    pushed_at = models.DateTimeField(_("推送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")
        constraints = [models.UniqueConstraint(fields=["item", "enterprise"], name="policy_match_once")]

    def __str__(self) -> str:
        return f"{self.item} → {self.enterprise}"

    @staticmethod
    def scope_q(user):
        from zhuqi.enterprises.models import live_enterprise_q

        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()


class Application(models.Model):
    """An enterprise's claim on an item (申报 / 兑现), on the working-day clock: `due_on` is
    `limit_days` working days after the first application; states and who moves them are
    `workflow.TRANSITIONS`."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审核")
        RETURNED = "returned", _("退回补正")
        APPROVED = "approved", _("已核准")
        PUBLICISED = "publicised", _("公示中")
        PAID = "paid", _("已兑现")
        REFUSED = "refused", _("不予兑现")
        CLAWED_BACK = "clawed_back", _("已追回")

    item = models.ForeignKey(
        PolicyItem, verbose_name=_("政策事项"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("兑现年度"), validators=_YEAR)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.APPLIED)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    #: what the item's amount rule gave from the enterprise's own figures; `amount` is what the
    #: department approves (the same unless it says why not)
    computed_amount = models.DecimalField(
        _("测算金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("收款账号"), max_length=40, blank=True)
    applied_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    due_on = models.DateField(_("兑现期限"))
    reason = models.CharField(_("退回或不予兑现的理由"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("核准时间"), null=True, blank=True)
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    voucher = models.CharField(_("付款凭证号"), max_length=60, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: the latest complaint about this claim's fulfilment, raised as a 诉求 (channel 政策兑现)
    complaint_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("兑现投诉诉求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策兑现")
        verbose_name_plural = _("政策兑现")
        ordering = ["-applied_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "enterprise"], name="policy_application_once"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=Decimal(0)), name="policy_application_amount"
            ),
        ]
        # the budget and the exclusivity checks: WHERE item/group AND year AND status IN (approved, paid)
        indexes = [
            models.Index(fields=["enterprise", "year", "status"], name="policy_application_ent_year"),
            # an item's applicant list, newest first: WHERE item_id = … ORDER BY applied_at DESC, id DESC
            models.Index(fields=["item", "-applied_at", "-id"], name="policy_application_item_list"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.item}"

    @staticmethod
    def scope_q(user):
        from zhuqi.enterprises.models import live_enterprise_q

        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()

    @property
    def amount_adjusted(self) -> bool:
        return self.computed_amount is not None and self.amount != self.computed_amount

    @property
    def paid_within_limit(self) -> bool | None:
        return None if self.paid_on is None else self.paid_on <= self.due_on
