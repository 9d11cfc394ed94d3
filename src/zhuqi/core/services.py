"""Core state changes: attachments, comments, notifications. Each checks scope, writes audit."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import Attachment, Comment, Notification

IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF8": "image/gif"}


def validate_upload(upload) -> str:
    """Check size and type; return the MIME type. Raises ValidationError with a Chinese message."""
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
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime.startswith("image/") and ext in {"jpg", "jpeg", "png", "gif"}:
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(sig) for sig in IMAGE_SIGNATURES):
            raise ValidationError(_("文件「%(name)s」不是有效的图片") % {"name": name})
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
