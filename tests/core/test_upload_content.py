"""An attachment's content must be what its extension says, for every allowed type: a web page
named .webp or a text file named .xlsx is refused with a Chinese message naming the file."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuqi.core.excel import write_workbook
from zhuqi.core.models import Attachment
from zhuqi.core.services import CONTENT_KINDS, OLE2, validate_upload

HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buffer.getvalue()


GOOD = {
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "jpeg": b"\xff\xd8\xff\xe1" + b"\x00" * 32,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "gif": b"GIF89a" + b"\x00" * 32,
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "doc": OLE2 + b"\x00" * 32,
    "xls": OLE2 + b"\x00" * 32,
    "ppt": OLE2 + b"\x00" * 32,
    "docx": _zip("[Content_Types].xml", "word/document.xml"),
    "xlsx": write_workbook(["企业"], [["恒顺集团"]]),
    "pptx": _zip("[Content_Types].xml", "ppt/presentation.xml"),
    "ofd": _zip("OFD.xml", "Doc_0/Document.xml"),
    "zip": _zip("现场照片说明.txt"),
    "txt": "会议纪要：协调二期用地指标\n".encode("gb18030"),
}


def test_every_allowed_extension_has_a_content_check_and_a_sample_here():
    assert set(settings.ATTACHMENT_EXTENSIONS) <= set(CONTENT_KINDS) == set(GOOD)


@pytest.mark.parametrize("ext", sorted(GOOD))
def test_genuine_file_of_each_type_is_accepted(ext):
    assert validate_upload(SimpleUploadedFile(f"材料.{ext}", GOOD[ext]))


@pytest.mark.parametrize("ext", sorted(GOOD))
def test_web_page_named_as_each_type_is_refused(ext):
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile(f"材料.{ext}", HTML))
    message = exc.value.messages[0]
    assert f"材料.{ext}" in message and "与扩展名" in message and str(CONTENT_KINDS[ext][0]) in message


@pytest.mark.parametrize(
    "name, content",
    [
        ("报表.xlsx", "企业名称,产值\n恒顺,100\n".encode()),  # text named .xlsx
        ("报表.xlsx", GOOD["docx"]),  # a Word file named .xlsx
        ("纪要.docx", GOOD["xlsx"]),  # an Excel file named .docx
        ("文档.doc", GOOD["pdf"]),
        ("文档.pdf", GOOD["doc"]),
        ("照片.jpg", GOOD["png"]),
        ("压缩包.zip", b"PK\x03\x04 not a zip at all"),
        ("说明.txt", b"\x00\x01binary\x00"),
        ("说明.txt", b"  <svg onload=alert(1)>"),
    ],
)
def test_content_of_another_type_is_refused(name, content):
    with pytest.raises(ValidationError, match="与扩展名"):
        validate_upload(SimpleUploadedFile(name, content))


@pytest.mark.django_db
@pytest.mark.parametrize("name, content", [("现场.webp", HTML), ("台账.xlsx", b"just some text\n")])
def test_page_refuses_disguised_uploads_and_saves_nothing(world, login, name, content):
    response = login(world.alice).post(
        reverse("core:attachment_add", args=["core.department", world.jxj.pk]),
        {"file": SimpleUploadedFile(name, content), "next": "/"},
        follow=True,
    )
    assert f"文件「{name}」的内容不是有效的" in response.content.decode()
    assert not Attachment.objects.exists()
