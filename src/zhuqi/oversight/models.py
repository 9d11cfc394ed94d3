"""督查考核 (oversight): supervision items (督办事项) and the annual task lists (任务清单、责任清单、
时限清单) they come in, the departments' replies and progress reports, extension requests, and
the escalating slips (蓝色提醒 → 橙色督办 → 红色督办) the sweep issues.

Oversight reads the other apps and writes none of their data: an item links to its source (a
case, a project, an indicator …) through a generic reference. The rules and figures are defined
in src/zhuqi/docs/oversight.md.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region
from zhuqi.core.roles import DEPARTMENT_ROLES, REGION_SCOPED_ROLES, Role
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for
from zhuqi.core.units import MAX_YEAR, MIN_YEAR


class Source(models.TextChoices):
    """Where an item comes from (its link names the object where there is one)."""

    MEETING = "meeting", _("会议决定")
    INSTRUCTION = "instruction", _("领导批示")
    PLAN = "plan", _("计划任务")
    INDICATOR = "indicator", _("滞后指标")
    CASE = "case", _("超时诉求")
    PROJECT = "project", _("滞后项目")
    OBLIGATION = "obligation", _("违约项目")
    OTHER = "other", _("其他")


class ListKind(models.TextChoices):
    """The three annual lists (三张清单) an item may belong to."""

    TASK = "task", _("任务清单")
    RESPONSIBILITY = "responsibility", _("责任清单")
    DEADLINE = "deadline", _("时限清单")


class Priority(models.TextChoices):
    """How an item is marked; anything but 一般 makes it orange at once (docs/oversight.md)."""

    NORMAL = "normal", _("一般")
    MAJOR = "major", _("重大")
    URGENT = "urgent", _("紧急")
    INSTRUCTION = "instruction", _("领导批示")


class Frequency(models.TextChoices):
    """How often the lead department reports progress."""

    NONE = "none", _("办结时报告")
    WEEKLY = "weekly", _("每周")
    HALF_MONTH = "half_month", _("每半月")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


#: calendar days between two progress reports, per frequency
FREQUENCY_DAYS = {
    Frequency.WEEKLY: 7,
    Frequency.HALF_MONTH: 15,
    Frequency.MONTHLY: 30,
    Frequency.QUARTERLY: 90,
}


class Status(models.TextChoices):
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("待审核")
    ACCEPTED = "accepted", _("已认定")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


#: statuses in which the item is still being worked on (not closed or cancelled)
OPEN_STATUSES = (Status.ASSIGNED, Status.REPLIED, Status.ACCEPTED)


class Slip(models.IntegerChoices):
    """The colour of an item's supervision slip; it only ever rises while the item is open."""

    NONE = 0, _("正常")
    BLUE = 1, _("蓝色提醒")
    ORANGE = 2, _("橙色督办")
    RED = 3, _("红色督办")


SLIP_CSS = {Slip.NONE: "secondary", Slip.BLUE: "primary", Slip.ORANGE: "warning", Slip.RED: "danger"}


class SlipReason(models.TextChoices):
    DUE_SOON = "due_soon", _("临近办理时限")
    REPORT_DUE = "report_due", _("应报送进展")
    MARKED = "marked", _("重大/紧急/领导批示事项")
    BEHIND = "behind", _("落后于时序进度")
    IGNORED_BLUE = "ignored_blue", _("蓝色提醒后未响应")
    OVERDUE = "overdue", _("超过办理时限")
    IGNORED_ORANGE = "ignored_orange", _("橙色督办后未响应")


class ItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Item(models.Model):
    """A supervision item (督办事项): what a lead department (with assisting ones) must get done
    by a deadline, reporting at a frequency, from a source (a meeting, a 批示, a task list, a
    lagging indicator, an overdue case or project)."""

    region = models.ForeignKey(Region, verbose_name=_("督办区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("事项名称"), max_length=200)
    requirement = models.TextField(_("具体要求"), blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.OTHER)
    source_text = models.CharField(_("来源说明"), max_length=200, blank=True)
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源对象类型"), null=True, blank=True, on_delete=models.PROTECT
    )
    source_id = models.CharField(_("来源对象"), max_length=64, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    list_kind = models.CharField(_("清单"), max_length=16, choices=ListKind.choices, blank=True)
    year = models.PositiveSmallIntegerField(
        _("年度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    assisting_departments = models.ManyToManyField(
        Department, verbose_name=_("配合单位"), blank=True, related_name="+"
    )
    priority = models.CharField(
        _("重要程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    report_frequency = models.CharField(
        _("报送频次"), max_length=16, choices=Frequency.choices, default=Frequency.NONE
    )
    assigned_on = models.DateField(_("交办日期"))
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    due_on = models.DateField(_("办结时限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    slip = models.PositiveSmallIntegerField(_("督办等级"), choices=Slip.choices, default=Slip.NONE)
    slip_reason = models.CharField(_("督办原因"), max_length=20, choices=SlipReason.choices, blank=True)
    slip_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    progress_pct = models.DecimalField(
        _("完成进度（%）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    last_response_at = models.DateTimeField(_("最近报送"), null=True, blank=True)
    next_report_on = models.DateField(_("下次报送"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-slip", "due_on", "pk"]
        indexes = [
            # the sweep: open items by status and colour, then the deadline / report dates
            models.Index(fields=["status", "slip", "due_on"], name="oversight_item_sweep"),
            # a department's items
            models.Index(fields=["lead_department", "status"], name="oversight_item_lead"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("assigned_on")), name="item_due_after_assigned"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:item_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def slip_css(self) -> str:
        return SLIP_CSS[Slip(self.slip)]

    @staticmethod
    def scope_q(user):
        """Region-scoped officials see the items of their subtree; a department's people see
        the items addressed to their department (lead or assisting); admins see all."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        if scope.role in DEPARTMENT_ROLES:
            dept = getattr(user, "department_id", None)
            if not dept:
                return NOTHING
            assisting = Item.assisting_departments.through.objects.filter(department_id=dept)
            return Q(lead_department_id=dept) | Q(pk__in=assisting.values("item_id"))
        if scope.role in REGION_SCOPED_ROLES:
            return scope.region_q("region__path")
        return NOTHING


class Report(models.Model):
    """What a department sent on an item: a progress report (进展) or its completion reply (办结
    回复); and what 督查 answered (认定、退回)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进展报送")
        REPLY = "reply", _("办结回复")
        ACCEPTED = "accepted", _("审核认定")
        RETURNED = "returned", _("审核退回")
        CLOSED = "closed", _("销号")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("内容"), blank=True)
    progress_pct = models.DecimalField(
        _("完成进度（%）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办报送")
        verbose_name_plural = _("督办报送")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item_id}"


class Extension(models.Model):
    """A lead department's request, made before the deadline, to move it (with a reason);
    decided by 督查."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("未同意")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("延期理由"))
    old_due_on = models.DateField(_("原办结时限"))
    new_due_on = models.DateField(_("申请延至"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            # one request waiting at a time
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="oversight_one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.new_due_on}"


class SlipRecord(models.Model):
    """One slip the sweep issued: the history of an item's colours."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="slips")
    slip = models.PositiveSmallIntegerField(_("督办等级"), choices=Slip.choices)
    reason = models.CharField(_("督办原因"), max_length=20, choices=SlipReason.choices)
    issued_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_slip_display()} {self.item_id}"


class Bulletin(models.Model):
    """A monthly or quarterly bulletin (通报): tables generated from live figures when drafted
    (kept as they were, so the published text never changes under it), text around them edited
    by hand, approved, then published with its issued number (〔2026〕N号, one sequence a region's
    year for both kinds) to the recipients' inboxes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审核")
        PUBLISHED = "published", _("已发布")

    class Kind(models.TextChoices):
        """How long the period is (一月一通报; a quarter's bulletin covers its three months)."""

        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")

    region = models.ForeignKey(Region, verbose_name=_("通报区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    #: a quarterly bulletin keeps its quarter's last month (3, 6, 9, 12): the archive sorts both
    #: kinds by the month their period ends
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    kind = models.CharField(_("通报周期"), max_length=10, choices=Kind.choices, default=Kind.MONTH)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=100)
    intro = models.TextField(_("总体情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    requirements = models.TextField(_("下步要求"), blank=True)
    #: 主送 and 抄送 of the document (GB/T 9704: 主送机关 above the text, 抄送机关 in the 版记),
    #: drafted from the region's level (`bulletin.default_addressing`) and edited with the text
    addressees = models.CharField(_("主送"), max_length=200, blank=True)
    cc = models.CharField(_("抄送"), max_length=200, blank=True)
    figures = models.JSONField(_("通报数据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    #: the published document, rendered once by the worker after publication (or by the first
    #: download when the worker has not run yet) and kept in MEDIA_ROOT (oversight.bulletin_files);
    #: empty for drafts, which render on every download
    docx_file = models.FileField(_("Word 文件"), max_length=300, blank=True, editable=False)
    pdf_file = models.FileField(_("PDF 文件"), max_length=300, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-year", "-month", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind", "month"], name="bulletin_once_a_period"
            ),
            models.CheckConstraint(
                condition=Q(kind="month") | Q(month__in=[3, 6, 9, 12]),
                name="bulletin_quarter_ends_a_quarter",
            ),
            models.UniqueConstraint(fields=["region", "year", "number"], name="bulletin_number_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:bulletin_detail", args=[self.pk])

    @property
    def quarter(self) -> int | None:
        return (self.month + 2) // 3 if self.kind == Bulletin.Kind.QUARTER else None

    @property
    def period_label(self) -> str:
        """2026年3月 / 2026年第一季度."""
        if self.kind == Bulletin.Kind.QUARTER:
            quarters = (_("第一季度"), _("第二季度"), _("第三季度"), _("第四季度"))
            return _("%(y)s年%(q)s") % {"y": self.year, "q": quarters[(self.month - 1) // 3]}
        return _("%(y)s年%(m)s月") % {"y": self.year, "m": self.month}

    @property
    def issued_number(self) -> str:
        """发文字号: 〔2026〕3号 (the year in hexagonal brackets, no leading zero)."""
        return _("〔%(year)s〕%(n)s号") % {"year": self.year, "n": self.number} if self.number else ""

    @staticmethod
    def scope_q(user):
        """Region-scoped officials see the bulletins of their subtree; a department's people
        see the published bulletins of their region and the regions above it."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        if scope.role in DEPARTMENT_ROLES:
            if not scope.region_path:
                return NOTHING
            parts = scope.region_path.strip("/").split("/")
            paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
            return Q(status=Bulletin.Status.PUBLISHED, region__path__in=paths)
        if scope.role in REGION_SCOPED_ROLES:
            return scope.region_q("region__path")
        return NOTHING


# --- 通报周期与督查日历 ---
class CalendarKind(models.TextChoices):
    """What recurs in the oversight cycle (三个一: 一月一通报、一季一督查、年终一考核; 周调度…季考核)."""

    WEEKLY_MEETING = "weekly_meeting", _("周调度会")
    MONTHLY_BULLETIN = "monthly_bulletin", _("月度通报")
    MONTHLY_DRILL = "monthly_drill", _("月拉练")
    QUARTERLY_INSPECTION = "quarterly_inspection", _("季度督查")
    QUARTERLY_ASSESSMENT = "quarterly_assessment", _("季度考核")
    ANNUAL_ASSESSMENT = "annual_assessment", _("年终考核")
    OTHER = "other", _("其他")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


class DayRule(models.TextChoices):
    """How `day` counts inside the month: a calendar day (moved to the next working day when it
    is not one) or the N-th working day of the month."""

    CALENDAR = "calendar", _("日历日（遇节假日顺延）")
    WORKING = "working", _("第 N 个工作日")


class CalendarEvent(models.Model):
    """A recurring event of a region's oversight calendar and who prepares it: the occurrences
    come from the recurrence and the day rule (`oversight.calendar.occurrences`), the preparer is
    reminded `lead_days` working days before each (docs/oversight.md §督查日历)."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=24, choices=CalendarKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    recurrence = models.CharField(_("周期"), max_length=10, choices=Recurrence.choices)
    #: weekly: 0 Monday … 6 Sunday (moved to the next working day when it is not one)
    weekday = models.PositiveSmallIntegerField(
        _("星期"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    #: monthly, quarterly, yearly: the day of the month (past the month's end: its last day)
    day = models.PositiveSmallIntegerField(
        _("日"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    day_rule = models.CharField(
        _("日期规则"), max_length=10, choices=DayRule.choices, default=DayRule.CALENDAR
    )
    #: quarterly: the month within the quarter (1–3); yearly: the month of the year (1–12)
    month = models.PositiveSmallIntegerField(
        _("月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("准备单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    preparer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("准备人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_days = models.PositiveSmallIntegerField(
        _("提前提醒（工作日）"), default=3, validators=[MaxValueValidator(60)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查日历事项")
        verbose_name_plural = _("督查日历事项")
        ordering = ["region", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(preparer__isnull=False),
                name="calendar_event_has_preparer",
            ),
            models.CheckConstraint(
                condition=Q(recurrence="weekly", weekday__isnull=False)
                | (~Q(recurrence="weekly") & Q(day__isnull=False)),
                name="calendar_event_day_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user):
        """Region-scoped officials see the calendar of their subtree; a department's people see
        the events their department or they themselves prepare."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        if scope.role in DEPARTMENT_ROLES:
            dept = getattr(user, "department_id", None)
            return Q(preparer=user.pk) | (Q(department_id=dept) if dept else NOTHING)
        if scope.role in REGION_SCOPED_ROLES:
            return scope.region_q("region__path")
        return NOTHING


class CalendarReminder(models.Model):
    """The reminder of one occurrence, sent once: the sweep skips an occurrence that has one."""

    event = models.ForeignKey(CalendarEvent, on_delete=models.CASCADE, related_name="reminders")
    occurs_on = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("提醒时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督查日历提醒")
        verbose_name_plural = _("督查日历提醒")
        ordering = ["-occurs_on"]
        constraints = [
            # the sweep's "already reminded?" lookup and its guarantee: one reminder an occurrence
            models.UniqueConstraint(fields=["event", "occurs_on"], name="calendar_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.occurs_on}"


# --- 观摩 --------------------------------------------------------------------------------------------
#: who sees every round of their region subtree (the others: the rounds they judge)
TOUR_REGION_ROLES = frozenset({Role.DISPATCH, Role.LEADER, Role.SUPERVISOR, Role.OBSERVER})

# A round of on-site inspection tours (观摩): the judges visit each site (a project or an
# enterprise) in order and score it on their phones against weighted criteria; the results are
# trimmed means, ranked (docs/oversight.md §观摩, oversight/tours.py).


class TourRound(models.Model):
    """A round of inspection tours (观摩) organised by a region, e.g. 开封's half-year 观摩."""

    class Status(models.TextChoices):
        SCORING = "scoring", _("评分中")
        PUBLISHED = "published", _("已公布")

    region = models.ForeignKey(Region, verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    period = models.CharField(_("期别"), max_length=30, blank=True, help_text=_("如「2026年上半年」"))
    held_on = models.DateField(_("观摩日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SCORING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组织人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_note = models.CharField(_("公布说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评比")
        verbose_name_plural = _("观摩评比")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:tour_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @staticmethod
    def scope_q(user):
        """The organising offices (dispatch, leaders, 督查, observers) see the rounds of their
        region subtree; every official sees the rounds they judge; enterprise users none."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        judged = Q(pk__in=TourJudge.objects.filter(user_id=user.pk).values("round_id"))
        if scope.role in TOUR_REGION_ROLES:
            return scope.region_q("region__path") | judged
        return judged


class TourSite(models.Model):
    """One stop of a round: a project or an enterprise (exactly one), in visiting order."""

    round = models.ForeignKey(
        TourRound, verbose_name=_("观摩"), on_delete=models.CASCADE, related_name="sites"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tour_sites",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tour_sites",
    )
    order = models.PositiveSmallIntegerField(_("观摩顺序"), default=0)

    class Meta:
        verbose_name = _("观摩点")
        verbose_name_plural = _("观摩点")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(enterprise__isnull=True))
                | (Q(project__isnull=True) & Q(enterprise__isnull=False)),
                name="tour_site_project_or_enterprise",
            ),
            models.UniqueConstraint(fields=["round", "project"], name="tour_site_project_once"),
            models.UniqueConstraint(fields=["round", "enterprise"], name="tour_site_enterprise_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.project.name if self.project_id else self.enterprise.name

    @property
    def kind_label(self) -> str:
        return str(_("项目")) if self.project_id else str(_("企业"))


class TourCriterion(models.Model):
    """One scoring criterion of a round: 0–max points; the weights of a round add up to 100."""

    round = models.ForeignKey(
        TourRound, verbose_name=_("观摩"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("评分项"), max_length=60)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=100)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("观摩评分项")
        verbose_name_plural = _("观摩评分项")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="tour_criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="tour_criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class TourJudge(models.Model):
    """A judge (评委) of a round: the one who scores every site on their phone."""

    round = models.ForeignKey(
        TourRound, verbose_name=_("观摩"), on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评委"),
        on_delete=models.PROTECT,
        related_name="tour_judgings",
    )

    class Meta:
        verbose_name = _("观摩评委")
        verbose_name_plural = _("观摩评委")
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="tour_judge_once")]
        # "my rounds": the rounds a user judges (the scope of a judge)
        indexes = [models.Index(fields=["user", "round"], name="tour_judge_user")]

    def __str__(self) -> str:
        return f"{self.round} · {self.user}"


class TourScore(models.Model):
    """One judge's score of one site on one criterion (re-scoring replaces it)."""

    round = models.ForeignKey(
        TourRound, verbose_name=_("观摩"), on_delete=models.CASCADE, related_name="scores"
    )
    site = models.ForeignKey(
        TourSite, verbose_name=_("观摩点"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        TourCriterion, verbose_name=_("评分项"), on_delete=models.CASCADE, related_name="scores"
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    scored_at = models.DateTimeField(_("评分时间"), default=timezone.now)

    class Meta:
        verbose_name = _("观摩得分")
        verbose_name_plural = _("观摩得分")
        constraints = [
            models.UniqueConstraint(fields=["round", "site", "criterion", "judge"], name="tour_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="tour_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.criterion} {self.score}"


# --- 考核与红黑榜 ---------------------------------------------------------------------------------
class Sequence(models.TextChoices):
    """Who a scheme or a red/black list ranks (考核序列)."""

    REGIONS = "regions", _("下级区划（乡镇、园区）")
    COUNTIES = "counties", _("所辖县（市、区）")
    DEPARTMENTS = "departments", _("部门")
    PROJECTS = "projects", _("重点项目")


class PeriodKind(models.TextChoices):
    MONTH = "M", _("月度")
    QUARTER = "Q", _("季度")
    HALF = "H", _("半年")
    YEAR = "Y", _("年度")


class Scheme(models.Model):
    """An assessment scheme (考核方案) of a region: a sequence of units scored per period on
    outcome items (docs/oversight.md §考核)."""

    region = models.ForeignKey(Region, verbose_name=_("考核区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("方案名称"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    period_kind = models.CharField(
        _("考核周期"),
        max_length=1,
        choices=[(PeriodKind.QUARTER, _("季度")), (PeriodKind.YEAR, _("年度"))],
        default=PeriodKind.QUARTER,
    )
    sequence = models.CharField(
        _("考核序列"),
        max_length=12,
        choices=[
            (Sequence.REGIONS, Sequence.REGIONS.label),
            (Sequence.DEPARTMENTS, Sequence.DEPARTMENTS.label),
        ],
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"], name="oversight_scheme_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:scheme_detail", args=[self.pk])

    @staticmethod
    def scope_q(user):
        """The officials of the region and of the regions above it (no department view: a
        department sees the published assessments of its region, `Assessment.scope_q`)."""
        return scope_for(user).region_q("region__path")


class ItemKind(models.TextChoices):
    BASE = "base", _("基本项")
    BONUS = "bonus", _("加分项")
    PENALTY = "penalty", _("扣分项")


class ScoringRule(models.TextChoices):
    RATIO = "ratio", _("按完成目标比例计分")
    RANK = "rank", _("按排名计分")
    THRESHOLD = "threshold", _("达标计分")
    PER_UNIT = "per_unit", _("按件（数量）计分")


class SchemeItem(models.Model):
    """One scored item of a scheme: a metric from the registry (`oversight.metrics`), a weight
    (for a bonus or penalty item: the most points it can add or take), and a rule."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("考核项"), max_length=60)
    kind = models.CharField(_("类别"), max_length=8, choices=ItemKind.choices, default=ItemKind.BASE)
    metric = models.CharField(_("考核指标"), max_length=40)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("经济指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("计分规则"), max_length=10, choices=ScoringRule.choices)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    cap_ratio = models.DecimalField(
        _("完成比例上限"), max_digits=4, decimal_places=2, default=1, help_text=_("如 1.00：超额完成不加分")
    )
    step = models.DecimalField(_("每降一名扣分"), max_digits=5, decimal_places=2, null=True, blank=True)
    per_unit = models.DecimalField(
        _("每件（单位）分值"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")
        ordering = ["scheme", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A scheme computed for one period (季度 or 年度): its results, drafted (recomputed at will)
    then published (kept as computed: history)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("试算")
        PUBLISHED = "published", _("已公布")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.CharField(_("期间"), max_length=8)  # an indicators Period code: 2026Q3, 2026
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["-period", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period"], name="oversight_assessment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period_label}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:assessment_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        from zhuqi.indicators.periods import Period

        return Period.parse(self.period).label()

    @staticmethod
    def scope_q(user):
        """Officials of the scheme's region (and above) see drafts and published results; a
        department's people see the published assessments of their region."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user:
            return NOTHING
        if scope.role in DEPARTMENT_ROLES:
            if not scope.region_path:
                return NOTHING
            return Q(status=Assessment.Status.PUBLISHED, scheme__region__path=scope.region_path)
        return scope.region_q("scheme__region__path")


class Result(models.Model):
    """One unit's score in an assessment: the total, the rank, and each item's value, target,
    points and explanation (as computed)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    unit_kind = models.CharField(_("对象类型"), max_length=12)
    unit_id = models.PositiveBigIntegerField(_("对象"))
    label = models.CharField(_("考核对象"), max_length=100)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"))
    items = models.JSONField(_("各项得分"), default=list)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["assessment", "rank", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit_kind", "unit_id"], name="oversight_result_once"
            ),
        ]
        indexes = [
            # a unit's history across a scheme's periods
            models.Index(fields=["unit_kind", "unit_id"], name="oversight_result_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.total}"


class RedBlackRule(models.Model):
    """A 红黑榜 rule: whom it ranks, by which metric (or by an assessment's total), the target
    that decides who may be listed, and how many are named (docs/oversight.md §红黑榜)."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    sequence = models.CharField(_("上榜对象"), max_length=12, choices=Sequence.choices)
    metric = models.CharField(_("排名指标"), max_length=40, blank=True)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("经济指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("按考核方案总分"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redblack_rules",
    )
    target = models.DecimalField(_("达标线"), max_digits=14, decimal_places=2, null=True, blank=True)
    size = models.PositiveSmallIntegerField(
        _("上榜数量"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    period_kind = models.CharField(
        _("公布周期"), max_length=1, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("红黑榜规则")
        verbose_name_plural = _("红黑榜规则")
        ordering = ["region__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scheme__isnull=True) & ~Q(metric="")) | (Q(scheme__isnull=False) & Q(metric="")),
                name="oversight_redblack_one_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:redblack_detail", args=[self.pk])

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")  # officials of the region; never enterprise users


class Exemption(models.Model):
    """A unit kept off a black list for a period by force majeure (不可抗力), with the reason."""

    rule = models.ForeignKey(RedBlackRule, on_delete=models.CASCADE, related_name="exemptions")
    period = models.CharField(_("期间"), max_length=8)
    unit_kind = models.CharField(_("对象类型"), max_length=12)
    unit_id = models.PositiveBigIntegerField(_("对象"))
    label = models.CharField(_("对象"), max_length=100)
    reason = models.TextField(_("豁免理由"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("黑榜豁免")
        verbose_name_plural = _("黑榜豁免")
        ordering = ["rule", "period", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period", "unit_kind", "unit_id"], name="oversight_exemption_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.period}"


class RedBlackList(models.Model):
    """A published 红黑榜 for a period, kept as history: who was named, with their values."""

    rule = models.ForeignKey(
        RedBlackRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="lists"
    )
    period = models.CharField(_("期间"), max_length=8)
    red = models.JSONField(_("红榜"), default=list)
    black = models.JSONField(_("黑榜"), default=list)
    exempted = models.JSONField(_("豁免"), default=list)
    published_at = models.DateTimeField(_("公布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-period", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "period"], name="oversight_redblack_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.period_label}"

    @property
    def period_label(self) -> str:
        from zhuqi.indicators.periods import Period

        return Period.parse(self.period).label()
