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
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
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
    if actor is None or not actor.is_system_admin:
        raise PermissionDenied(_("只有系统管理员可以修改用户角色"))
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
    names = _zip_members(upload) or []
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


@transaction.atomic
def add_attachment(target: models.Model, upload, *, actor) -> Attachment:
    mime = validate_upload(upload)
    att = Attachment(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        name=PurePath(upload.name).name[:200],
        size=upload.size,
        mime=mime,
        created_by=actor,
    )
    att.file.save(att.name, upload, save=False)
    att.save()
    audit.record(
        "event",
        target,
        event="attachment_added",
        changes={"attachment": att.name, "size": att.size},
        actor=actor,
    )
    return att


@transaction.atomic
def add_comment(target: models.Model, body: str, *, actor) -> Comment:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("评论内容不能为空"))
    if len(body) > 5000:
        raise ValidationError(_("评论不能超过 5000 字"))
    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        body=body,
        created_by=actor,
    )
    audit.record("event", target, event="comment_added", changes={"comment": body[:200]}, actor=actor)
    return comment


def attachments_of(target: models.Model):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("created_by")


def comments_of(target: models.Model):
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("created_by")


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
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .models import Role
    from .scope import scope_for

    if getattr(actor, "is_system_admin", False):
        return
    limit = scope_for(actor).region_path
    if getattr(actor, "role", None) != Role.DISPATCH or not limit or not path or not path.startswith(limit):
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


@transaction.atomic
def save_region(*, actor, code: str, name: str, kind: str, parent=None, region=None):
    """Create the region `code` under `parent`, or (given `region`) rename, retype or move it."""
    from .models import Region

    _require_org_manager(actor, parent.path if parent is not None else None)
    if region is None:
        region = Region(code=code, name=name, kind=kind, parent=parent)
        region.save()
        return region
    region = _locked(Region, region)
    _require_org_manager(actor, region.path)
    region.name, region.kind, region.parent = name, kind, parent
    region.save()
    return region


@transaction.atomic
def save_department(*, actor, region, name: str, short_name=None, kind=None, phone=None, department=None):
    """Create the department `name` in `region`, or (given `department`) update it; a None
    keeps the current value (or takes the default when creating)."""
    from .models import Department

    _require_org_manager(actor, region.path)
    if department is None:
        department = Department(
            name=name,
            short_name=short_name or "",
            kind=kind or Department.Kind.GOVERNMENT,
            region=region,
            phone=phone or "",
        )
        department.save()
        return department
    department = _locked(Department, department)
    _require_org_manager(actor, department.region.path)
    if _set_given(department, short_name=short_name, kind=kind, phone=phone):
        department.save()
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
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from .models import Role, User

    _require_org_manager(actor, region.path)
    if role == Role.ADMIN and not getattr(actor, "is_system_admin", False):
        raise PermissionDenied(_("只有系统管理员可以授予「系统管理员」角色"))
    if role == Role.ENTERPRISE:
        raise ValidationError(_("企业用户请在企业管理中添加"))
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
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .models import WorkdayOverride

    if not getattr(actor, "is_system_admin", False):
        raise PermissionDenied(_("工作日调整对全平台生效，只有系统管理员可以修改"))
    override = WorkdayOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        override = WorkdayOverride(date=date, is_workday=is_workday, note=note or "")
        override.save()
        return override
    override.is_workday = is_workday
    _set_given(override, note=note)
    override.save()
    return override
