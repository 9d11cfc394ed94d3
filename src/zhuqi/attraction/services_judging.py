"""线索研判会 (the monthly meeting that judges leads): the office calls a meeting with the leads
to judge, records each lead's scores, committed 亩均税收, decision and reason, and closes the
meeting — which applies every decision through `services.move_lead` (so the stage history and
the team's notice are the usual ones): follow keeps the lead where it is, park shelves it (搁置),
drop loses it (流失); each lead's running 研判 clock stops. The minutes are `minutes_docx`."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region

from . import services, workflow
from .models import CRITERIA, ClockKind, Decision, JudgingItem, JudgingMeeting, Lead, LeadClock, Stage

#: the most leads one meeting takes
MAX_ITEMS = 50


def candidates_q() -> Q:
    """Leads a 研判会 may judge: in an open main stage before 签约 (线索 … 预审)."""
    return Q(
        stage__is_lost=False,
        stage__is_shelved=False,
        stage__is_final=False,
        stage__is_won=False,
        stage__needs_prereview=False,
    )


def candidates(actor, region: Region):
    """The visible leads of `region`'s subtree a meeting may judge, oldest registration first."""
    return (
        Lead.objects.visible_to(actor)
        .filter(candidates_q(), region_path__startswith=region.path)
        .select_related("stage", "team")
        .order_by("registered_on", "pk")
    )


def can_manage(user, meeting: JudgingMeeting) -> bool:
    return permissions.allowed(user, "attraction.judging.manage") and services._in_area(user, meeting.region)


@transaction.atomic
def call_meeting(
    *,
    actor,
    region: Region | None,
    title: str,
    held_on: dt.date | None,
    leads: list[Lead],
    place: str = "",
    chair: str = "",
    attendees: str = "",
) -> JudgingMeeting:
    """Call a 研判会 of `region` with the leads to judge (each a candidate the actor sees)."""
    permissions.require(actor, "attraction.judging.manage", gettext("只有专班办公室可以召开线索研判会"))
    if region is None or not services._in_area(actor, region):
        raise ValidationError({"region": gettext("请选择本辖区的区划")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("请填写会议名称")})
    if held_on is None:
        raise ValidationError({"held_on": gettext("请填写会议日期")})
    if not leads:
        raise ValidationError({"leads": gettext("请至少选择一条待研判的线索")})
    if len(leads) > MAX_ITEMS:
        raise ValidationError({"leads": gettext("一次研判会最多研判 %(n)s 条线索") % {"n": MAX_ITEMS}})
    visible = set(
        Lead.objects.visible_to(actor).filter(pk__in=[lead.pk for lead in leads]).values_list("pk", flat=True)
    )
    if any(lead.pk not in visible for lead in leads):
        raise ValidationError({"leads": gettext("所选的记录不存在")})
    allowed = set(
        candidates(actor, region).filter(pk__in=[lead.pk for lead in leads]).values_list("pk", flat=True)
    )
    bad = [lead.title for lead in leads if lead.pk not in allowed]
    if bad:
        raise ValidationError(
            {
                "leads": gettext("这些线索不在本区划或已不在待研判阶段：%(titles)s")
                % {"titles": "、".join(bad)}
            }
        )
    meeting = JudgingMeeting.objects.create(
        region=region,
        title=title[:100],
        held_on=held_on,
        place=(place or "").strip()[:100],
        chair=(chair or "").strip()[:60],
        attendees=(attendees or "").strip(),
        created_by=actor,
    )
    JudgingItem.objects.bulk_create(
        [JudgingItem(meeting=meeting, lead=lead, order=i) for i, lead in enumerate(leads, start=1)]
    )
    audit.record(
        "event",
        meeting,
        event="judging_called",
        changes={
            gettext_noop("会议日期"): str(held_on),
            gettext_noop("线索"): [lead.title for lead in leads],
        },
        actor=actor,
    )
    return meeting


def _score(value: Any, title: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 10:
        raise ValidationError(
            gettext("「%(title)s」的“%(label)s”应为 0 到 10 的整数") % {"title": title, "label": label}
        )
    return n


@transaction.atomic
def record_judgements(
    meeting: JudgingMeeting, rows: dict[int, dict[str, Any]], *, actor, decide: bool = False
) -> JudgingMeeting:
    """Record the scores, 亩均税收, decision and reason of each item (`rows`: item id → values);
    with `decide`, close the meeting: every item needs every score and a decision, park and drop
    a reason, and each decision is applied to its lead. All or nothing; messages name the lead."""
    meeting = JudgingMeeting.objects.select_for_update().select_related("region").get(pk=meeting.pk)
    if not can_manage(actor, meeting):
        raise PermissionDenied(gettext("只有本辖区的专班办公室可以记录研判结论"))
    if meeting.status != JudgingMeeting.Status.OPEN:
        raise ValidationError(gettext("该研判会已作出决定，不能再修改"))
    items = list(meeting.items.select_related("lead__stage").order_by("order", "pk"))
    for item in items:
        row = rows.get(item.pk)
        if row is None:
            continue
        title = item.lead.title
        for field, label in CRITERIA:
            setattr(item, field, _score(row.get(field), title, str(label)))
        tax = row.get("tax_per_mu")
        if tax in (None, ""):
            item.tax_per_mu = None
        else:
            try:
                item.tax_per_mu = Decimal(str(tax))
            except ArithmeticError:
                item.tax_per_mu = Decimal(-1)
            if not item.tax_per_mu.is_finite() or not Decimal(0) <= item.tax_per_mu < Decimal(10) ** 8:
                raise ValidationError(
                    gettext("「%(title)s」的承诺亩均税收应为不小于 0 的数（万元/亩）") % {"title": title}
                )
        decision = row.get("decision") or ""
        if decision and decision not in Decision.values:
            raise ValidationError(gettext("「%(title)s」：请选择研判结论") % {"title": title})
        item.decision = decision
        item.reason = (row.get("reason") or "").strip()
        item.save()
    if decide:
        _decide(meeting, items, actor)
    audit.record(
        "event",
        meeting,
        event="judging_decided" if decide else "judging_scored",
        changes={
            gettext_noop("研判结论"): [
                f"{item.lead.title}: {item.get_decision_display() or '—'}" for item in items
            ]
        },
        actor=actor,
    )
    return meeting


def _decide(meeting: JudgingMeeting, items: list[JudgingItem], actor) -> None:
    if not items:
        raise ValidationError(gettext("该研判会没有待研判的线索"))
    for item in items:
        title = item.lead.title
        if item.total is None:
            raise ValidationError(gettext("「%(title)s」还有未评分的研判指标") % {"title": title})
        if not item.decision:
            raise ValidationError(gettext("「%(title)s」：请选择研判结论") % {"title": title})
        if item.decision != Decision.FOLLOW and not item.reason:
            raise ValidationError(
                gettext("「%(title)s」：%(decision)s须说明理由")
                % {"title": title, "decision": item.get_decision_display()}
            )
    now = timezone.now()
    for item in items:
        lead = item.lead
        lead.refresh_from_db()
        reason = gettext("%(meeting)s：%(reason)s") % {
            "meeting": meeting.title,
            "reason": item.reason or item.get_decision_display(),
        }
        target = _target(lead, item.decision)
        if target is not None:
            try:
                services.move_lead(lead, target, actor=actor, reason=reason)
            except ValidationError as exc:
                raise ValidationError(
                    gettext("「%(title)s」：%(message)s")
                    % {"title": lead.title, "message": "；".join(exc.messages)}
                ) from None
        LeadClock.objects.filter(lead=lead, kind=ClockKind.JUDGE, done_at__isnull=True).update(
            done_at=now, done_by=actor, note=reason[:200]
        )
    meeting.status, meeting.decided_by, meeting.decided_at = JudgingMeeting.Status.DECIDED, actor, now
    meeting.save(update_fields=["status", "decided_by", "decided_at"])


def _target(lead: Lead, decision: str) -> Stage | None:
    """The stage a decision moves the lead to, or None when it stays (follow; already there)."""
    if decision == Decision.FOLLOW:
        return None
    want = "shelve" if decision == Decision.PARK else "drop"
    for move, stage in workflow.targets(lead):
        if move == want:
            return stage
    if (decision == Decision.PARK and lead.stage.is_shelved) or (
        decision == Decision.DROP and lead.stage.is_lost
    ):
        return None
    raise ValidationError(
        gettext("「%(title)s」当前处于「%(stage)s」，不能%(decision)s")
        % {"title": lead.title, "stage": lead.stage.name, "decision": Decision(decision).label}
    )


# --- the minutes (会议纪要) -------------------------------------------------------------------------
def minutes_docx(meeting: JudgingMeeting) -> bytes:
    """The minutes as a plain Word document: the meeting's particulars, one table row per lead
    (scores, total, committed 亩均税收, decision, reason) and the decisions in words."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(gettext("%(title)s会议纪要") % {"title": meeting.title})
    run.bold = True
    run.font.size = Pt(18)
    for label, value in (
        (gettext("时间"), meeting.held_on.strftime("%Y-%m-%d")),
        (gettext("地点"), meeting.place or "—"),
        (gettext("主持人"), meeting.chair or "—"),
        (gettext("参会人员"), meeting.attendees or "—"),
    ):
        doc.add_paragraph(gettext("%(label)s：%(value)s") % {"label": label, "value": value})
    items = list(meeting.items.select_related("lead__team").order_by("order", "pk"))
    doc.add_paragraph(
        gettext("会议对 %(n)s 条招商线索进行了研判，逐项评分（每项 0—10 分）并形成结论如下：")
        % {"n": len(items)}
    )
    headers = [gettext("序号"), gettext("项目名称"), gettext("投资方")]
    headers += [str(label) for _f, label in CRITERIA]
    headers += [gettext("合计"), gettext("承诺亩均税收（万元/亩）"), gettext("研判结论")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for i, item in enumerate(items, start=1):
        values = [str(i), item.lead.title, item.lead.investor_name]
        values += ["" if getattr(item, f) is None else str(getattr(item, f)) for f, _l in CRITERIA]
        values += [
            "" if item.total is None else str(item.total),
            "" if item.tax_per_mu is None else str(item.tax_per_mu),
            item.get_decision_display() or gettext("未定"),
        ]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    for i, item in enumerate(items, start=1):
        doc.add_paragraph(
            gettext("%(i)s. %(title)s：%(decision)s。%(reason)s")
            % {
                "i": i,
                "title": item.lead.title,
                "decision": item.get_decision_display() or gettext("未定"),
                "reason": item.reason,
            }
        )
    if meeting.status == JudgingMeeting.Status.OPEN:
        doc.add_paragraph(gettext("（研判尚未结束，本纪要为草稿。）"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
