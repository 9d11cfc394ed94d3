"""Core state changes: two-factor enrolment, users' roles, attachments, comments,
notifications. Each checks permission and scope, writes audit."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
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
    attnames = [User._meta.get_field(f).attname for f in ROLE_FIELDS]
    old = {a: getattr(user, a) for a in attnames}
    user.role, user.region, user.department = role, region, department
    changes = {a: [old[a], getattr(user, a)] for a in attnames if old[a] != getattr(user, a)}
    if changes:
        with audit.row_diffs_disabled():  # the event below is the one record of this change
            user.save(update_fields=list(ROLE_FIELDS))
        audit.record("permission", user, event="role_changed", changes=changes, actor=actor)
    return user


def validate_upload(upload) -> str:
    """Check size and type; return the MIME type. Raises ValidationError with a Chinese message."""
    name = PurePath(upload.name or "").name
    if not name:
        raise ValidationError("请选择要上传的文件")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        allowed = "、".join(settings.ATTACHMENT_EXTENSIONS)
        raise ValidationError(f"不支持的文件类型「.{ext or '无扩展名'}」，允许：{allowed}")
    if upload.size == 0:
        raise ValidationError("文件是空的")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"文件「{name}」超过大小上限 {limit} MB")
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime.startswith("image/") and ext in {"jpg", "jpeg", "png", "gif"}:
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(sig) for sig in IMAGE_SIGNATURES):
            raise ValidationError(f"文件「{name}」不是有效的图片")
    return mime


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
        raise ValidationError("评论内容不能为空")
    if len(body) > 5000:
        raise ValidationError("评论不能超过 5000 字")
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
