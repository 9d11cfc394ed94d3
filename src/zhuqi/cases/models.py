"""Enterprise problems (诉求): the case pool, its categories, routing rules, SLA policies,
clocks, escalation, supervision and follow-up.

Every clock of a case is stored on the case (`accept_due_at` … `close_due_at`) while it runs,
and `next_due_at = min(running clocks)` is indexed (partial index over open cases), so "overdue"
is one indexed query and the sweep is `WHERE next_due_at < now()`. The history of every clock,
with its outcome (met / missed by N working days) and paused time, is kept in `CaseClock` rows.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, KeepsRegionPath, Region, RegionPathQuerySet
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for


class Category(models.Model):
    """A node of the problem category tree (用地 › 土地指标 …); `keywords` feed the
    keyword-rule routing suggestion when routed history is thin."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    keywords = models.CharField(_("关键词"), max_length=500, blank=True, help_text=_("以空格分隔"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name}·{self.name}" if self.parent_id else self.name

    @property
    def root(self) -> Category:
        node = self
        while node.parent_id:
            node = node.parent
        return node

    def lineage_ids(self) -> list[int]:
        """This category and its ancestors, most specific first."""
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class SlaPolicy(models.Model):
    """Time limits in working days for a category and urgency (category/urgency left blank
    match everything). The most specific active policy wins: category + urgency > urgency only >
    category only > neither; the deepest category within a tier (`services.policy_for`).
    Defaults: Henan "13710"."""

    class Scheme(models.TextChoices):
        HENAN_13710 = "henan13710", _("河南“13710”")
        SHANDONG_5 = "shandong5", _("山东“5个工作日”")
        CUSTOM = "custom", _("自定义")

    name = models.CharField(_("名称"), max_length=60)
    scheme = models.CharField(_("制度"), max_length=20, choices=Scheme.choices, default=Scheme.CUSTOM)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, blank=True)
    accept_days = models.PositiveSmallIntegerField(_("受理时限"), default=1)
    dispatch_days = models.PositiveSmallIntegerField(_("交办时限"), default=1)
    sign_days = models.PositiveSmallIntegerField(_("签收时限"), default=1)
    sendback_days = models.PositiveSmallIntegerField(_("退单时限"), default=1)
    progress_days = models.PositiveSmallIntegerField(_("反馈进展时限"), default=3)
    resolve_days = models.PositiveSmallIntegerField(_("办结时限"), default=7)
    followup_days = models.PositiveSmallIntegerField(_("回访时限"), default=3)
    extension_max_days = models.PositiveSmallIntegerField(_("最长延期"), default=7)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["scheme", "name"]

    def __str__(self) -> str:
        return self.name


class SlaActivation(models.Model):
    """From `effective_from` on, cases are given the time limits of `scheme` (the policies of
    that scheme; the others wait). The latest activation on or before a day decides that day's
    scheme; none at all means Henan "13710" (`services.active_scheme`)."""

    scheme = models.CharField(_("制度"), max_length=20, choices=SlaPolicy.Scheme.choices)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("时限制度启用")
        verbose_name_plural = _("时限制度启用")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} @ {self.effective_from}"


class RoutingRule(models.Model):
    """category × region → lead department (+ assisting), edited by the dispatch office.
    The most specific rule (deepest category, deepest region) wins; none → dispatch office."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.CASCADE)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+")
    lead_department = models.ForeignKey(
        Department, verbose_name=_("主办部门"), on_delete=models.PROTECT, related_name="+"
    )
    assisting_departments = models.ManyToManyField(
        Department, verbose_name=_("协办部门"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分拨规则")
        verbose_name_plural = _("分拨规则")
        ordering = ["category__order", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="routing_rule_unique_cat_region"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.region} → {self.lead_department}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Channel(models.TextChoices):
    VISIT = "visit", _("走访")
    MEETING = "meeting", _("座谈会")
    PORTAL = "portal", _("企业端")
    HOTLINE_12345 = "h12345", _("12345热线")
    HOTLINE_96388 = "h96388", _("96388平台")
    LEADER = "leader", _("领导交办")
    PROJECT = "project", _("项目推进")
    POLICY = "policy", _("政策兑现")
    API = "api", _("系统对接")
    OTHER = "other", _("其他")


class PartnerSystem(models.Model):
    """An outside system (12345 hotline, 96388 platform) posting cases via Open311/REST.
    Its api_key (stored hashed) carries the system's scope: one region subtree."""

    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(
        _("渠道"), max_length=20, choices=Channel.choices, default=Channel.HOTLINE_12345
    )
    region = models.ForeignKey(Region, verbose_name=_("数据范围"), on_delete=models.PROTECT, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")

    def __str__(self) -> str:
        return self.name

    def new_key(self) -> str:
        key = secrets.token_urlsafe(24)
        self.key_hash = hash_key(key)
        self.key_prefix = key[:8]
        return key

    @classmethod
    def by_key(cls, key: str | None) -> PartnerSystem | None:
        if not key:
            return None
        return cls.objects.filter(key_hash=hash_key(key), is_active=True).select_related("region").first()


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    DISPATCHED = "dispatched", _("已交办")
    SENT_BACK = "sent_back", _("已退单")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    WAITING = "waiting", _("待企业补充")
    REPLIED = "replied", _("已答复")
    REOPENED = "reopened", _("重办")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("已销号")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


TERMINAL = {Status.REFUSED, Status.CLOSED, Status.MERGED, Status.WITHDRAWN}
OPEN_STATUSES = [s for s in Status.values if s not in TERMINAL]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    MAJOR = "major", _("重大复杂")


class EscalationLevel(models.IntegerChoices):
    """The four levels a case is handled at (四级调度); a case starts at the first."""

    GRID = 1, _("网格员/企业专员")
    DEPARTMENT = 2, _("部门/乡镇")
    COUNTY = 3, _("县级领导")
    LEADING_GROUP = 4, _("领导小组")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ClockKind(models.TextChoices):
    ACCEPT = "accept", _("受理")
    DISPATCH = "dispatch", _("交办")
    SIGN = "sign", _("签收")
    PROGRESS = "progress", _("反馈进展")
    REPLY = "reply", _("办结答复")
    FOLLOWUP = "followup", _("回访")
    CLOSE = "close", _("销号")


CLOCK_FIELDS = {k: f"{k}_due_at" for k in ClockKind.values}


class CaseQuerySet(RegionPathQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_rag(self, now=None):
        """Annotate `rag`: red (a clock overdue), yellow (a clock due within one working
        day), green (otherwise); closed cases get ''."""
        from zhuqi.core.workcalendar import due_at

        now = now or timezone.now()
        soon = due_at(now, 1)
        return self.annotate(
            rag=models.Case(
                models.When(~Q(status__in=OPEN_STATUSES), then=models.Value("")),
                models.When(next_due_at__lt=now, then=models.Value("red")),
                models.When(escalation_level__gte=EscalationLevel.COUNTY, then=models.Value("red")),
                models.When(next_due_at__lte=soon, then=models.Value("yellow")),
                default=models.Value("green"),
                output_field=models.CharField(),
            )
        )


class Case(KeepsRegionPath, models.Model):
    """One problem an enterprise raised (诉求 / 工单), from any channel, through its whole
    closed loop. Status changes only through `zhuqi.cases.services` (the transition table)."""

    no = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    # a copy of region.path, so scope and the figures filter the case row itself (no join)
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("问题描述"), max_length=5000)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    external_no = models.CharField(_("外部工单号"), max_length=60, blank=True)
    partner = models.ForeignKey(
        PartnerSystem, verbose_name=_("对接系统"), null=True, blank=True, on_delete=models.PROTECT
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    visit_id = models.BigIntegerField(_("走访记录"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_by_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("主办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sla = models.ForeignKey(SlaPolicy, verbose_name=_("办理时限"), null=True, on_delete=models.PROTECT)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )

    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    # running clocks (null when not running); next_due_at = min of them
    accept_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    dispatch_due_at = models.DateTimeField(_("交办期限"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    progress_due_at = models.DateTimeField(_("进展反馈期限"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    followup_due_at = models.DateTimeField(_("回访期限"), null=True, blank=True)
    close_due_at = models.DateTimeField(_("销号期限"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("最近期限"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停计时于"), null=True, blank=True)

    reply = models.TextField(_("答复内容"), blank=True)
    resolved = models.BooleanField(_("已解决"), null=True, blank=True)
    refuse_reason = models.CharField(_("不予受理理由"), max_length=500, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    # the enterprise's own answer at the latest follow-up to "is the problem solved?" (None: not
    # asked or not answered), beside the department's `resolved` (figures: 企业认可解决率)
    enterprise_solved = models.BooleanField(_("企业认为已解决"), null=True, blank=True, editable=False)
    followup_token = models.CharField(max_length=43, blank=True, editable=False)

    escalation_level = models.PositiveSmallIntegerField(
        _("调度层级"), choices=EscalationLevel.choices, default=EscalationLevel.GRID
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    beyond_local = models.BooleanField(_("属地难以解决"), default=False)
    is_problem_case = models.BooleanField(_("问题工单"), default=False)
    sendback_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    close_working_days = models.PositiveIntegerField(_("办结用时（工作日）"), null=True, blank=True)
    # clock outcomes kept on the case for the figures (set when a clock stops; see CaseClock):
    sign_done = models.BooleanField(_("有签收结果"), default=False, editable=False)
    sign_missed = models.BooleanField(_("曾超时签收"), default=False, editable=False)
    reply_missed = models.BooleanField(_("曾超时办结"), default=False, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # the sweep and the overdue board: WHERE next_due_at < now() over open cases only
            models.Index(
                fields=["next_due_at"],
                name="case_next_due_open",
                condition=Q(next_due_at__isnull=False),
            ),
            # dispatch board tabs and status counts
            models.Index(fields=["status", "-submitted_at"], name="case_status_submitted"),
            # duplicate detection and the enterprise's own list
            models.Index(fields=["enterprise", "status"], name="case_enterprise_status"),
            # department inbox: WHERE lead_department_id=? AND status IN (...)
            models.Index(fields=["lead_department", "status"], name="case_lead_status"),
            # figures by period
            models.Index(fields=["accepted_at"], name="case_accepted_at"),
            # the case list's default order (newest first) and figures' period filter
            models.Index(fields=["-submitted_at", "-id"], name="case_submitted_desc"),
            # every official's scope: WHERE region_path LIKE '41/4101/410102/%'
            # (with the list's sort key, so a deep page's ids come from the index alone)
            models.Index(
                fields=["region_path"],
                name="case_region_path",
                opclasses=["varchar_pattern_ops"],
                include=["submitted_at", "id"],
            ),
            # the cockpit's 超时未办 and 提级 of a region (open cases past a deadline, open cases
            # at level 3+): an index-only scan of the region's open cases alone
            models.Index(
                fields=["region_path"],
                name="case_open_region",
                opclasses=["varchar_pattern_ops"],
                include=["next_due_at", "escalation_level"],
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # the figures (cases/figures.py): one index-only scan over a period's cases, every
            # column a figure counts included (PostgreSQL; elsewhere a plain index)
            models.Index(
                fields=["submitted_at"],
                name="case_figures_cover",
                include=[
                    "id",
                    "region_path",
                    "status",
                    "accepted_at",
                    "lead_department",
                    "category",
                    "channel",
                    "region",
                    "satisfaction",
                    "resolved",
                    "enterprise_solved",
                    "reopen_count",
                    "sign_done",
                    "sign_missed",
                    "reply_missed",
                    "close_working_days",
                    # the running deadlines the on-time figures judge against now
                    # (figures.sign_overdue_q, reply_overdue_q)
                    "sign_due_at",
                    "reply_due_at",
                    "paused_at",
                ],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_no"],
                condition=~Q(external_no=""),
                name="case_unique_external_no_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.no} {self.title}"

    def save(self, *args, **kwargs):
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    def enterprise_recipients(self):
        """The enterprise's active users: told of a comment addressed to it (core.add_comment)."""
        from zhuqi.core.models import User

        return User.objects.filter(enterprise_membership__enterprise_id=self.enterprise_id, is_active=True)

    @property
    def is_escalated(self) -> bool:
        """Handled above the first level (四级调度): shown as a badge."""
        return self.escalation_level > EscalationLevel.GRID

    @property
    def can_go_higher(self) -> bool:
        """Not yet at the leading group, the top level."""
        return self.escalation_level < EscalationLevel.LEADING_GROUP

    @property
    def at_county_level(self) -> bool:
        """At the county leaders' level or above, where a coordination meeting (协调会) is held."""
        return self.escalation_level >= EscalationLevel.COUNTY

    @staticmethod
    def scope_q(user):
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated:
            return NOTHING
        if scope.role in DEPARTMENT_ROLES:
            dept = getattr(user, "department_id", None)
            if not dept:
                return NOTHING
            return Q(Exists(CaseDepartment.objects.filter(case=OuterRef("pk"), department_id=dept)))
        # the case's own copy of its region path: one indexed prefix match, no join
        return scope.enterprise_q("enterprise__", path_field="region_path")

    def running_clocks(self) -> dict[str, object]:
        return {k: getattr(self, f) for k, f in CLOCK_FIELDS.items() if getattr(self, f) is not None}

    def recompute_next_due(self) -> None:
        dues = [v for v in self.running_clocks().values() if v is not None]
        self.next_due_at = None if (self.paused_at or not dues or not self.is_open) else min(dues)

    def rag_status(self, now=None) -> str:
        from zhuqi.core.workcalendar import due_at

        if not self.is_open:
            return ""
        now = now or timezone.now()
        if (self.next_due_at and self.next_due_at < now) or self.escalation_level >= EscalationLevel.COUNTY:
            return "red"
        if self.next_due_at and self.next_due_at <= due_at(now, 1):
            return "yellow"
        return "green"


class CaseCount(models.Model):
    """诉求年度汇总 (cases-figures.md §Rollup): the cases submitted in a year (Beijing time) with a
    region path, counted — all, accepted (`figures.ACCEPTED`), closed (`figures.CLOSED`). Kept by
    the case sweep (`cases.rollups.refresh`); read by the cockpit only while fresh."""

    audit_exempt = True  # derived counts kept by the sweep, not anyone's act

    year = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_path"], name="casecount_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.region_path}"


class CaseCountStale(models.Model):
    """A (year, region path) whose cases changed since its `CaseCount` was built: the figures
    count the cases themselves for any region above it until the next refresh."""

    audit_exempt = True

    year = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_path"], name="casecount_stale_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.region_path}"


class CaseCountBuild(models.Model):
    """The last full build of `CaseCount` (one row): before it, nothing is fresh."""

    audit_exempt = True

    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.built_at)


class CaseDepartment(models.Model):
    """A department on a case: the lead (主办) or an assisting one (协办). Rows of earlier
    dispatches stay (active=False) so a department that sent a case back keeps seeing it."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=6, choices=Role.choices)
    active = models.BooleanField(_("当前"), default=True)
    dispatched_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        indexes = [
            # department scope: EXISTS (… WHERE department_id=? AND case_id=…)
            models.Index(fields=["department", "case"], name="casedept_dept_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department} {self.get_role_display()}"


class CaseClock(models.Model):
    """One run of one clock of a case, with its outcome: met, or missed by N working days.
    The working time lost to a pause (waiting for the enterprise) is added to the deadline;
    `paused_working_days` records its whole working days."""

    class State(models.TextChoices):
        RUNNING = "running", _("计时中")
        MET = "met", _("按时")
        MISSED = "missed", _("超时")
        CANCELLED = "cancelled", _("取消")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("时限"), max_length=10, choices=ClockKind.choices)
    started_at = models.DateTimeField(_("开始"))
    due_at = models.DateTimeField(_("期限"))
    stopped_at = models.DateTimeField(_("结束"), null=True, blank=True)
    state = models.CharField(_("结果"), max_length=10, choices=State.choices, default=State.RUNNING)
    late_working_days = models.PositiveIntegerField(_("超时工作日"), default=0)
    paused_working_days = models.PositiveIntegerField(_("暂停工作日"), default=0)
    overdue_flagged_at = models.DateTimeField(_("超时登记"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)

    # derived from the case's transitions, each of which writes its own audit event
    audit_exempt = True

    class Meta:
        verbose_name = _("时限记录")
        verbose_name_plural = _("时限记录")
        ordering = ["started_at", "id"]
        indexes = [
            # the sweep: running clocks past due not yet flagged / due soon not yet reminded
            models.Index(fields=["due_at"], name="caseclock_running_due", condition=Q(state="running")),
            models.Index(fields=["case", "kind"], name="caseclock_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.get_state_display()}"


class Extension(models.Model):
    """An extension request (延期申请) by the lead department before the deadline."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.CharField(_("理由"), max_length=500)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class FollowUp(models.Model):
    """One follow-up call (回访) and its answers: satisfaction, and whether the enterprise itself
    says the problem is solved; unsatisfied reopens the case (重办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    result = models.CharField(_("结果"), max_length=12, choices=Satisfaction.choices)
    # the enterprise's answer to "is the problem solved?", recorded apart from the department's
    # judgement (Case.resolved); None: not asked or not answered
    solved = models.BooleanField(_("企业认为已解决"), null=True, blank=True)
    note = models.CharField(_("回访记录"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_result_display()}"


class Escalation(models.Model):
    """A step up the four levels (四级调度, EscalationLevel): grid/commissioner,
    department/town, county leader (协调会), leading group."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("超时未办")
        LONG_OVERDUE = "long_overdue", _("严重超时")
        BEYOND_LOCAL = "beyond_local", _("属地难以解决")
        PROBLEM_CASE = "problem", _("多次退单/重办")
        STUCK = "stuck", _("县级调度后仍未解决")
        MANUAL = "manual", _("人工提级")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(_("原层级"), choices=EscalationLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("新层级"), choices=EscalationLevel.choices)
    reason = models.CharField(_("原因"), max_length=14, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("提级调度")
        verbose_name_plural = _("提级调度")
        ordering = ["at", "id"]
        constraints = [
            # the sweep's idempotency: a case reaches each level at most once
            models.UniqueConstraint(fields=["case", "to_level"], name="escalation_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_level}→{self.to_level}"


class CoordinationSession(KeepsRegionPath, models.Model):
    """A coordination meeting (协调会) put on the calendar by a county leader or the dispatch
    office for one or several cases escalated to level 3/4 (`selectors.coordination_queue`).
    While it is scheduled its cases leave the queue; when its outcome is recorded each decided
    case gets its `CoordinationMeeting` row (decision, responsible department, new deadline),
    written by `services_coordination.record_coordination`; undecided cases return to the queue."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    # a copy of region.path: the scope is one prefix match on the row
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    title = models.CharField(_("会议名称"), max_length=100)
    scheduled_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=100)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.TextField(_("参会人员"), blank=True)
    departments = models.ManyToManyField(Department, verbose_name=_("参会部门"), blank=True, related_name="+")
    cases = models.ManyToManyField(Case, verbose_name=_("协调的诉求"), related_name="coordination_sessions")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("安排时间"), default=timezone.now)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("会议纪要"), blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)

    objects = RegionPathQuerySet.as_manager()

    class Meta:
        verbose_name = _("协调会安排")
        verbose_name_plural = _("协调会安排")
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            # the queue's "already on a scheduled meeting" test and the scheduled list
            models.Index(fields=["status", "scheduled_at"], name="coordsession_status_at"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:coordination_detail", args=[self.pk])

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region_path")


class CoordinationMeeting(models.Model):
    """What a coordination meeting (协调会) decided on one case at level 3/4: the decision,
    the responsible department and, where set, the new deadline of the case (its 办结 clock).
    Written on the case page (one case) or from a scheduled `CoordinationSession` (several)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    session = models.ForeignKey(
        CoordinationSession,
        verbose_name=_("协调会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    held_at = models.DateTimeField(_("召开时间"))
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.TextField(_("参会人员"))
    decisions = models.TextField(_("议定事项"))
    owners = models.TextField(_("责任单位及责任人"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("新的办结期限"), null=True, blank=True)
    # when the decision was written: a case escalated again after it waits for a new meeting
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("协调会")
        verbose_name_plural = _("协调会")
        ordering = ["held_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class Supervision(models.Model):
    """A reminder (催办) or a formal supervision notice (督办) to a department, with the
    department's written response."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("催办")
        NOTICE = "notice", _("督办")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(_("书面回复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("催办督办")
        verbose_name_plural = _("催办督办")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        # the label straight from the choices (get_kind_display hashes every choice per call: the
        # sweep names thousands of notices in its audit entries)
        kind = self.Kind(self.kind).label if self.kind in self.Kind.values else self.kind
        return f"{kind} {self.case_id}"
