"""Core state changes: two-factor enrolment, users' roles, attachments, comments,
notifications. Each checks permission and scope, writes audit."""

from __future__ import annotations

import mimetypes
import zipfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, permissions
from .models import Attachment, Comment, Department, Notification, Region, Role, User

IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF8": "image/gif"}


# --- two-factor (TOTP) enrolment -------------------------------------------------------------


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (its key is shown as a QR code), created on the first
    call; later calls return the same one until it is confirmed."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="zhuqi", confirmed=False)
    return device


@transaction.atomic
def verify_totp(user: User, token: str) -> TOTPDevice | None:
    """The device that accepts `token`: the user's confirmed device, or else the pending one,
    which this confirms (an audited permission change). None when the token is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    if enrolling:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("permission", user, event="totp_enrolled", message=_("绑定动态口令"), actor=user)
    return device


# --- users' roles ------------------------------------------------------------------------------

ROLE_FIELDS = ("role", "region", "department")  # what a role is: the role and where it applies


@transaction.atomic
def change_role(
    user: User, *, actor, role: str, region: Region | None = None, department: Department | None = None
) -> User:
    """Give `user` a role and the region or department it applies to. Only a system
    administrator changes roles; the change is one permission event in the audit log."""
    permissions.require(actor, "core.roles.configure", _("只有系统管理员可以修改用户角色"))
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色「%(role)s」") % {"role": role}})
    user = User.objects.select_for_update().get(pk=user.pk)
    attnames = [User._meta.get_field(f).attname for f in ROLE_FIELDS]  # type: ignore[union-attr]
    old = {a: getattr(user, a) for a in attnames}
    user.role, user.region, user.department = role, region, department
    changes = {a: [old[a], getattr(user, a)] for a in attnames if old[a] != getattr(user, a)}
    if changes:
        with audit.row_diffs_disabled():  # the event below is the one record of this change
            user.save(update_fields=list(ROLE_FIELDS))
        audit.record("permission", user, event="role_changed", changes=changes, actor=actor)
    return user


# What a file of each allowed extension must begin with (its "magic bytes"); the office formats
# since 2007 and OFD are zip containers whose members are checked too (`_zip_members`).
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt (Compound File Binary)
ZIP_HEADS = (b"PK\x03\x04", b"PK\x05\x06")
CONTENT_KINDS: dict[str, tuple[Any, Any]] = {
    # extension: (what it must be, in words for the message; the check)
    "jpg": (gettext_lazy("JPEG 图片"), lambda h, f: h.startswith(b"\xff\xd8\xff")),
    "jpeg": (gettext_lazy("JPEG 图片"), lambda h, f: h.startswith(b"\xff\xd8\xff")),
    "png": (gettext_lazy("PNG 图片"), lambda h, f: h.startswith(b"\x89PNG\r\n\x1a\n")),
    "gif": (gettext_lazy("GIF 图片"), lambda h, f: h[:6] in (b"GIF87a", b"GIF89a")),
    "webp": (gettext_lazy("WebP 图片"), lambda h, f: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    "pdf": (gettext_lazy("PDF 文档"), lambda h, f: h.startswith(b"%PDF-")),
    "doc": (gettext_lazy("Word 文档"), lambda h, f: h.startswith(OLE2)),
    "xls": (gettext_lazy("Excel 表格"), lambda h, f: h.startswith(OLE2)),
    "ppt": (gettext_lazy("PowerPoint 演示文稿"), lambda h, f: h.startswith(OLE2)),
    "docx": (gettext_lazy("Word 文档"), lambda h, f: _zip_has(f, "[Content_Types].xml", "word/")),
    "xlsx": (gettext_lazy("Excel 表格"), lambda h, f: _zip_has(f, "[Content_Types].xml", "xl/")),
    "pptx": (gettext_lazy("PowerPoint 演示文稿"), lambda h, f: _zip_has(f, "[Content_Types].xml", "ppt/")),
    "ofd": (gettext_lazy("OFD 版式文档"), lambda h, f: _zip_has(f, "OFD.xml")),
    "zip": (gettext_lazy("ZIP 压缩包"), lambda h, f: h.startswith(ZIP_HEADS) and _zip_members(f) is not None),
    "txt": (gettext_lazy("纯文本"), lambda h, f: _is_text(f)),
}


def _zip_members(upload) -> list[str] | None:
    """The member names of a zip upload (its central directory only, nothing is inflated), or
    None when it is not a readable zip."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)


def _zip_has(upload, member: str, folder: str = "") -> bool:
    """A zip container holding `member` (and a member under `folder`, when given)."""
    names = _zip_members(upload) or []  # None: not a zip at all
    return member in names and (not folder or any(n.startswith(folder) for n in names))


def _is_text(upload) -> bool:
    """Plain text: no NUL byte, UTF-8 or GB 18030, and not a web page in disguise."""
    upload.seek(0)
    head = upload.read(64 * 1024)
    upload.seek(0)
    if b"\x00" in head:
        return False
    text = None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            # a multi-byte character cut at the end of the sample is still text
            try:
                text = head[:-3].decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        return False
    start = text.lstrip("\ufeff \t\r\n").lower()
    return not start.startswith(("<!doctype html", "<html", "<script", "<svg", "<?xml"))


def validate_upload(upload) -> str:
    """Check size, type and that the content is what the extension says (magic bytes; office
    files and OFD are zip containers with their parts; text is text); return the MIME type.
    Raises ValidationError with a Chinese message naming the file."""
    name = PurePath(upload.name or "").name
    if not name:
        raise ValidationError(_("请选择要上传的文件"))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        allowed = "、".join(settings.ATTACHMENT_EXTENSIONS)
        raise ValidationError(
            _("不支持的文件类型「.%(ext)s」，允许：%(allowed)s")
            % {"ext": ext or _("无扩展名"), "allowed": allowed}
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的"))
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(_("文件「%(name)s」超过大小上限 %(limit)s MB") % {"name": name, "limit": limit})
    kind = CONTENT_KINDS.get(ext)
    if kind is not None:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        what, matches = kind
        if not matches(head, upload):
            raise ValidationError(
                _("文件「%(name)s」的内容不是有效的%(what)s，与扩展名「.%(ext)s」不符，请上传原始文件")
                % {"name": name, "what": what, "ext": ext}
            )
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def validate_photo(upload) -> str:
    """`validate_upload`, and the file must be a picture by its content (JPEG, PNG or GIF
    signature) first, whatever its name says, and then its name must say so too. Returns the
    MIME type of the content."""
    name = PurePath(upload.name or "").name
    if name.rsplit(".", 1)[-1].lower() not in settings.ATTACHMENT_EXTENSIONS:
        validate_upload(upload)  # an extension no attachment may have: that message first
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for sig, mime in IMAGE_SIGNATURES.items():
        if head.startswith(sig):
            validate_upload(upload)
            return mime
    raise ValidationError(
        _("文件「%(name)s」不是图片：现场照片只收 JPG、PNG、GIF 格式的照片")
        % {"name": PurePath(upload.name or "").name}
    )


def _visibility(actor, public: bool) -> str:
    """Internal unless `public` (addressed to the enterprise); an enterprise user's own comment or
    file is always public (it is the enterprise's)."""
    if public or getattr(actor, "role", None) == Role.ENTERPRISE:
        return Comment.Visibility.PUBLIC
    return Comment.Visibility.INTERNAL


@transaction.atomic
def add_attachment(target: models.Model, upload, *, actor, public: bool = False) -> Attachment:
    permissions.require(actor, "core.attach")  # not the read-only observer
    mime = validate_upload(upload)
    att = Attachment(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        name=PurePath(upload.name).name[:200],
        size=upload.size,
        mime=mime,
        visibility=_visibility(actor, public),
        created_by=actor,
    )
    att.file.save(att.name, upload, save=False)
    att.save()
    audit.record(
        "event",
        target,
        event="attachment_added",
        changes={"attachment": att.name, "size": att.size, "visibility": att.get_visibility_display()},
        actor=actor,
    )
    return att


@transaction.atomic
def add_comment(target: models.Model, body: str, *, actor, public: bool = False) -> Comment:
    """A comment on `target`: internal (officials only) unless `public` (addressed to the
    enterprise); an enterprise user's comment is always public (it is the enterprise's own)."""
    permissions.require(actor, "core.attach")  # not the read-only observer
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("评论内容不能为空"))
    if len(body) > 5000:
        raise ValidationError(_("评论不能超过 5000 字"))
    visibility = _visibility(actor, public)
    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        body=body,
        visibility=visibility,
        created_by=actor,
    )
    audit.record(
        "event",
        target,
        event="comment_added",
        changes={"comment": body[:200], "visibility": comment.get_visibility_display()},
        actor=actor,
    )
    # a message addressed to the enterprise reaches it: the target names its enterprise's people
    # (`enterprise_recipients()`, e.g. a case's); its own comments need no telling
    recipients = getattr(target, "enterprise_recipients", None)
    if (
        visibility == Comment.Visibility.PUBLIC
        and callable(recipients)
        and getattr(actor, "role", None) != Role.ENTERPRISE
    ):
        from .notify import notify

        url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""
        notify(
            recipients(), _("新留言：%(object)s") % {"object": str(target)[:150]}, body=body[:500], url=url
        )
    return comment


def _shown_to(qs, viewer):
    """An enterprise user sees the public ones only (internal is the officials' deliberation)."""
    if viewer is not None and getattr(viewer, "role", None) == Role.ENTERPRISE:
        return qs.filter(visibility=Comment.Visibility.PUBLIC)
    return qs


def attachments_of(target: models.Model, viewer=None):
    """`target`'s files; pass the `viewer` whenever they are shown (an enterprise user gets the
    public ones only)."""
    qs = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("created_by")
    return _shown_to(qs, viewer)


def comments_of(target: models.Model, viewer=None):
    """`target`'s comments; an enterprise `viewer` gets the public ones only."""
    qs = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("created_by")
    return _shown_to(qs, viewer)


def mark_read(user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


# --- organisation and work calendar (regions, departments, users, overrides) -------------------------
# Used by the Excel importers in `zhuqi.core.imports`, one call per row inside the import's
# transaction. The row-diff layer of the audit log records every create and change (changes of
# role, region or department as `permission` entries); the import adds its own `import` entry.


def _require_org_manager(actor, path: str | None) -> None:
    """System admins anywhere; the dispatch office only inside its region subtree (`path` is the
    region path the change touches; None for a top-level region, which only admins may add)."""
    from django.utils.translation import gettext as _

    from .scope import scope_for

    if not permissions.allowed(actor, "core.org.manage"):
        raise PermissionDenied(_("不在您的管辖范围内"))
    if getattr(actor, "is_system_admin", False):
        return
    limit = scope_for(actor).region_path
    if not limit or not path or not path.startswith(limit):
        raise PermissionDenied(_("不在您的管辖范围内"))


def _locked(model, obj):
    """`obj` again, read under a row lock (two imports or an import and a page may race)."""
    return model.objects.select_for_update().get(pk=obj.pk)


def _set_given(obj, **values) -> bool:
    """Set each non-None value (None: a blank cell, keep the current value); True if any changed."""
    changed = False
    for field, value in values.items():
        if value is not None and getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    return changed


REGION_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _clean_region_input(code: str, name: str, kind: str) -> tuple[str, str]:
    from .models import Region

    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationError({"code": _("请填写代码")})
    if len(code) > 32 or not set(code) <= REGION_CODE_CHARS:
        raise ValidationError({"code": _("代码只能由字母、数字、下划线和短横线组成，最多 32 个字符")})
    if not name:
        raise ValidationError({"name": _("请填写名称")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称最多 100 个字")})
    if kind not in Region.Kind.values:
        raise ValidationError({"kind": _("请选择类型")})
    return code, name


def _repath(old: str, new: str) -> None:
    """A subtree moved from `old` to `new`: rewrite the paths below it and every copy of a
    region path (`region_path` columns of any app's rows), set-based; then tell the apps that
    keep sums over ancestors (`signals.region_moved`, in this transaction)."""
    from django.apps import apps
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Substr

    from .models import Region

    cut = len(old) + 1
    shift = new.count("/") - old.count("/")
    Region.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", cut)), depth=F("depth") + shift
    )
    for model in apps.get_models():
        if any(f.name == "region_path" for f in model._meta.concrete_fields):
            model._base_manager.filter(region_path__startswith=old).update(
                region_path=Concat(Value(new), Substr("region_path", cut))
            )
    from .signals import region_moved

    region_moved.send(sender=Region, old=old, new=new)


@transaction.atomic
def save_region(*, actor, code: str, name: str, kind: str, parent=None, region=None):
    """Create the region `code` under `parent`, or (given `region`) rename, retype or move it
    (its code never changes). A move rewrites the paths of its subtree and of every row that
    copies them; it may not go under itself or its own subtree. The dispatch office works
    inside its subtree and may not move its own top region."""
    from .models import Region
    from .scope import scope_for

    code, name = _clean_region_input(code, name, kind)
    if parent is not None:
        parent = Region.objects.get(pk=parent.pk)
        if not parent.is_active:
            raise ValidationError({"parent": _("上级区划「%(name)s」已停用") % {"name": parent.name}})
    _require_org_manager(actor, parent.path if parent is not None else None)
    if region is None:
        if Region.objects.filter(code=code).exists():
            raise ValidationError({"code": _("代码「%(code)s」已被其他区划使用") % {"code": code}})
        path = (parent.path if parent is not None else "") + f"{code}/"
        if len(path) > 255:
            raise ValidationError({"parent": _("层级过深，区划路径超过 255 个字符")})
        region = Region(code=code, name=name, kind=kind, parent=parent)
        region.save()
        audit.record("event", region, event="region_created", changes={"name": name}, actor=actor)
        return region
    region = _locked(Region, region)
    _require_org_manager(actor, region.path)
    moved = (parent.pk if parent is not None else None) != region.parent_id
    if moved:
        if parent is not None and parent.path.startswith(region.path):
            raise ValidationError({"parent": _("不能把区划移到它自己或它的下级区划之下")})
        if not getattr(actor, "is_system_admin", False) and region.path == scope_for(actor).region_path:
            raise PermissionDenied(_("您所在的区划只能由系统管理员调整上级"))
        old_path, old_parent = region.path, region.parent
        new_path = (parent.path if parent is not None else "") + f"{region.code}/"
        if (
            len(new_path)
            + max(
                (
                    len(p) - len(old_path)
                    for p in Region.objects.filter(path__startswith=old_path).values_list("path", flat=True)
                ),
                default=0,
            )
            > 255
        ):
            raise ValidationError({"parent": _("层级过深，区划路径超过 255 个字符")})
        _repath(old_path, new_path)
        region.path = new_path
    region.name, region.kind, region.parent = name, kind, parent
    region.save()
    if moved:
        audit.record(
            "event",
            region,
            event="region_moved",
            changes={"parent": [str(old_parent) if old_parent else "", str(parent) if parent else ""]},
            actor=actor,
        )
    return region


@transaction.atomic
def set_region_active(region, active: bool, *, actor):
    """Deactivate a region (refused, with counts, while sub-regions, departments, people,
    enterprises, open cases or routing rules still point at it) or reactivate it (its parent
    must be active)."""
    from . import references
    from .models import Region
    from .scope import scope_for

    region = _locked(Region, region)
    _require_org_manager(actor, region.path)
    if region.is_active == active:
        return region
    if not active:
        if not getattr(actor, "is_system_admin", False) and region.path == scope_for(actor).region_path:
            raise PermissionDenied(_("您所在的区划只能由系统管理员停用"))
        uses = references.uses_of("region", region)
        if uses:
            raise ValidationError(
                {
                    "is_active": _("还有记录指向该区划（%(uses)s），请先移到其他区划再停用")
                    % {"uses": references.describe(uses)}
                }
            )
    elif region.parent_id and not region.parent.is_active:
        raise ValidationError({"is_active": _("请先启用上级区划「%(name)s」") % {"name": region.parent.name}})
    region.is_active = active
    region.save(update_fields=["is_active"])
    audit.record("event", region, event="region_enabled" if active else "region_disabled", actor=actor)
    return region


@transaction.atomic
def save_department(*, actor, region, name: str, short_name=None, kind=None, phone=None, department=None):
    """Create the department `name` in `region`, or (given `department`) rename it, move it to
    `region` or update it; a None keeps the current value (or takes the default when creating).
    One name per region."""
    from .models import Department

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称")})
    if len(name) > 100:
        raise ValidationError({"name": _("名称最多 100 个字")})
    if kind is not None and kind not in Department.Kind.values:
        raise ValidationError({"kind": _("请选择类型")})
    if short_name is not None and len(short_name) > 30:
        raise ValidationError({"short_name": _("简称最多 30 个字")})
    if phone is not None and len(phone) > 40:
        raise ValidationError({"phone": _("电话最多 40 个字")})
    if not region.is_active:
        raise ValidationError({"region": _("区划「%(name)s」已停用") % {"name": region.name}})
    _require_org_manager(actor, region.path)
    clash = Department.objects.filter(region=region, name=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("「%(region)s」已有名为「%(name)s」的部门") % {"region": region, "name": name}}
        )
    if department is None:
        department = Department(
            name=name,
            short_name=short_name or "",
            kind=kind or Department.Kind.GOVERNMENT,
            region=region,
            phone=phone or "",
        )
        department.save()
        audit.record("event", department, event="department_created", changes={"name": name}, actor=actor)
        return department
    department = _locked(Department, department)
    _require_org_manager(actor, department.region.path)
    moved = department.region_id != region.pk
    old_region = department.region
    if _set_given(department, name=name, region=region, short_name=short_name, kind=kind, phone=phone):
        department.save()
    if moved:
        audit.record(
            "event",
            department,
            event="department_moved",
            changes={"region": [str(old_region), str(region)]},
            actor=actor,
        )
    return department


@transaction.atomic
def set_department_active(department, active: bool, *, actor):
    """Deactivate a department (refused, with counts, while people, open cases or routing
    rules still point at it) or reactivate it (its region must be active)."""
    from . import references
    from .models import Department

    department = _locked(Department, department)
    _require_org_manager(actor, department.region.path)
    if department.is_active == active:
        return department
    if not active:
        uses = references.uses_of("department", department)
        if uses:
            raise ValidationError(
                {
                    "is_active": _("还有记录指向该部门（%(uses)s），请先移交给其他部门再停用")
                    % {"uses": references.describe(uses)}
                }
            )
    elif not department.region.is_active:
        raise ValidationError(
            {"is_active": _("请先启用所属区划「%(name)s」") % {"name": department.region.name}}
        )
    department.is_active = active
    department.save(update_fields=["is_active"])
    audit.record(
        "event", department, event="department_enabled" if active else "department_disabled", actor=actor
    )
    return department


@transaction.atomic
def save_user(
    *,
    actor,
    username: str,
    full_name: str,
    role: str,
    region,
    department=None,
    title=None,
    mobile=None,
    password=None,
    user=None,
):
    """Create the account `username` (with `password`, or unusable until an admin sets one), or
    (given `user`) change its name, role and placement; an existing password is never changed.
    Only system admins grant the system-admin role; enterprise users are added elsewhere."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import Role, User

    _require_org_manager(actor, region.path)
    if role == Role.ADMIN and not permissions.allowed(actor, "core.accounts.admins"):
        raise PermissionDenied(_("只有系统管理员可以授予「系统管理员」角色"))
    if role == Role.ENTERPRISE:
        raise ValidationError(_("企业用户请用「导入企业账号」导入，或在企业页面的「企业账号」中开通"))
    if user is None:
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            region=region,
            department=department,
            title=title or "",
            mobile=mobile or "",
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能通过导入修改自己的账号"))
    user = _locked(User, user)
    if not getattr(actor, "is_system_admin", False):
        if user.is_system_admin:
            raise PermissionDenied(_("不在您的管辖范围内"))
        placed = user.region or (user.department.region if user.department_id else None)
        _require_org_manager(actor, placed.path if placed is not None else None)
    user.full_name, user.role, user.region, user.department = full_name, role, region, department
    _set_given(user, title=title, mobile=mobile)
    user.save()
    return user


@transaction.atomic
def set_workday_override(*, actor, date, is_workday: bool, note=None):
    """Mark `date` a working day or a day off, whatever the holiday tables say (platform-wide:
    system admins only); a None note keeps the current one."""
    from django.utils.translation import gettext as _

    from .models import WorkdayOverride

    permissions.require(actor, "core.calendar.configure", _("工作日调整对全平台生效，只有系统管理员可以修改"))
    override = WorkdayOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        override = WorkdayOverride(date=date, is_workday=is_workday, note=note or "")
        override.save()
        return override
    override.is_workday = is_workday
    _set_given(override, note=note)
    override.save()
    return override


def _day_ranges(days) -> str:
    """Sorted days as ranges, one a line: `2027-02-06~2027-02-12`, `2027-01-01`."""
    import datetime as dt

    out: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if out and day - out[-1][1] == dt.timedelta(days=1):
            out[-1][1] = day
        else:
            out.append([day, day])
    return "\n".join(f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d}~{b:%Y-%m-%d}" for a, b in out)


def _days_of(text: str):
    """The days listed in a stored `_day_ranges` text."""
    import datetime as dt

    days = set()
    for line in (text or "").split():
        a, _sep, b = line.partition("~")
        first = dt.date.fromisoformat(a)
        last = dt.date.fromisoformat(b) if b else first
        while first <= last:
            days.add(first)
            first += dt.timedelta(days=1)
    return days


@transaction.atomic
def enter_national_arrangement(*, actor, year: int, holidays, workdays, notice: str = ""):
    """Enter the State Council's holiday arrangement for `year`: `holidays` become days off and
    `workdays` (调休 weekend workdays) working days, through `set_workday_override`, so the
    work calendar's signal recomputes open deadlines once, on commit. Entering the year again
    replaces the previous entry (days it listed and this one does not go back to the ordinary
    calendar). From then on the year counts as known: the November warning stops. System
    administrators only (the calendar is platform-wide)."""
    from .models import HolidayArrangement, WorkdayOverride
    from .units import MAX_YEAR, MIN_YEAR

    permissions.require(actor, "core.calendar.configure", _("节假日安排对全平台生效，只有系统管理员可以录入"))
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("年度应在 %(low)s 到 %(high)s 之间") % {"low": MIN_YEAR, "high": MAX_YEAR}}
        )
    holidays, workdays = set(holidays), set(workdays)
    if not holidays:
        raise ValidationError({"holidays": _("请填写放假日期")})
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        stray = sorted(d for d in days if d.year != year)
        if stray:
            raise ValidationError(
                {field: _("%(date)s 不在 %(year)s 年内") % {"date": f"{stray[0]:%Y-%m-%d}", "year": year}}
            )
    both = sorted(holidays & workdays)
    if both:
        raise ValidationError(
            {"workdays": _("%(date)s 同时填在放假和调休上班里") % {"date": f"{both[0]:%Y-%m-%d}"}}
        )
    notice = (notice or "").strip()
    if len(notice) > 200:
        raise ValidationError({"notice": _("通知文号或标题最多 200 个字")})
    arrangement = HolidayArrangement.objects.select_for_update().filter(year=year).first()
    if arrangement is not None:  # days the previous entry set and this one drops: back to normal
        dropped = (_days_of(arrangement.holidays) | _days_of(arrangement.workdays)) - holidays - workdays
        for override in WorkdayOverride.objects.filter(date__in=dropped):
            override.delete()
    for day in sorted(holidays):
        set_workday_override(actor=actor, date=day, is_workday=False, note=_("法定节假日"))
    for day in sorted(workdays):
        set_workday_override(actor=actor, date=day, is_workday=True, note=_("调休上班"))
    created = arrangement is None
    arrangement = arrangement or HolidayArrangement(year=year)
    arrangement.notice = notice
    arrangement.holidays, arrangement.workdays = _day_ranges(holidays), _day_ranges(workdays)
    arrangement.entered_by = actor
    arrangement.entered_at = timezone.now()
    try:
        with transaction.atomic():
            arrangement.save()
    except IntegrityError:  # another administrator entered the same year a moment ago
        raise ValidationError(
            {"year": _("%(year)s年的安排刚由他人录入，请刷新页面后再改") % {"year": year}}
        ) from None
    audit.record(
        "event",
        arrangement,
        event="holidays_entered" if created else "holidays_reentered",
        changes={
            gettext_noop("通知"): notice,
            gettext_noop("放假天数"): len(holidays),
            gettext_noop("调休上班天数"): len(workdays),
        },
        actor=actor,
    )
    return arrangement
