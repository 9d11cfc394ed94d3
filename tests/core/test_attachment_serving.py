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
