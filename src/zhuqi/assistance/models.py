"""Assistance (包抓/包保): who looks after which enterprise (assignments, the 五位一体 team),
one-enterprise-one-plan (一企一策), visits and the rules on how often they are due, meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for
from zhuqi.enterprises.models import Enterprise, live_enterprise_q


class AssignmentRole(models.TextChoices):
    """The five roles of the 五位一体 team around one enterprise."""

    COUNTY_LEADER = "county_leader", _("县级帮扶责任人")
    DEPT_CONTACT = "dept_contact", _("部门联系责任人")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_MEMBER = "grid_member", _("网格员")
    COMMISSIONER = "commissioner", _("首席服务专员")


class Period(models.TextChoices):
    """How often a visit rule repeats."""

    WEEK = "week", _("每周")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Assignment(models.Model):
    """One official's duty to one enterprise, in one role, for one year.

    A hand-over ends the assignment (`ended_on`, `end_reason`) and starts the successor's with
    `predecessor` pointing back, so the history of who looked after the enterprise is kept."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="assignments"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    role = models.CharField(_("帮扶角色"), max_length=20, choices=AssignmentRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("包抓部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("前任"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successor",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("包抓责任")
        verbose_name_plural = _("包抓责任")
        ordering = ["enterprise__name", "year", "role", "started_on"]
        constraints = [
            # one current holder per enterprise, year and role
            models.UniqueConstraint(
                fields=["enterprise", "year", "role"],
                condition=Q(ended_on__isnull=True),
                name="assignment_one_current_per_role",
            ),
        ]
        indexes = [
            # "my enterprises" and the scope hook: WHERE user_id=? AND ended_on IS NULL
            models.Index(fields=["user", "ended_on", "year"], name="assignment_user_current"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.enterprise} · {self.get_role_display()} · {self.user}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()


class LoadLimit(models.Model):
    """How many enterprises one official should carry in a role (e.g. a commissioner 2–3);
    outside the range is shown as a warning, never refused."""

    role = models.CharField(_("帮扶角色"), max_length=20, choices=AssignmentRole.choices, unique=True)
    min_count = models.PositiveSmallIntegerField(_("最少（户）"), default=0)
    max_count = models.PositiveSmallIntegerField(_("最多（户）"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("包抓数量上限")
        verbose_name_plural = _("包抓数量上限")
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_count__lte=models.F("max_count")), name="load_limit_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.min_count}–{self.max_count}"

    @staticmethod
    def scope_q(user):
        return Q() if scope_for(user).authenticated and not scope_for(user).is_enterprise_user else NOTHING


class VisitRule(models.Model):
    """The minimum visit frequency for one assignment role (county leader once a quarter, the
    department's head once a month, the responsible person once a week)."""

    role = models.CharField(_("帮扶角色"), max_length=20, choices=AssignmentRole.choices, unique=True)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    min_visits = models.PositiveSmallIntegerField(_("每周期至少走访（次）"), default=1)
    remind_days = models.PositiveSmallIntegerField(_("周期结束前几天提醒"), default=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访频次要求")
        verbose_name_plural = _("走访频次要求")
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(condition=Q(min_visits__gte=1), name="visit_rule_min_visits_positive")
        ]

    def __str__(self) -> str:
        return gettext("%(role)s%(period)s不少于 %(min_visits)s 次") % {
            "role": self.get_role_display(),
            "period": self.get_period_display(),
            "min_visits": self.min_visits,
        }

    @staticmethod
    def scope_q(user):
        return Q() if scope_for(user).authenticated and not scope_for(user).is_enterprise_user else NOTHING


class LiveVisitManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """The default manager: withdrawn visits (`withdrawn_at` set) leave every list, count and
    figure (visit counts, 走访考核) that starts from `Visit.objects`; `Visit.all_objects` still
    sees them. The withdrawal and its reason stay in the audit log."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Visit(models.Model):
    """An official's visit to (or call with) an enterprise, with what was found."""

    class Kind(models.TextChoices):
        ONSITE = "onsite", _("实地走访")
        PHONE = "phone", _("电话联系")
        ONLINE = "online", _("线上对接")
        MEETING = "meeting", _("座谈会议")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"), default=timezone.localdate)
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.ONSITE)
    companions = models.CharField(_("同行人员"), max_length=200, blank=True)
    findings = models.TextField(_("走访情况"), max_length=5000)
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now)
    # a withdrawn visit (services.withdraw_visit) no longer counts anywhere
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True, editable=False)

    objects = LiveVisitManager()
    all_objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [
            # compliance: visits of (visitor, enterprise) in a date range
            models.Index(fields=["visitor", "enterprise", "visited_on"], name="visit_compliance"),
            models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_date"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor} → {self.enterprise}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()


class RaisedProblem(models.Model):
    """A problem an enterprise raised (on a visit, at a meeting) and the case it became."""

    category = models.CharField(_("问题类别"), max_length=40)
    description = models.TextField(_("问题描述"), max_length=2000)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.category}：{self.description[:30]}"


class VisitProblem(RaisedProblem):
    """A problem the enterprise raised during a visit; recording it puts a case (诉求) into the
    pool, linked here."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="problems"
    )

    class Meta:
        verbose_name = _("走访发现问题")
        verbose_name_plural = _("走访发现问题")
        ordering = ["visit", "id"]

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("visit__enterprise__")


class ReminderSent(models.Model):
    """Marks that an assignment's holder was reminded for one rule period (no double reminders)."""

    audit_exempt = True

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("走访提醒")
        verbose_name_plural = _("走访提醒")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period_start"], name="reminder_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.period_start}"


class AssistancePlan(models.Model):
    """One enterprise, one plan (一企一策) for a year: goals and the measures to reach them."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    goals = models.TextField(_("帮扶目标"), max_length=5000)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")
        ordering = ["-year", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="plan_one_per_year")]

    def __str__(self) -> str:
        return gettext("%(year)s %(enterprise)s 一企一策") % {
            "year": self.year,
            "enterprise": self.enterprise,
        }

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__")


class PlanMeasure(models.Model):
    """One measure of a plan: what, who owns it, by when, how far."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_measures",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["deadline", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="measure_progress_le_100")]
        indexes = [
            # overdue measures: WHERE status <> 'done' AND deadline < today
            models.Index(fields=["status", "deadline"], name="measure_overdue"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # the status never contradicts the progress: started work is not "未开始"
        if self.progress >= 100:
            self.status = self.Status.DONE
            self.completed_on = self.completed_on or timezone.localdate()
        elif self.progress > 0 and self.status == self.Status.PLANNED:
            self.status = self.Status.IN_PROGRESS
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.deadline < timezone.localdate()

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("plan__enterprise__")


class PlanUpdate(models.Model):
    """A progress report on a measure."""

    measure = models.ForeignKey(
        PlanMeasure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="updates"
    )
    note = models.TextField(_("进展情况"), max_length=2000)
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施进展")
        verbose_name_plural = _("措施进展")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.measure} {self.progress}%"

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("measure__plan__enterprise__")


class Meeting(models.Model):
    """A meeting with enterprises: 企业家早餐会, 座谈会, 银企对接会, 政策宣讲."""

    class Kind(models.TextChoices):
        BREAKFAST = "breakfast", _("企业家早餐会")
        FORUM = "forum", _("座谈会")
        BANK = "bank", _("银企对接会")
        POLICY = "policy", _("政策宣讲")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("日期"))
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("地点"), max_length=200, blank=True)
    summary = models.TextField(_("会议纪要"), blank=True)
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("参会企业"), blank=True, related_name="meetings"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政企会议")
        verbose_name_plural = _("政企会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    @staticmethod
    def scope_q(user):
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        return scope.region_q("region__path") | Q(host=user)


class MeetingProblem(RaisedProblem):
    """A problem collected at a meeting, optionally from one attending enterprise."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="problems"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("会议收集问题")
        verbose_name_plural = _("会议收集问题")
        ordering = ["meeting", "id"]

    @staticmethod
    def scope_q(user):
        return Q(meeting__in=Meeting.objects.filter(Meeting.scope_q(user)).values("pk"))
