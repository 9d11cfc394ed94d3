"""Every state change of a supervision item: create (by hand, from a source, or a task list's
rows), the lead department's progress reports and reply, 督查's review (accept / return /
close / cancel, `fire`), extension requests and their decision. Each locks the item, checks the
workflow table and the actor, writes, audits in the same transaction and notifies.

Oversight writes none of the other apps' data: a source (case, project …) is only linked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region
from zhuqi.core.notify import notify
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES, Role
from zhuqi.core.scope import require_visible
from zhuqi.core.workcalendar import add_working_days

from . import workflow
from .models import (
    FREQUENCY_DAYS,
    Extension,
    Frequency,
    Item,
    ListKind,
    Priority,
    Report,
    Slip,
    Source,
    Status,
)

#: the longest deadline a form may set, in working days (about a year)
MAX_WORKING_DAYS = 250


def _today() -> dt.date:
    return timezone.localdate()


def _lock(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("region", "lead_department").get(pk=item.pk)


def department_users(*dept_ids) -> list:
    """The people acting for these departments (their inbox)."""
    User = get_user_model()
    return list(
        User.objects.filter(
            department_id__in=[d for d in dept_ids if d], role__in=DEPARTMENT_ACTOR_ROLES, is_active=True
        )
    )


def overseers(item: Item) -> list:
    """督查 of the item's region and the regions above it."""
    User = get_user_model()
    return list(
        User.objects.filter(
            role=Role.SUPERVISOR, region__path__in=item.region.ancestor_paths(), is_active=True
        )
    )


def next_report(day: dt.date, frequency: str) -> dt.date | None:
    """The date the next progress report is due after a report (or the assignment) on `day`."""
    days = FREQUENCY_DAYS.get(Frequency(frequency)) if frequency else None
    return day + dt.timedelta(days=days) if days else None


def parse_progress(value) -> Decimal | None:
    """A completion percentage 0–100 from a form or a cell; None when empty."""
    if value is None or str(value).strip() == "":
        return None
    try:
        pct = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation as exc:
        raise ValidationError({"progress_pct": gettext("完成进度应为 0–100 之间的数字")}) from exc
    if not pct.is_finite() or not Decimal(0) <= pct <= Decimal(100):
        raise ValidationError({"progress_pct": gettext("完成进度应为 0–100 之间的数字")})
    return pct.quantize(Decimal("0.1"))


def _check_fields(
    *, title: str, lead_department, assisting, due_on, assigned_on, source: str, priority: str, frequency: str
) -> dict:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = gettext("请填写事项名称")
    if lead_department is None:
        errors["lead_department"] = gettext("请选择牵头单位")
    elif not lead_department.is_active:
        errors["lead_department"] = gettext("牵头单位已停用")
    elif any(d.pk == lead_department.pk for d in assisting):
        errors["assisting_departments"] = gettext("配合单位不能与牵头单位相同")
    if due_on is None:
        errors["due_on"] = gettext("请填写办结时限")
    elif due_on < assigned_on:
        errors["due_on"] = gettext("办结时限不能早于交办日期")
    if source not in Source.values:
        errors["source"] = gettext("来源不正确")
    if priority not in Priority.values:
        errors["priority"] = gettext("重要程度不正确")
    if frequency not in Frequency.values:
        errors["report_frequency"] = gettext("报送频次不正确")
    return errors


def due_from_working_days(assigned_on: dt.date, working_days: int | None) -> dt.date:
    """The deadline `working_days` working days after the assignment (core/workcalendar.py)."""
    if working_days is None or not 1 <= working_days <= MAX_WORKING_DAYS:
        raise ValidationError(
            {"working_days": gettext("办理时限应为 1–%(max)s 个工作日") % {"max": MAX_WORKING_DAYS}}
        )
    return add_working_days(assigned_on, working_days)


def _build_item(
    *,
    actor,
    region: Region,
    title: str,
    lead_department: Department,
    assisting=(),
    due_on: dt.date | None = None,
    working_days: int | None = None,
    assigned_on: dt.date | None = None,
    requirement: str = "",
    source: str = Source.OTHER,
    source_text: str = "",
    source_object: Model | None = None,
    list_kind: str = "",
    year: int | None = None,
    priority: str = Priority.NORMAL,
    report_frequency: str = Frequency.NONE,
) -> tuple[Item, list]:
    assigned_on = assigned_on or _today()
    if due_on is None and working_days is not None:
        due_on = due_from_working_days(assigned_on, working_days)
    assisting = list(assisting)
    errors = _check_fields(
        title=title,
        lead_department=lead_department,
        assisting=assisting,
        due_on=due_on,
        assigned_on=assigned_on,
        source=source,
        priority=priority,
        frequency=report_frequency,
    )
    if list_kind and list_kind not in ListKind.values:
        errors["list_kind"] = gettext("清单类型不正确")
    if errors or due_on is None:
        raise ValidationError(errors)
    item = Item(
        region=region,
        title=title.strip()[:200],
        requirement=(requirement or "").strip(),
        source=source,
        source_text=(source_text or "").strip()[:200],
        list_kind=list_kind or "",
        year=year or (assigned_on.year if list_kind else None),
        lead_department=lead_department,
        priority=priority,
        report_frequency=report_frequency,
        assigned_on=assigned_on,
        working_days=working_days,
        due_on=due_on,
        next_report_on=next_report(assigned_on, report_frequency),
        created_by=actor,
    )
    if source_object is not None:
        item.source_type = ContentType.objects.get_for_model(source_object)
        item.source_id = str(source_object.pk)
    return item, assisting


def create_item(*, actor, region: Region | None = None, sweep_now: bool = True, **fields) -> Item:
    """Create one supervision item (督查, the dispatch office, admins) in the actor's region (or
    the given one, within their scope), notify the lead and assisting departments, and apply the
    slip rules to it at once (a 重大/紧急/领导批示 item is orange from the start)."""
    permissions.require(actor, "oversight.item.create", gettext("您不能交办督办事项"))
    region = region or _actor_region(actor)
    if region is None:
        raise ValidationError({"region": gettext("请选择督办区划")})
    with transaction.atomic():
        require_visible(actor, "region", region)
        require_visible(actor, "lead_department", fields.get("lead_department"))
        require_visible(actor, "assisting_departments", *fields.get("assisting", ()))
        item, assisting = _build_item(actor=actor, region=region, **fields)
        item.save()
        item.assisting_departments.set(assisting)
        audit.record(
            "event",
            item,
            event="oversight_assigned",
            changes={
                gettext_noop("牵头单位"): item.lead_department.name,
                gettext_noop("配合单位"): "、".join(d.name for d in assisting),
                gettext_noop("办结时限"): item.due_on.isoformat(),
            },
            actor=actor,
        )
        notify(
            department_users(item.lead_department_id, *[d.pk for d in assisting]),
            gettext("新的督办事项：%(title)s") % {"title": item.title},
            body=gettext("办结时限 %(due)s") % {"due": item.due_on.isoformat()},
            url=item.get_absolute_url(),
        )
        if sweep_now:
            from .sweep import sweep

            sweep(item_ids=[item.pk])
    item.refresh_from_db()
    return item


def _actor_region(actor) -> Region | None:
    if actor.region_id:
        return actor.region
    if actor.department_id:
        return actor.department.region
    return None


def import_items(rows: list[dict], *, actor) -> tuple[int, int]:
    """The rows of a task-list import (importers.TaskListImporter), created in one go inside
    the import's transaction; then one sweep over the new items."""
    permissions.require(actor, "oversight.import", gettext("您不能导入督办清单"))
    created = []
    for row in rows:
        item, assisting = _build_item(
            actor=actor,
            region=row["region"],
            title=row["title"],
            requirement=row.get("requirement", ""),
            lead_department=row["lead_department"],
            assisting=row["assisting"],
            due_on=row["due_on"],
            source=Source.PLAN,
            source_text=row.get("source_text", ""),
            list_kind=row["list_kind"],
            year=row["year"],
            priority=row["priority"],
            report_frequency=row["report_frequency"],
            assigned_on=row.get("assigned_on"),
        )
        item.save()
        item.assisting_departments.set(assisting)
        created.append(item)
    audit.record_many(
        [
            {
                "action": "event",
                "obj": item,
                "event": "oversight_assigned",
                "changes": {
                    gettext_noop("牵头单位"): item.lead_department.name,
                    gettext_noop("办结时限"): item.due_on.isoformat(),
                },
                "actor": actor,
            }
            for item in created
        ]
    )
    by_dept: dict[int, list[Item]] = {}
    for item in created:
        by_dept.setdefault(item.lead_department_id, []).append(item)
    for dept_id, items in by_dept.items():
        notify(
            department_users(dept_id),
            gettext("新交办 %(n)s 项督办事项") % {"n": len(items)},
            url=reverse("oversight:item_list"),
        )
    from .sweep import sweep

    sweep(item_ids=[i.pk for i in created])
    return len(created), 0


def _report(item: Item, kind: str, actor, body: str = "", pct: Decimal | None = None) -> Report:
    return Report.objects.create(item=item, kind=kind, body=body, progress_pct=pct, by=actor)


def report_progress(item: Item, *, actor, body: str, progress_pct=None) -> Item:
    """The lead department reports progress (进展报送) while the item is 办理中: it counts as a
    response to the current slip, updates the completion and moves the next report date."""
    pct = parse_progress(progress_pct)
    with transaction.atomic():
        item = _lock(item)
        if not workflow.is_lead(actor, item):
            raise PermissionDenied(gettext("只有牵头单位可以报送进展"))
        if item.status != Status.ASSIGNED:
            raise ValidationError(gettext("该督办事项不在办理中，不能报送进展"))
        body = (body or "").strip()
        if not body:
            raise ValidationError({"body": gettext("请填写进展情况")})
        now = timezone.now()
        _report(item, Report.Kind.PROGRESS, actor, body, pct)
        item.last_response_at = now
        if pct is not None:
            item.progress_pct = pct
        item.next_report_on = next_report(timezone.localdate(now), item.report_frequency)
        item.save(update_fields=["last_response_at", "progress_pct", "next_report_on"])
        audit.record(
            "event",
            item,
            event="oversight_progress",
            changes={
                gettext_noop("进展"): body,
                gettext_noop("完成进度"): str(pct) if pct is not None else "",
            },
            actor=actor,
        )
        notify(
            overseers(item),
            gettext("督办事项报送进展：%(title)s") % {"title": item.title},
            url=item.get_absolute_url(),
        )
    return item


def fire(item: Item, action: str, *, actor, body: str = "", progress_pct=None) -> Item:
    """Fire one transition of `workflow.TRANSITIONS`: the lead department's reply, 督查's
    accept / return (a reason needed) / close / cancel (a reason needed)."""
    pct = parse_progress(progress_pct) if action == "reply" else None
    with transaction.atomic():
        item = _lock(item)
        t = workflow.check(action, item, actor)
        body = (body or "").strip()
        if action in ("reply", "return", "cancel") and not body:
            field_msg = {
                "reply": gettext("请填写办结情况"),
                "return": gettext("请填写退回理由"),
                "cancel": gettext("请填写撤销理由"),
            }[action]
            raise ValidationError({"body": field_msg})
        now = timezone.now()
        old = item.status
        item.status = t.target
        fields = ["status"]
        if action == "reply":
            _report(item, Report.Kind.REPLY, actor, body, pct if pct is not None else Decimal(100))
            item.progress_pct = pct if pct is not None else Decimal(100)
            item.last_response_at = now
            fields += ["progress_pct", "last_response_at"]
        elif action == "accept":
            _report(item, Report.Kind.ACCEPTED, actor, body)
        elif action == "return":
            _report(item, Report.Kind.RETURNED, actor, body)
        elif action == "close":
            _report(item, Report.Kind.CLOSED, actor, body)
        if t.target in (Status.CLOSED, Status.CANCELLED):
            item.closed_at = now
            fields.append("closed_at")
        item.save(update_fields=fields)
        audit.record(
            "transition",
            item,
            event=f"oversight_{action}",
            changes={"status": [old, t.target], gettext_noop("说明"): body},
            actor=actor,
        )
        if t.actor == workflow.LEAD:
            notify(
                overseers(item),
                gettext("督办事项已回复，请审核：%(title)s") % {"title": item.title},
                url=item.get_absolute_url(),
            )
        else:
            notify(
                department_users(item.lead_department_id),
                gettext("督办事项%(action)s：%(title)s") % {"action": t.label, "title": item.title},
                body=body,
                url=item.get_absolute_url(),
                level="warning" if action == "return" else "info",
            )
    return item


def request_extension(item: Item, *, actor, reason: str, new_due_on: dt.date | None) -> Extension:
    """The lead department asks, before the deadline, to move it to `new_due_on`, with a reason."""
    with transaction.atomic():
        item = _lock(item)
        if not workflow.is_lead(actor, item):
            raise PermissionDenied(gettext("只有牵头单位可以申请延期"))
        if item.status != Status.ASSIGNED:
            raise ValidationError(gettext("该督办事项不在办理中，不能申请延期"))
        today = _today()
        if today > item.due_on:
            raise ValidationError(gettext("已超过办结时限，不能再申请延期"))
        reason = (reason or "").strip()
        errors = {}
        if not reason:
            errors["reason"] = gettext("请填写延期理由")
        if new_due_on is None:
            errors["new_due_on"] = gettext("请填写申请延至的日期")
        elif new_due_on <= item.due_on:
            errors["new_due_on"] = gettext("申请延至的日期应晚于原办结时限 %(due)s") % {
                "due": item.due_on.isoformat()
            }
        if errors or new_due_on is None:
            raise ValidationError(errors)
        if item.extensions.filter(status=Extension.Status.PENDING).exists():
            raise ValidationError(gettext("已有一份延期申请在审批中"))
        ext = Extension.objects.create(
            item=item, reason=reason, old_due_on=item.due_on, new_due_on=new_due_on, requested_by=actor
        )
        item.last_response_at = timezone.now()
        item.save(update_fields=["last_response_at"])
        audit.record(
            "event",
            item,
            event="oversight_extension_requested",
            changes={gettext_noop("申请延至"): new_due_on.isoformat(), gettext_noop("理由"): reason},
            actor=actor,
        )
        notify(
            overseers(item),
            gettext("督办事项申请延期：%(title)s") % {"title": item.title},
            url=item.get_absolute_url(),
        )
    return ext


def decide_extension(ext: Extension, *, actor, approve: bool, note: str = "") -> Extension:
    """督查 approves (the deadline moves and the slip starts again from 正常, the sweep
    re-applies the rules) or refuses a pending extension request."""
    with transaction.atomic():
        item = _lock(ext.item)
        ext = Extension.objects.select_for_update().get(pk=ext.pk)
        if not workflow.is_overseer(actor, item):
            raise PermissionDenied(gettext("只有督查可以审批延期申请"))
        if ext.status != Extension.Status.PENDING:
            raise ValidationError(gettext("该延期申请已审批"))
        note = (note or "").strip()
        if not approve and not note:
            raise ValidationError({"note": gettext("不同意延期时请填写理由")})
        ext.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, timezone.now(), note
        ext.save()
        if approve:
            item.due_on = ext.new_due_on
            item.slip, item.slip_reason, item.slip_at = Slip.NONE, "", None
            item.save(update_fields=["due_on", "slip", "slip_reason", "slip_at"])
        audit.record(
            "event",
            item,
            event="oversight_extension_approved" if approve else "oversight_extension_refused",
            changes={gettext_noop("申请延至"): ext.new_due_on.isoformat(), gettext_noop("意见"): note},
            actor=actor,
        )
        notify(
            department_users(item.lead_department_id),
            (gettext("延期申请已同意：%(title)s") if approve else gettext("延期申请未同意：%(title)s"))
            % {"title": item.title},
            body=note,
            url=item.get_absolute_url(),
        )
        if approve:
            from .sweep import sweep

            sweep(item_ids=[item.pk])
    return ext
