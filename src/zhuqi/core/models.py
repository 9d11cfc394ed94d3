"""Core models: the Region tree, departments, users and roles, the audit log, notifications,
attachments, comments and work-calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .scope import NOTHING, ScopedQuerySet, scope_for


class Region(models.Model):
    """A node of the one administrative tree: province → city → county → town/park → grid.

    `path` is materialised with a trailing slash (`34/3403/340323/`), so a subtree is
    `path LIKE '34/3403/%'` on an indexed column."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")
        TOWN = "town", _("乡镇（街道）")
        PARK = "park", _("园区")
        GRID = "grid", _("网格")

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # the outline drawn on the cockpit's map: a GeoJSON geometry (Polygon/MultiPolygon) in
    # longitude/latitude (WGS84 as ECharts takes it), simplified to a few kB; loaded by
    # `zhuqi load_boundaries` (counties, cities) or uploaded (towns, parks); null: no outline,
    # the cockpit shows a ranked bar chart instead
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [
            # subtree filters: WHERE path LIKE '34/3403/%'
            models.Index(fields=["path"], name="region_path_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        self.depth = self.path.count("/") - 1
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names = list(
            Region.objects.filter(path__in=self.ancestor_paths())
            .order_by("depth")
            .values_list("name", flat=True)
        )
        return "".join(names)

    def ancestor_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("path")

    @classmethod
    def filter_choices(cls, user):
        """A region filter's choices: the two levels below the viewer (a county official picks
        towns, parks and grids; a province official cities and counties), never thousands."""
        path = scope_for(user).region_path
        depth = path.count("/") - 1 if path else -1
        return cls.objects.visible_to(user).filter(depth__gt=depth, depth__lte=depth + 2)


def fill_region_paths(objs) -> None:
    """Set `region_path` on unsaved or bulk-updated rows from their `region_id` (one query)."""
    missing = {o.region_id for o in objs if o.region_id}
    paths = dict(Region.objects.filter(pk__in=missing).values_list("pk", "path")) if missing else {}
    for o in objs:
        o.region_path = paths.get(o.region_id, "")


class RegionPathQuerySet(ScopedQuerySet):
    """For models that copy their region's `path` into `region_path` (so scope is one indexed
    prefix match on the row itself, with no join): bulk writes keep the copy in step too."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_region_paths([o for o in objs if o.region_id and not o.region_path])
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if {"region", "region_id"} & set(fields):
            fill_region_paths(objs)
            fields = [*fields, "region_path"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class KeepsRegionPath:
    """Mixin for models with `region` and its copied `region_path`: save() keeps the copy in
    step, looking the path up only when the region is new or changed (and not cached)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)  # type: ignore[misc]
        if "region_path" in obj.__dict__:
            obj._region_path_for = obj.__dict__.get("region_id")
        return obj

    def _sync_region_path(self, kwargs: dict) -> None:
        update_fields = kwargs.get("update_fields")
        touches_region = update_fields is None or bool({"region", "region_id"} & set(update_fields))
        if not touches_region:
            return
        if not self.region_id:
            self.region_path = ""
        else:
            cached = self._state.fields_cache.get("region")
            if cached is not None and cached.pk == self.region_id:
                self.region_path = cached.path
            elif getattr(self, "_region_path_for", None) != self.region_id or not self.region_path:
                self.region_path = (
                    Region.objects.filter(pk=self.region_id).values_list("path", flat=True).first() or ""
                )
        self._region_path_for = self.region_id
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"region_path"}


class Department(models.Model):
    """A unit that handles work (经信局, 自然资源局, 供电公司, a bank…), belonging to a Region."""

    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("领导小组")
        DISPATCH_OFFICE = "dispatch_office", _("专班办公室")
        GOVERNMENT = "government", _("政府部门")
        TOWN = "town", _("乡镇（街道）")
        PARK = "park", _("园区管委会")
        EXTERNAL = "external", _("外部单位")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        return self.kind == self.Kind.EXTERNAL

    @staticmethod
    def scope_q(user):
        return scope_for(user).region_q("region__path")


class ZhuqiUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in: an official in a Region (and maybe a Department), or enterprise staff."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.OBSERVER)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    # set by an administrator's password reset (a temporary password): every page sends the user
    # to change it first (core.middleware.ForcePasswordChangeMiddleware)
    must_change_password = models.BooleanField(_("须修改密码"), default=False, editable=False)

    objects = ZhuqiUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @staticmethod
    def scope_q(user):
        return scope_for(user).user_q()


class AuditEntry(models.Model):
    """One append-only, hash-chained entry of the audit log.

    `hash = sha256(prev_hash + canonical JSON of this entry)`; `zhuqi audit verify` recomputes
    the chain and names the first entry whose stored hash no longer matches."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("状态变更")
        EVENT = "event", _("业务事件")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        PERMISSION = "permission", _("权限变更")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    event = models.CharField(_("事件"), max_length=60, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False, unique=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [
            # an object's timeline: WHERE object_type=? AND object_id=? ORDER BY id
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_timeline"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_allow_update", False):
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditArchive(models.Model):
    """Audit entries moved out of the table (`zhuqi audit archive`): the oldest entries up to
    `up_to_id`, written with their hashes to a file whose SHA-256 is kept here. Verification
    starts the chain from `last_hash` after the latest archive; `archived_total` counts every
    entry archived so far (the checkpoints' counts include them)."""

    up_to_id = models.BigIntegerField(_("归档至条目"), unique=True)
    last_hash = models.CharField(_("末条哈希"), max_length=64)
    count = models.PositiveIntegerField(_("本次归档条数"))
    archived_total = models.PositiveBigIntegerField(_("累计归档条数"))
    before = models.DateTimeField(_("归档此时间之前的条目"))
    file_name = models.CharField(_("归档文件"), max_length=500)
    file_sha256 = models.CharField(_("文件校验值"), max_length=64)
    archived_at = models.DateTimeField(_("归档时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计日志归档")
        verbose_name_plural = _("审计日志归档")
        ordering = ["-up_to_id"]

    def __str__(self) -> str:
        return f"≤ #{self.up_to_id} ({self.count})"


class Notification(models.Model):
    """An in-app message in a user's inbox; outbound channels (e-mail, SMS, IM) copy it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    level = models.CharField(_("级别"), max_length=10, default="info")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # when a worker took it to send through the outbound channels (e-mail, SMS, IM): taken once,
    # so a delivery task run twice (a worker killed in the middle) sends nothing twice
    sent_at = models.DateTimeField(_("外发时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the unread badge: WHERE recipient_id=? AND read_at IS NULL
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user):
        """A user sees their own inbox only, whatever their role."""
        return Q(recipient_id=user.pk) if user and user.is_authenticated else NOTHING


class GenericTarget(models.Model):
    """Abstract base for things that hang off any object (attachments, comments). Internal
    (officials only) unless addressed to the enterprise; an enterprise user's own are public.
    The enterprise's case page shows the public ones only (cases.selectors.public_timeline)."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("内部（仅工作人员可见）")
        PUBLIC = "public", _("企业可见")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    visibility = models.CharField(
        _("可见范围"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )

    class Meta:
        abstract = True


def attachment_path(instance: Attachment, filename: str) -> str:
    """A name nobody can guess (the file's own name is kept in `name`): attachments are served
    only by the download view, which checks the viewer's scope, never as public files."""
    import secrets
    from pathlib import PurePath

    now = timezone.now()
    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix[1:].isalnum() and suffix.isascii() and len(suffix) <= 6 else ""
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Attachment(GenericTarget):
    """A file attached to any object (a visit photo, a reply document), within size/type limits."""

    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    mime = models.CharField(_("类型"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_target")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


class Comment(GenericTarget):
    """A remark on any object, shown in its timeline; internal unless addressed to the
    enterprise (GenericTarget.visibility)."""

    body = models.TextField(_("内容"), max_length=5000)

    class Meta:
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="comment_target")]

    def __str__(self) -> str:
        return self.body[:40]


class WorkdayOverride(models.Model):
    """An admin's correction to the work calendar: a date that is a holiday or a working day,
    whatever the `holidays` package says (for years it does not know yet, or local rest days)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {gettext('上班') if self.is_workday else gettext('放假')}"


class HolidayArrangement(models.Model):
    """The State Council's holiday arrangement (节假日安排) for `year` has been entered: its days
    are `WorkdayOverride` rows, this row says the year's national arrangement is known (the
    November warning stops). A local override alone does not make a year known."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice = models.CharField(_("通知文号或标题"), max_length=200, blank=True)
    holidays = models.TextField(_("放假日期"), blank=True)
    workdays = models.TextField(_("调休上班日期"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("国家节假日安排")
        verbose_name_plural = _("国家节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return gettext("%(year)s年节假日安排") % {"year": self.year}


class BackgroundJob:
    """What an import and an export job (`ImportJob`, `ExportJob`) share: a `kind`, a `status` of
    their own `Status` with DONE and FAILED, and so a name and whether they are over."""

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_status_display()}"  # type: ignore[attr-defined]

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}  # type: ignore[attr-defined]


class ImportJob(BackgroundJob, models.Model):
    """A confirmed Excel import too large to apply within the request: the background task
    (`zhuqi.core.tasks.run_import`) applies the kept file, all or nothing, and stores its
    progress here for the page to poll. Only the user who confirmed it may see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未导入")

    kind = models.CharField(_("导入类型"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("导入人"),
    )
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    token = models.CharField(_("文件令牌"), max_length=64)
    sha256 = models.CharField(_("文件校验值"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("阶段"), max_length=10, blank=True)  # "check" or "save"
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)  # [[row, column, message], ...]
    message = models.CharField(_("说明"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("提交地址"), null=True, blank=True)  # for the audit entries
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        """Rows checked, then rows saved, as one 0–100 figure (checking is the first half)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        half = min(self.rows_done, self.rows_total) * 50 // self.rows_total
        return half + (50 if self.phase == "save" else 0)


class ExportJob(BackgroundJob, models.Model):
    """An Excel export too large to write within the request (core.exports): the background task
    (`zhuqi.core.tasks.run_export`) runs the export's query again as the user who asked for it,
    writes the file under `settings.ZHUQI_EXPORT_DIR` and stores its progress here for the page
    to poll. Only that user may see the job or download its file; both are deleted after
    `core.exports.KEPT_DAYS` days (the export's audit entry stays)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未完成")

    kind = models.CharField(_("导出类型"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("导出人"),
    )
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)  # the page's query string
    what = models.CharField(_("导出内容"), max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    token = models.CharField(_("文件令牌"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("提交地址"), null=True, blank=True)  # for the audit entry
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    audit_exempt = True  # a job's progress is not a domain change; the export writes its own entry

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="core_export_user_idx")]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(self.rows_done, self.rows_total) * 100 // self.rows_total


class Heartbeat(models.Model):
    """When a background duty last ran, for /healthz and /metrics (core.heartbeat): the worker
    (a task beat sends every minute), beat itself (as it sends that task), the cases sweep and
    the latest backup. One row per name, overwritten; an operational mark, not a domain record,
    so it is not row-audited (a backup and a restore write their own audit events)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    at = models.DateTimeField(_("最近一次"))

    audit_exempt = True

    class Meta:
        verbose_name = _("运行心跳")
        verbose_name_plural = _("运行心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class CacheVersion(models.Model):
    """The version of a configuration each process keeps in memory (core.versions): the SLA
    policies, the dispatch office's recipients. The transaction that edits one writes a new
    token here, so every process (every gunicorn worker) sees the edit with its next read and
    reloads; a rolled-back edit's token never comes back. Operational, not row-audited (the
    edit itself is)."""

    key = models.CharField(_("名称"), max_length=40, primary_key=True)
    token = models.CharField(_("版本"), max_length=32)

    audit_exempt = True

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.key} {self.token}"
