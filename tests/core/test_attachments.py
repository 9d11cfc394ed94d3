"""Attachments and comments on any object, within size and type limits, scoped."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuqi.core.models import Attachment, Comment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, target_label, pk, name, content):
    return client.post(
        reverse("core:attachment_add", args=[target_label, pk]),
        {"file": SimpleUploadedFile(name, content), "next": "/"},
        follow=True,
    )


def test_upload_and_download_a_photo(world, login):
    client = login(world.alice)
    upload(client, "core.department", world.jxj.pk, "现场照片.png", PNG)
    att = Attachment.objects.get()
    assert att.name == "现场照片.png" and att.size == len(PNG) and att.is_image
    response = client.get(reverse("core:attachment_download", args=[att.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("病毒.exe", b"MZ...", "不支持的文件类型"),
        ("空文件.pdf", b"", "文件是空的"),
        ("伪装.png", b"not really a png", "不是有效的PNG 图片"),
    ],
)
def test_bad_uploads_are_refused_with_chinese_messages(world, login, name, content, message):
    response = upload(login(world.alice), "core.department", world.jxj.pk, name, content)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversized_upload_is_refused(world, login, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = upload(
        login(world.alice), "core.department", world.jxj.pk, "大文件.pdf", b"%PDF" + b"0" * 2048
    )
    assert "超过大小上限" in response.content.decode()
    assert not Attachment.objects.exists()


def test_cannot_attach_or_download_outside_scope(world, login):
    charlie = login(world.charlie)
    assert upload(charlie, "core.department", world.jxj.pk, "a.png", PNG).status_code == 404
    alice = login(world.alice)
    upload(alice, "core.department", world.jxj.pk, "a.png", PNG)
    att = Attachment.objects.get()
    charlie = login(world.charlie)
    assert charlie.get(reverse("core:attachment_download", args=[att.pk])).status_code == 404


def test_unknown_target_kind_is_404(world, login):
    assert upload(login(world.admin), "core.auditentry", 1, "a.png", PNG).status_code == 404


def test_comments_empty_refused_and_scoped(world, login):
    alice = login(world.alice)
    response = alice.post(
        reverse("core:comment_add", args=["core.department", world.jxj.pk]), {"body": "  "}, follow=True
    )
    assert "评论内容不能为空" in response.content.decode()
    assert not Comment.objects.exists()
    charlie = login(world.charlie)
    assert (
        charlie.post(
            reverse("core:comment_add", args=["core.department", world.jxj.pk]), {"body": "越权"}
        ).status_code
        == 404
    )
