"""Key projects (重点项目): the ledger, stages, pre-construction approvals (七个环节), the schedule
(tasks, finish-to-start dependencies, baselines), investment plan vs actual by month, campaigns
(三个一批) and red/black lists (红黑榜); inspection tours (观摩) are oversight's.

Percentages (completion, time elapsed, lead/lag, campaign rates) are computed in `figures.py`,
never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, KeepsRegionPath, Region, RegionPathQuerySet
from zhuqi.core.roles import REGION_SCOPED_ROLES, Role
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for

MONEY = {"max_digits": 16, "decimal_places": 2}


class Stage(models.TextChoices):
    """A project's life cycle, in order. Codes never change meaning (they live in the audit log)."""

    PLANNED = "planned", _("谋划储备")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("履约落地")
    STARTED = "started", _("开工")
    IN_STATS = "in_stats", _("入库纳统")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("投产")
    AT_CAPACITY = "at_capacity", _("达产达效")


STAGE_ORDER: list[str] = list(Stage.values)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def stages_from(stage: str) -> list[str]:
    """This stage and every later one (for "reached at least" filters)."""
    return STAGE_ORDER[stage_index(stage) :]


class ProjectQuerySet(RegionPathQuerySet):
    def reached(self, stage: str):
        return self.filter(stage__in=stages_from(stage))


class LiveProjectManager(models.Manager.from_queryset(ProjectQuerySet)):  # type: ignore[misc]
    """The default manager: archived projects (`archived_at` set) are hidden from every list,
    board, figure, export and API listing that starts from `Project.objects` (and from the
    many-to-many and reverse managers, which derive from it). Foreign keys still reach them;
    `Project.all_objects` sees them (the 已归档 page, restore, the code check)."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class Project(KeepsRegionPath, models.Model):
    """A key project in the ledger (重点项目台账), with its responsible leader, department and
    team (五个一: one project, one leader, one team, one plan)."""

    class Kind(models.TextChoices):
        INDUSTRIAL = "industrial", _("工业（制造业）")
        INFRASTRUCTURE = "infrastructure", _("基础设施")
        SOCIAL = "social", _("社会民生")
        SERVICE = "service", _("现代服务业")
        AGRICULTURE = "agriculture", _("现代农业")
        ENERGY = "energy", _("能源")
        URBAN = "urban", _("城市建设")

    class Level(models.TextChoices):
        PROVINCE = "province", _("省重点")
        PROVINCE_DXZ = "province_dxz", _("省“大新专”")
        CITY = "city", _("市重点")
        COUNTY = "county", _("县重点")

    TAG_CHOICES = ["亿元以上", "10亿元以上", "技改", "外资", "新开工", "续建", "专精特新", "招商引资"]

    # How its audit entries read (core_tags.change_rows): amounts in yuan, shown in 万元, and the
    # labels of the change keys its events write that are no field of a project or its rows.
    MONEY_FIELDS = frozenset({"total_investment", "year_planned_investment", "total"})
    AUDIT_LABELS = {
        "period": _("月份"),
        "total": _("年度计划投资"),
        "method": _("分解方式"),
        "step": _("审批事项"),
        "late": _("逾期"),
        "working_days_late": _("逾期工作日"),
        "predecessor": _("前置任务"),
        "successor": _("后续任务"),
        "target": _("目标日期"),
        "at_risk": _("赶不上目标的任务"),
        "tasks": _("任务数"),
    }

    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类型"), max_length=20, choices=Kind.choices, default=Kind.INDUSTRIAL)
    industry = models.CharField(_("所属行业"), max_length=60, blank=True)
    owner = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("业主单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划/园区"), on_delete=models.PROTECT, related_name="projects"
    )
    # a copy of region.path, so scope is one indexed prefix match (no join)
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    total_investment = models.DecimalField(_("总投资（元）"), default=0, **MONEY)
    year_planned_investment = models.DecimalField(_("年度计划投资（元）"), default=0, **MONEY)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    level = models.CharField(_("项目级别"), max_length=20, choices=Level.choices, default=Level.COUNTY)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包抓县领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作专班"), blank=True, related_name="project_teams"
    )
    description = models.TextField(_("建设内容"), blank=True)
    target_date = models.DateField(_("倒排目标日期"), null=True, blank=True)
    stage = models.CharField(_("当前阶段"), max_length=16, choices=Stage.choices, default=Stage.PLANNED)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    in_stats_on = models.DateField(_("入库日期"), null=True, blank=True)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    producing_on = models.DateField(_("投产日期"), null=True, blank=True)
    at_capacity_on = models.DateField(_("达产日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # soft delete of a mistaken project (services.archive_project / restore_project)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归档人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True, editable=False)

    objects = LiveProjectManager()
    all_objects = ProjectQuerySet.as_manager()

    STAGE_DATE_FIELDS = {
        Stage.SIGNED: "signed_on",
        Stage.LANDED: "landed_on",
        Stage.STARTED: "started_on",
        Stage.IN_STATS: "in_stats_on",
        Stage.COMPLETED: "completed_on",
        Stage.PRODUCING: "producing_on",
        Stage.AT_CAPACITY: "at_capacity_on",
    }

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["code"]
        indexes = [
            # the ledger and every figure: WHERE region.path LIKE … AND stage IN (…)
            models.Index(fields=["region", "stage"], name="project_region_stage"),
            # a department's projects (scope and 红黑榜 by department)
            models.Index(fields=["department", "stage"], name="project_department_stage"),
            # every official's scope: WHERE region_path LIKE '41/4101/410102/%'
            models.Index(
                fields=["region_path"], name="project_region_path", opclasses=["varchar_pattern_ops"]
            ),
            # the schedule board's bars: ORDER BY planned_start, code LIMIT 300
            models.Index(fields=["planned_start", "code"], name="project_planned_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None and getattr(self, "_region_path_for", None) != self.region_id:
            from . import rollups

            rollups.project_moving(self)  # the path it leaves is stale too (rollups.py)
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated:
            return NOTHING
        if scope.is_enterprise_user:
            return scope.enterprise_q("owner__")
        q = NOTHING
        if scope.role in REGION_SCOPED_ROLES:
            q |= scope.region_q("region_path")
        if getattr(user, "department_id", None):
            q |= scope.department_q("department")
        q |= Q(leader=user)
        if scope.role == Role.COMMISSIONER:
            q |= Q(owner__isnull=False) & scope.enterprise_q("owner__")
        return q

    def stage_date(self, stage: str):
        field = self.STAGE_DATE_FIELDS.get(stage)
        return getattr(self, field) if field else None


class StageChange(models.Model):
    """One move of a project between stages, with the date, who confirmed it and the evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    date = models.DateField(_("发生日期"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence = models.TextField(_("佐证材料"), blank=True)
    is_rollback = models.BooleanField(_("回退"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["created_at", "id"]
        indexes = [
            # weekly dispatch "what moved": WHERE created_at >= ? (joined to visible projects)
            models.Index(fields=["created_at"], name="stagechange_created"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_from_stage_display()}→{self.get_to_stage_display()}"


class ApprovalStepType(models.Model):
    """A configurable pre-construction approval step (七个环节) with its legal limit."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    legal_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    department_hint = models.CharField(_("默认责任部门简称"), max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    """One approval step of one project: legal limit, due date from the work calendar, status."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        IN_PROGRESS = "in_progress", _("办理中")
        DONE = "done", _("已办结")
        NOT_NEEDED = "not_needed", _("无需办理")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="approvals"
    )
    step_type = models.ForeignKey(ApprovalStepType, verbose_name=_("环节"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    started_on = models.DateField(_("受理日期"), null=True, blank=True)
    due_date = models.DateField(_("应办结日期"), null=True, blank=True)
    done_on = models.DateField(_("实际办结日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")
        ordering = ["project", "step_type__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "step_type"], name="approval_one_step_per_project"),
        ]
        indexes = [
            # the overdue sweep: WHERE status='in_progress' AND due_date < today AND escalated_at IS NULL
            models.Index(fields=["status", "due_date"], name="approval_overdue_sweep"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.step_type}"

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.IN_PROGRESS and self.due_date is not None and self.due_date < today


class Task(models.Model):
    """A milestone or task of a project's schedule (横道图). Dates are working days; a task
    lasts `duration` working days (finish = start + duration − 1); a milestone has duration 0."""

    class Kind(models.TextChoices):
        TASK = "task", _("任务")
        MILESTONE = "milestone", _("里程碑")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="tasks"
    )
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    start = models.DateField(_("开始"))
    duration = models.PositiveIntegerField(_("工期（工作日）"), default=1)
    finish = models.DateField(_("完成"))
    progress = models.PositiveSmallIntegerField(_("进度%"), default=0)
    done_on = models.DateField(_("实际完成"), null=True, blank=True)
    late_start = models.DateField(_("最迟开始（倒排）"), null=True, blank=True)
    late_finish = models.DateField(_("最迟完成（倒排）"), null=True, blank=True)
    owner_name = models.CharField(_("责任人"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["project", "order", "start", "id"]
        indexes = [models.Index(fields=["project", "finish"], name="task_project_finish")]

    def __str__(self) -> str:
        return self.name


class Dependency(models.Model):
    """Finish-to-start: `successor` starts `lag` working days after `predecessor` finishes."""

    predecessor = models.ForeignKey(
        Task, verbose_name=_("前置任务"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Task, verbose_name=_("后续任务"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    lag = models.IntegerField(_("间隔（工作日）"), default=0)

    class Meta:
        verbose_name = _("前置关系")
        verbose_name_plural = _("前置关系")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_unique_pair"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Baseline(models.Model):
    """A snapshot of the schedule taken when the plan is approved (计划基线)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="baselines"
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tasks = models.JSONField(_("任务快照"), default=dict)

    class Meta:
        verbose_name = _("计划基线")
        verbose_name_plural = _("计划基线")
        ordering = ["-approved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} {self.approved_at:%Y-%m-%d}"


class InvestmentMonth(models.Model):
    """Planned and actual completed investment of one project in one month (yuan)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="investment_months"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    planned = models.DecimalField(_("计划投资（元）"), default=0, **MONEY)
    actual = models.DecimalField(_("完成投资（元）"), null=True, blank=True, **MONEY)
    reported_at = models.DateTimeField(_("填报时间"), null=True, blank=True)

    MONEY_FIELDS = frozenset({"planned", "actual"})  # yuan, shown in 万元 in audit entries

    class Meta:
        verbose_name = _("月度投资")
        verbose_name_plural = _("月度投资")
        ordering = ["project", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="investment_one_row_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="investment_month_range"),
        ]
        indexes = [
            # region/department roll-ups: WHERE year=? AND month<=? GROUP BY project
            models.Index(fields=["year", "month"], name="investment_year_month"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}-{self.month:02d}"


class ProjectProgressQuerySet(models.QuerySet):
    def rebuild(self, project_ids=None, years=None) -> None:
        """Recompute the year-to-date rows of the given projects and years (all when None)
        from their monthly investment, in two set-based statements."""
        from django.db import connection

        from . import rollups

        project_ids = None if project_ids is None else [int(v) for v in project_ids]
        years = None if years is None else [int(v) for v in years]
        rollups.progress_rebuilt(project_ids, years)  # their pairs of 重点项目汇总 are stale
        where, params = [], []
        for column, values in (("project_id", project_ids), ("year", years)):
            if values is None:
                continue
            if not values:
                return
            where.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
        clause = " AND ".join(where) or "1=1"
        source_clause = " AND ".join(f"im.{w}" for w in where) or "1=1"
        progress = self.model._meta.db_table
        months = InvestmentMonth._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {progress} WHERE {clause}", params)
            cur.execute(
                f"WITH cal(n) AS (VALUES {', '.join(f'({m})' for m in range(1, 13))}) "
                f"INSERT INTO {progress} "
                "(project_id, year, month, planned_year, planned_ytd, actual_ytd, actual_month, reported) "
                "SELECT im.project_id, im.year, cal.n, SUM(im.planned), "
                "SUM(CASE WHEN im.month <= cal.n THEN im.planned ELSE 0 END), "
                "SUM(CASE WHEN im.month <= cal.n THEN COALESCE(im.actual, 0) ELSE 0 END), "
                "SUM(CASE WHEN im.month = cal.n THEN COALESCE(im.actual, 0) ELSE 0 END), "
                "MAX(CASE WHEN im.month = cal.n AND im.actual IS NOT NULL THEN 1 ELSE 0 END) = 1 "
                f"FROM {months} im CROSS JOIN cal WHERE {source_clause} "
                "GROUP BY im.project_id, im.year, cal.n",
                params,
            )


class ProjectProgress(models.Model):
    """A project's investment to the end of one month of a year (累计), precomputed from its
    InvestmentMonth rows: twelve rows per project and year, rewritten whenever one of its
    months changes. Boards, 红黑榜 and totals read one row per project at the report month
    instead of summing months (DHIS2's year-to-date beside the facts)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_rows")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    planned_year = models.DecimalField(_("年度计划投资（元）"), default=0, **MONEY)
    planned_ytd = models.DecimalField(_("累计计划投资（元）"), default=0, **MONEY)
    actual_ytd = models.DecimalField(_("累计完成投资（元）"), default=0, **MONEY)
    actual_month = models.DecimalField(_("当月完成投资（元）"), default=0, **MONEY)
    reported = models.BooleanField(_("当月已填报"), default=False)

    MONEY_FIELDS = frozenset({"planned_year", "planned_ytd", "actual_ytd", "actual_month"})

    # derived from InvestmentMonth, whose changes are audited
    audit_exempt = True

    objects = ProjectProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("投资累计进度")
        verbose_name_plural = _("投资累计进度")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="progress_one_row_per_month"),
        ]
        indexes = [
            # the board and totals at the report month: WHERE year=? AND month=?
            models.Index(
                fields=["year", "month", "project"],
                name="progress_year_month",
                include=["planned_year", "planned_ytd", "actual_ytd", "actual_month"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d}"


class Campaign(models.Model):
    """A round (期次) of 三个一批: lists of projects to sign, to start, to put into production."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    round_no = models.PositiveSmallIntegerField(_("期次"), default=1)
    held_on = models.DateField(_("活动日期"), null=True, blank=True)
    thresholds = models.JSONField(
        _("入库门槛（元，按项目类型）"), default=dict, blank=True, help_text=_('如 {"industrial": 300000000}')
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("三个一批")
        verbose_name_plural = _("三个一批")
        ordering = ["-year", "-round_no"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")  # officials of the region; never enterprise users


class CampaignEntry(models.Model):
    """A project on one of a campaign's three lists."""

    class Batch(models.TextChoices):
        SIGN = "sign", _("签约一批")
        START = "start", _("开工一批")
        PRODUCE = "produce", _("投产一批")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="entries"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="campaign_entries"
    )
    batch = models.CharField(_("批次"), max_length=10, choices=Batch.choices)

    class Meta:
        verbose_name = _("三个一批项目")
        verbose_name_plural = _("三个一批项目")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "project", "batch"], name="campaign_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.get_batch_display()} {self.project}"


class ProjectCase(models.Model):
    """A case (诉求) about a project: its problems are handled in the cases loop, so the cases
    figures count them; this link shows them on the project page."""

    class Source(models.TextChoices):
        RAISED = "raised", _("登记项目问题")
        APPROVAL_OVERDUE = "approval_overdue", _("审批逾期")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="case_links"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="project_link"
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.RAISED)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目诉求")
        verbose_name_plural = _("项目诉求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.case}"


# --- 重点项目汇总 (projects/rollups.py, projects-figures.md §Rollup) ----------------------------
_SUM = {"max_digits": 20, "decimal_places": 2}


class ProjectSum(models.Model):
    """重点项目汇总, progress part: per (year, report month, region path) the live projects'
    year-to-date rows (`ProjectProgress`) summed — how many, the plans and actuals, and how many
    show a red light at that month. Kept by the projects' periodic job (`rollups.refresh`); read
    by the cockpit and the home card only while fresh."""

    audit_exempt = True  # derived sums kept by the periodic job, not anyone's act

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    planned_year = models.DecimalField(default=0, **_SUM)
    planned_ytd = models.DecimalField(default=0, **_SUM)
    actual_ytd = models.DecimalField(default=0, **_SUM)
    actual_month = models.DecimalField(default=0, **_SUM)
    red = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "month", "region_path"], name="projectsum_once"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.region_path}"


class ProjectStageCount(models.Model):
    """重点项目汇总, stage part: per (region path, current stage) the live projects, and how many
    of them have a start date (`started_on`)."""

    audit_exempt = True

    region_path = models.CharField(max_length=255, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    n = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_path", "stage"], name="projectstagecount_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region_path} {self.stage}"


class ProjectSumStale(models.Model):
    """A (year, region path) whose projects' progress rows changed since `ProjectSum` was built;
    year 0: the projects of the path themselves changed (stage, start, archive, a move, a
    deletion) — every year of the path and its stage counts. The figures read the rows
    themselves for any region above it until the next refresh."""

    audit_exempt = True

    year = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "region_path"], name="projectsum_stale_once"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_path}"


class ProjectSumBuild(models.Model):
    """The last full build of `ProjectSum` and `ProjectStageCount` (one row): before it nothing
    is fresh; `lights` are the light thresholds (ZHUQI_LIGHTS) its red counts were made with —
    under other thresholds it is not read (and the next refresh builds everything)."""

    audit_exempt = True

    built_at = models.DateTimeField(default=timezone.now)
    lights = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return str(self.built_at)
