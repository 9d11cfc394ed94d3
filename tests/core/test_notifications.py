"""Notifications: inbox with unread counts; outbound channels never break the action."""

import pytest
from django.db import transaction
from django.urls import reverse

from zhuqi.core.models import Notification
from zhuqi.core.notify import notify

pytestmark = pytest.mark.django_db


class ExplodingChannel:
    name = "boom"
    calls = 0

    def send(self, notification):
        ExplodingChannel.calls += 1
        raise ConnectionError("SMS gateway down")


def test_inbox_shows_unread_count_and_marks_read(world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [world.bob, world.bob, world.zr_handler],
            "新交办：用电线路改造",
            body="请 3 个工作日内签收",
            url="/core/inbox/",
        )
    assert Notification.objects.filter(recipient=world.bob).count() == 1
    client = login(world.bob)
    home = client.get("/")
    assert home.context["unread_count"] == 1
    assert 'data-testid="unread-count">1<' in home.content.decode()
    note = Notification.objects.get(recipient=world.bob)
    client.get(reverse("core:notification_open", args=[note.pk]))
    assert client.get("/").context["unread_count"] == 0


def test_someone_elses_notification_is_404(world, login):
    note = notify([world.bob], "仅 bob 可见")[0]
    assert login(world.alice).get(reverse("core:notification_open", args=[note.pk])).status_code == 404


def test_failing_channel_does_not_break_the_action(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_CHANNELS = [
        "tests.core.test_notifications.ExplodingChannel",
        "zhuqi.core.channels.ConsoleChannel",
    ]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        created = notify([world.bob], "督办提醒")
    assert len(created) == 1 and ExplodingChannel.calls >= 1
    assert Notification.objects.filter(recipient=world.bob, title="督办提醒").exists()


def test_email_channel_sends_to_users_with_an_address(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOTIFY_CHANNELS = ["zhuqi.core.channels.EmailChannel"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.bob.email = "bob@wsx.gov.example"
    world.bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.bob, world.zr_handler], "诉求即将超期")
    assert [m.to for m in mailoutbox] == [["bob@wsx.gov.example"]]


def test_a_delivery_run_twice_sends_each_message_once(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """A worker killed after sending leaves its task to be delivered again (acks_late): the
    second run finds the messages already taken and sends nothing."""
    from zhuqi.core.tasks import deliver_notifications

    settings.NOTIFY_CHANNELS = ["zhuqi.core.channels.EmailChannel"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.bob.email = "bob@wsx.gov.example"
    world.bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([world.bob], "诉求即将超期")
    assert len(mailoutbox) == 1 and Notification.objects.get(pk=created[0].pk).sent_at is not None
    assert deliver_notifications([created[0].pk]) == 0
    assert len(mailoutbox) == 1


def test_api_lists_only_own_notifications_and_marks_all_read(world, login):
    notify([world.bob], "给 bob")
    notify([world.alice], "给 alice")
    client = login(world.bob)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [r["title"] for r in rows] == ["给 bob"]
    assert client.post("/api/v1/notifications/read_all/").json() == {"marked": 1}
    assert Notification.objects.get(recipient=world.bob).read_at is not None
