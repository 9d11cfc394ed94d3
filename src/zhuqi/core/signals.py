"""Login, logout and failed-login events go to the audit log; calendar overrides reset caches
and announce the days whose working status they changed (`working_days_changed`)."""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal, receiver
from django.utils.translation import gettext as _

from . import audit, workcalendar
from .middleware import client_ip
from .models import WorkdayOverride


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="zhuqi_login")
def _logged_in(sender, request, user, **kwargs):
    with audit.acting_as(user, ip=_ip(request)):
        audit.record("login", user, message=_("登录成功"))
    session = getattr(request, "session", None)
    if session is not None:  # saved with the login: the next pages need not write it again
        session["_seen"] = int(time.time())


@receiver(user_logged_out, dispatch_uid="zhuqi_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        with audit.acting_as(user, ip=_ip(request)):
            audit.record("logout", user, message=_("退出登录"))


@receiver(user_login_failed, dispatch_uid="zhuqi_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with audit.acting_as(None, label=_("未登录: %(username)s") % {"username": username}, ip=_ip(request)):
        audit.record("login_failed", object_type="core.user", object_repr=username, message=_("登录失败"))


#: Sent once per committed transaction that changed whether some days are working days (a
#: `WorkdayOverride` saved or deleted: `services.set_workday_override`, the calendar import, the
#: admin), after the commit. `changes` maps each such date to `(was_working, is_working)`. Apps
#: whose stored deadlines count working days subscribe from their `ready()` (cases recomputes
#: its open clocks); core imports no app.
working_days_changed = Signal()

#: Sent by `services._repath` inside the transaction that moved the region subtree `old` to
#: `new` (paths with their trailing slash), after every `region_path` copy was rewritten. Apps
#: that keep sums over a region's ancestors subscribe from their `ready()` (the indicators'
#: subtree rollups mark the moved values' pairs stale); core imports no app.
region_moved = Signal()

_batch = threading.local()


def _announce(day: dt.date, was: bool, now: bool) -> None:
    """Queue one day's change for the signal sent when the current transaction commits; all the
    changes of one transaction (an import of a whole year) go out as one signal."""
    if was == now:
        return
    connection = transaction.get_connection()
    pending = getattr(_batch, "pending", None)
    # A batch lives as long as its on-commit callback is still queued: a rollback drops the
    # callback, and with it the changes that never happened.
    if pending is None or not any(item[1] is pending[1] for item in connection.run_on_commit):
        changes: dict[dt.date, tuple[bool, bool]] = {}

        def send() -> None:
            if getattr(_batch, "pending", None) is not None and _batch.pending[0] is changes:
                _batch.pending = None
            if changes:
                working_days_changed.send(sender=WorkdayOverride, changes=dict(changes))

        pending = _batch.pending = (changes, send)
        changes[day] = (was, now)
        if connection.in_atomic_block:
            transaction.on_commit(send, robust=True)
        else:
            send()
        return
    changes = pending[0]
    first = changes.get(day, (was, now))[0]
    if first == now:
        changes.pop(day, None)  # changed and changed back within the transaction
    else:
        changes[day] = (first, now)


@receiver([pre_save, pre_delete], sender=WorkdayOverride, dispatch_uid="zhuqi_calendar_before")
def _calendar_before(sender, instance, **kwargs):
    instance._was_working = workcalendar.is_working_day(instance.date)


@receiver([post_save, post_delete], sender=WorkdayOverride, dispatch_uid="zhuqi_calendar_reset")
def _calendar_changed(sender, instance, **kwargs):
    workcalendar.invalidate()
    was = getattr(instance, "_was_working", None)
    if was is not None:
        _announce(instance.date, was, workcalendar.is_working_day(instance.date))
        workcalendar.invalidate()  # the cache reset stays the last thing the commit runs
