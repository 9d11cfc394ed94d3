"""Property tests: deadlines land on working days and count exactly N working days, whatever
the moment of dispatch (weekends, holidays and 调休 days of 2025–2027 included)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhuqi.cases import services
from zhuqi.core.workcalendar import SHANGHAI, is_working_day, working_days_between

moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 6, 30)).map(
    lambda d: d.replace(tzinfo=SHANGHAI)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=moments)
def test_dispatch_deadlines_are_working_days(cw, when):
    with time_machine.travel(when, tick=False):
        case = cw.new()
        case = services.accept_case(case, actor=cw.w.alice)
        case = services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
    for field, n in (("sign_due_at", 1), ("progress_due_at", 3), ("reply_due_at", 7), ("close_due_at", 10)):
        due = getattr(case, field)
        assert is_working_day(due)
        assert working_days_between(when, due) == n
        assert due.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    assert case.next_due_at == case.sign_due_at


@pytest.mark.parametrize(
    "persona,code", [("enterprise_user", 302), ("bob", 302), ("charlie", 404), ("zr_handler", 404)]
)
def test_attachments_follow_case_scope(cw, login, persona, code):
    case = cw.to("signed")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    upload = SimpleUploadedFile("现场照片.png", png, content_type="image/png")
    r = login(getattr(cw.w, persona)).post(
        reverse("core:attachment_add", args=["cases.case", case.pk]), {"file": upload, "next": "/"}
    )
    assert r.status_code == code
