"""Bulletins (通报): draft from the live figures, edit the text, approve, publish with the next
issued number of the region's year and send to the recipients' inboxes. Each step locks the
bulletin, checks the matrix and the state, audits and notifies."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region
from zhuqi.core.notify import notify
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES, Role
from zhuqi.core.scope import require_visible
from zhuqi.core.units import MAX_YEAR, MIN_YEAR

from . import bulletin as gen
from .models import Bulletin
from .tasks import render_bulletin


def _lock(b: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().select_related("region").get(pk=b.pk)


def draft_bulletin(
    region: Region, year: int, month: int | None = None, *, actor, quarter: int | None = None
) -> Bulletin:
    """A draft of `region`'s bulletin of `year`-`month` (monthly) or of `quarter` (quarterly,
    over its three months), its tables from the live figures of the period."""
    permissions.require(actor, "oversight.bulletin.draft", gettext("您不能起草通报"))
    require_visible(actor, "region", region)
    kind = Bulletin.Kind.QUARTER if quarter is not None else Bulletin.Kind.MONTH
    if kind == Bulletin.Kind.QUARTER:
        if not (MIN_YEAR <= year <= MAX_YEAR and quarter is not None and 1 <= quarter <= 4):
            raise ValidationError({"quarter": gettext("请选择正确的年份和季度")})
        month = quarter * 3
    elif month is None or not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise ValidationError({"month": gettext("请选择正确的年份和月份")})
    field = "quarter" if kind == Bulletin.Kind.QUARTER else "month"
    label = gen.period_label(kind, year, month)
    today = timezone.localdate()
    first_month = month - 2 if kind == Bulletin.Kind.QUARTER else month
    if (year, first_month) > (today.year, today.month):
        raise ValidationError({field: gettext("不能为未来的%(period)s起草通报") % {"period": label}})
    if Bulletin.objects.filter(region=region, year=year, kind=kind, month=month).exists():
        raise ValidationError(
            {field: gettext("%(region)s %(period)s的通报已经起草") % {"region": region.name, "period": label}}
        )
    figures = gen.generate(region, year, month, kind=kind, user=actor)
    if not gen.has_data(figures):
        raise ValidationError(
            {
                field: gettext(
                    "%(period)s没有可通报的数据（诉求、督办事项、项目、走访、经济指标、招商均为空）"
                )
                % {"period": label}
            }
        )
    texts = gen.default_texts(region, year, month, figures, kind)
    issuer = (actor.department.name if actor.department_id else region.name)[:100]
    if kind == Bulletin.Kind.QUARTER:
        title = gettext("关于%(period)s助企工作情况的通报") % {"period": label}
    else:
        title = gettext("关于%(y)s年%(m)s月助企工作情况的通报") % {"y": year, "m": month}
    try:
        with transaction.atomic():
            b = Bulletin.objects.create(
                region=region,
                year=year,
                month=month,
                kind=kind,
                title=title,
                issuer=issuer,
                figures=figures,
                created_by=actor,
                **texts,
            )
            audit.record("event", b, event="bulletin_drafted", actor=actor)
    except IntegrityError as exc:  # drafted by someone else in the meantime
        raise ValidationError({field: gettext("该期通报已经起草")}) from exc
    return b


def edit_bulletin(
    b: Bulletin,
    *,
    actor,
    title: str,
    intro: str,
    problems: str,
    requirements: str,
    addressees: str | None = None,
    cc: str | None = None,
) -> Bulletin:
    """Change the text of a draft (the tables stay as generated); 主送 and 抄送 when given."""
    with transaction.atomic():
        b = _lock(b)
        permissions.require(actor, "oversight.bulletin.draft", gettext("您不能修改通报"))
        if b.status != Bulletin.Status.DRAFT:
            raise ValidationError(gettext("通报已审核，不能再修改"))
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": gettext("请填写标题")})
        b.title, b.intro, b.problems, b.requirements = (
            title[:200],
            intro.strip(),
            problems.strip(),
            requirements.strip(),
        )
        for field, value, label in (
            ("addressees", addressees, gettext("主送")),
            ("cc", cc, gettext("抄送")),
        ):
            if value is None:
                continue
            value = " ".join(value.replace("\x00", "").split())
            if len(value) > 200:
                raise ValidationError({field: gettext("%(label)s不能超过 200 字") % {"label": label}})
            setattr(b, field, value)
        b.save()
    return b


def approve_bulletin(b: Bulletin, *, actor) -> Bulletin:
    with transaction.atomic():
        b = _lock(b)
        permissions.require(actor, "oversight.bulletin.approve", gettext("您不能审核通报"))
        if b.status != Bulletin.Status.DRAFT:
            raise ValidationError(gettext("该通报不是草稿，不能审核"))
        b.status, b.approved_by, b.approved_at = Bulletin.Status.APPROVED, actor, timezone.now()
        b.save()
        audit.record("event", b, event="bulletin_approved", actor=actor)
    return b


def recipients(region: Region) -> list:
    """The people of the region's departments and its leaders."""
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=[Role.LEADER, Role.SUPERVISOR], region__path__startswith=region.path)
            | Q(role__in=DEPARTMENT_ACTOR_ROLES, department__region__path__startswith=region.path)
        )
        .distinct()
    )


def publish_bulletin(b: Bulletin, *, actor) -> Bulletin:
    """Give the approved bulletin the next number of its region's year (〔2026〕N号) and send it."""
    with transaction.atomic():
        b = _lock(b)
        permissions.require(actor, "oversight.bulletin.publish", gettext("您不能发布通报"))
        if b.status == Bulletin.Status.PUBLISHED:
            raise ValidationError(gettext("该通报已经发布，文号 %(no)s") % {"no": b.issued_number})
        if b.status != Bulletin.Status.APPROVED:
            raise ValidationError(gettext("通报须先审核才能发布"))
        # the region's row is the lock of its numbering: two publications of one region wait for
        # each other, so they never read the same highest number
        Region.objects.select_for_update().filter(pk=b.region_id).first()
        taken = list(
            Bulletin.objects.filter(region=b.region, year=b.year, number__isnull=False).values_list(
                "number", flat=True
            )
        )
        b.number = max(taken, default=0) + 1
        b.status, b.published_by, b.published_at = Bulletin.Status.PUBLISHED, actor, timezone.now()
        b.save()
        audit.record(
            "event",
            b,
            event="bulletin_published",
            changes={gettext_noop("文号"): b.issued_number},
            actor=actor,
        )
        notify(
            recipients(b.region),
            gettext("通报 %(no)s：%(title)s") % {"no": b.issued_number, "title": b.title},
            url=b.get_absolute_url(),
        )
        # its Word and PDF never change now: the worker renders and stores them once
        # (in-process unless a worker is configured; oversight.bulletin_files)
        pk = b.pk
        transaction.on_commit(lambda: render_bulletin.delay(pk))
    return b
