"""The cases queues on home pages: each role opens on the cases it must act on, the nearest
deadline first; every figure links to the list showing exactly its rows."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import DEPARTMENT_ROLES, MANAGER_ROLES, Role

from . import selectors
from .models import Case, CoordinationSession, EscalationLevel

TEMPLATE = "core/_queue_card.html"
QUEUE_ORDER = 10  # the role's own work: first on the page
SUMMARY_ORDER = 60


def _items(cases, now, *, meta=None) -> list[dict]:
    """Queue rows: the case, where it stands, its nearest deadline (red when past)."""
    out = []
    for c in cases:
        overdue = c.next_due_at is not None and c.next_due_at < now
        out.append(
            {
                "title": f"{c.no} {c.title}",
                "url": reverse("cases:detail", args=[c.pk]),
                "meta": meta(c) if meta else f"{c.enterprise.name} · {c.get_status_display()}",
                "due": c.next_due_at and timezone.localtime(c.next_due_at),
                "due_label": _("已超时 ") if overdue else _("期限 "),
                "tone": "danger" if overdue else ("warning" if c.rag == "yellow" else ""),
                "badge": c.get_escalation_level_display()
                if c.escalation_level >= EscalationLevel.COUNTY
                else "",
            }
        )
    return out


def _card(testid, title, stats, items, link, link_label, order=QUEUE_ORDER, empty=None) -> dict:
    return {
        "template": TEMPLATE,
        "testid": testid,
        "order": order,
        "title": title,
        "stats": stats,
        "items": items,
        "link": link,
        "link_label": link_label,
        "empty": empty or _("没有待办的诉求"),
    }


def cases_card(request) -> dict | None:
    """The role's case queue: the enterprise's own open cases, a department's cases to sign
    and due, the dispatch office's cases to accept, dispatch and decide, the leader's cases
    escalated to the county, the cases of a commissioner's or grid member's enterprises, the
    overdue cases for 督查; others (observer, admin) get the open and overdue counts."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    now = timezone.now()
    if role == Role.ENTERPRISE:
        n = selectors.home_counts(user, "enterprise", now)
        portal = reverse("cases:portal")
        return _card(
            "cases-card",
            _("我的诉求"),
            [
                (_("办理中"), n["open"], portal + "?open=1", ""),
                (_("待评价"), n["replied"], portal + "?status=replied", "warning"),
                (_("已办结"), n["closed"], portal + "?status=closed", ""),
            ],
            _items(
                selectors.home_queue(user, "enterprise", now, ("open",)),
                now,
                meta=lambda c: c.get_status_display(),
            ),
            reverse("cases:portal_new"),
            _("提交诉求"),
            empty=_("没有办理中的诉求"),
        )
    if role in DEPARTMENT_ROLES:
        if not user.department_id:
            return None
        n = selectors.home_counts(user, "department", now)
        supervision = selectors.inbox(user, now)["supervision"].count()
        inbox = reverse("cases:inbox")
        return _card(
            "cases-card",
            _("本部门待办诉求"),
            [
                (_("待签收"), n["sign"], inbox + "?tab=sign", "warning"),
                (_("即将到期"), n["soon"], inbox + "?tab=soon", "warning"),
                (_("已超时"), n["overdue"], inbox + "?tab=overdue", "danger"),
                (_("督办待答复"), supervision, inbox + "?tab=supervision", "danger"),
                (_("办理中"), n["work"], inbox + "?tab=work", ""),
            ],
            _items(selectors.home_queue(user, "department", now, ("sign", "soon", "overdue")), now),
            inbox,
            _("进入部门待办"),
        )
    if role in MANAGER_ROLES and permissions.allowed(user, "cases.board"):
        n = selectors.home_counts(user, "dispatch", now)
        board = reverse("cases:board")
        card = _card(
            "cases-card",
            _("待受理、交办和审批的诉求"),
            [
                (_("待受理"), n["new"], board + "?tab=new", "warning"),
                (_("待交办"), n["unrouted"], board + "?tab=unrouted", "warning"),
                (_("其中退单"), n["sent_back"], reverse("cases:list") + "?status=sent_back", "danger"),
                (_("延期审批"), n["extension"], board + "?tab=extension", "warning"),
                (_("已超时"), n["overdue"], board + "?tab=overdue", "danger"),
            ],
            _items(selectors.home_queue(user, "dispatch", now, ("new", "unrouted", "extension")), now),
            board,
            _("进入调度台"),
        )
        if role == Role.ADMIN:
            card["order"] = SUMMARY_ORDER
        return card
    if not Case.objects.visible_to(user).exists():
        return None
    n = selectors.home_counts(user, "other", now)
    cases = reverse("cases:list")
    county = f"?open=1&level={EscalationLevel.COUNTY.value}"
    if role == Role.LEADER:
        return _card(
            "cases-card",
            _("提级到县级调度的诉求"),
            [
                (_("县级以上调度"), n["county"], cases + county, "danger"),
                (_("包抓企业诉求"), n["mine"], cases + "?open=1&mine=1", ""),
                (_("已超时"), n["overdue"], cases + "?overdue=1", "danger"),
                (_("办理中"), n["open"], cases + "?open=1", ""),
            ],
            _items(selectors.home_queue(user, "other", now, ("county", "mine"), escalated_first=True), now),
            reverse("cases:leader"),
            _("进入领导视图"),
            empty=_("没有提级的诉求，包抓企业也没有未办结的诉求"),
        )
    if role == Role.SUPERVISOR:
        return _card(
            "cases-card",
            _("超时未办的诉求"),
            [
                (_("已超时"), n["overdue"], cases + "?overdue=1", "danger"),
                (_("县级以上调度"), n["county"], cases + county, "danger"),
                (_("办理中"), n["open"], cases + "?open=1", ""),
            ],
            _items(selectors.home_queue(user, "other", now, ("overdue",)), now),
            cases + "?overdue=1",
            _("全部超时诉求"),
            order=QUEUE_ORDER + 5,
            empty=_("没有超时的诉求"),
        )
    if role in {Role.GRID, Role.COMMISSIONER}:
        return _card(
            "cases-card",
            _("包抓企业未办结的诉求"),
            [
                (_("未办结"), n["mine"], cases + "?open=1&mine=1", ""),
                (_("已超时"), n["overdue"], cases + "?overdue=1", "danger"),
            ],
            _items(selectors.home_queue(user, "other", now, ("mine",)), now),
            cases + "?open=1&mine=1",
            _("全部"),
            order=QUEUE_ORDER + 5,
            empty=_("包抓企业没有未办结的诉求"),
        )
    return _card(
        "cases-card",
        _("企业诉求"),
        [
            (_("办理中"), n["open"], cases + "?open=1", ""),
            (_("已超时"), n["overdue"], cases + "?overdue=1", "danger"),
            (_("县级以上调度"), n["county"], cases + county, "danger"),
        ],
        [],
        cases,
        _("进入"),
        order=SUMMARY_ORDER,
    )


def coordination_card(request) -> dict | None:
    """The county leader's 协调会 queue (the dispatch office's too when it holds anything): the
    cases at level 3/4 waiting for a coordination meeting, most urgent first, and the meetings
    scheduled whose outcome is still to be recorded."""
    user = request.user
    if not permissions.allowed(user, "cases.coordination.manage"):
        return None
    now = timezone.now()
    waiting = selectors.coordination_queue(user, now)
    n_waiting = waiting.count()
    scheduled = selectors.coordination_sessions(user, CoordinationSession.Status.SCHEDULED)
    n_scheduled = scheduled.count()
    role = Role.ADMIN if user.is_superuser else user.role
    if role != Role.LEADER and not (n_waiting or n_scheduled):
        return None
    queue = reverse("cases:coordination")
    items = _items(
        selectors.first_rows(waiting, 5),
        now,
        meta=lambda c: f"{c.enterprise.name} · {c.lead_department.name if c.lead_department else ''}",
    )
    for s in scheduled.order_by("scheduled_at", "pk")[:3]:
        items.append(
            {
                "title": s.title,
                "url": reverse("cases:coordination_detail", args=[s.pk]),
                "meta": _("%(place)s · %(n)s 件待记录结果") % {"place": s.place, "n": s.n_cases},
                "due": timezone.localtime(s.scheduled_at),
                "due_label": _("会议 "),
                "tone": "warning" if s.scheduled_at < now else "",
                "badge": _("已安排"),
            }
        )
    return _card(
        "coordination-card",
        _("待召开协调会的诉求"),
        [
            (_("待协调"), n_waiting, queue, "danger"),
            (_("已安排待记录"), n_scheduled, queue + "#scheduled", "warning"),
        ],
        items,
        queue,
        _("进入协调会"),
        order=QUEUE_ORDER + 2 if role == Role.LEADER else QUEUE_ORDER + 8,
        empty=_("没有等待协调会的诉求"),
    )
