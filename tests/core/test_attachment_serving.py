"""Attachments are served only by the download view, which checks the viewer's scope: never as
public files under /media/, not even with DEBUG on, and under names nobody can guess."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse

from zhuqi.core.models import Attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, world):
    client.post(
        reverse("core:attachment_add", args=["core.department", world.jxj.pk]),
        {"file": SimpleUploadedFile("现场照片.png", PNG), "next": "/"},
    )
    return Attachment.objects.latest("id")


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as `make demo` builds it: with DEBUG on."""
    import zhuqi.urls

    settings.DEBUG = True
    importlib.reload(zhuqi.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(zhuqi.urls)
    clear_url_caches()


def test_stored_names_are_not_guessable(world, login):
    client = login(world.alice)
    a, b = _upload(client, world), _upload(client, world)
    assert a.name == b.name == "现场照片.png"
    assert a.file.name != b.file.name
    for att in (a, b):
        stored = att.file.name.rsplit("/", 1)[-1]
        token, ext = stored.split(".")
        assert ext == "png" and len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def test_media_url_serves_nothing_even_with_debug_on(world, login, debug_urls):
    att = _upload(login(world.alice), world)
    for client in (Client(), login(world.charlie), login(world.alice)):
        assert client.get(f"/media/{att.file.name}").status_code == 404
    # the download view serves it to people in scope only
    assert login(world.alice).get(reverse("core:attachment_download", args=[att.pk])).status_code == 200
    assert login(world.charlie).get(reverse("core:attachment_download", args=[att.pk])).status_code == 404
    assert Client().get(reverse("core:attachment_download", args=[att.pk])).status_code == 302  # to login


@pytest.fixture(params=["off", "nginx", "xsendfile"])
def sendfile_mode(request, settings):
    settings.ZHUQI_SENDFILE = request.param
    settings.ZHUQI_SENDFILE_PREFIX = "/protected-media/"
    return request.param


def test_every_serving_mode_refuses_anonymous_and_out_of_scope_viewers(world, login, sendfile_mode, settings):
    att = _upload(login(world.alice), world)
    url = reverse("core:attachment_download", args=[att.pk])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse(settings.LOGIN_URL))
    assert "X-Accel-Redirect" not in anonymous and "X-Sendfile" not in anonymous
    outsider = login(world.charlie).get(url)
    assert outsider.status_code == 404
    assert "X-Accel-Redirect" not in outsider and "X-Sendfile" not in outsider
    assert login(world.alice).get(url).status_code == 200


def test_nginx_mode_hands_the_file_to_the_proxy_without_a_body(world, login, settings):
    settings.ZHUQI_SENDFILE = "nginx"
    settings.ZHUQI_SENDFILE_PREFIX = "/protected-media/"
    att = _upload(login(world.alice), world)
    r = login(world.alice).get(reverse("core:attachment_download", args=[att.pk]))
    assert r.status_code == 200
    assert r["X-Accel-Redirect"] == f"/protected-media/{att.file.name}"
    assert b"".join(r.streaming_content if r.streaming else [r.content]) == b""
    assert r["Content-Type"] == "image/png"
    assert "inline" in r["Content-Disposition"] and "filename*=utf-8''" in r["Content-Disposition"]
    assert "X-Sendfile" not in r


def test_xsendfile_mode_names_the_file_on_disk(world, login, settings):
    settings.ZHUQI_SENDFILE = "xsendfile"
    att = _upload(login(world.alice), world)
    r = login(world.alice).get(reverse("core:attachment_download", args=[att.pk]))
    assert r.status_code == 200 and r.content == b""
    assert r["X-Sendfile"] == att.file.path
    assert "X-Accel-Redirect" not in r


def test_default_mode_streams_the_file_itself(world, login, settings):
    settings.ZHUQI_SENDFILE = "off"
    att = _upload(login(world.alice), world)
    r = login(world.alice).get(reverse("core:attachment_download", args=[att.pk]))
    assert r.status_code == 200 and r.streaming
    assert b"".join(r.streaming_content) == PNG
    assert "X-Accel-Redirect" not in r and "X-Sendfile" not in r
