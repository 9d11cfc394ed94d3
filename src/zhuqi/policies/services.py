"""Every change of the policy library: documents and items (with their conditions and amount
rules checked and stored in canonical form). Matching is a read (`selectors`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region
from zhuqi.core.scope import scope_for

from . import amounts, conditions
from .models import PUBLICITY_DAYS, Mode, PolicyDocument, PolicyItem

DOCUMENT_FIELDS = (
    "title",
    "level",
    "issuer",
    "number",
    "issued_on",
    "effective_from",
    "effective_to",
    "region",
    "summary",
)
ITEM_FIELDS = (
    "title",
    "kind",
    "status",
    "data_year",
    "exclusivity_group",
    "budget",
    "window_start",
    "window_end",
    "evidence",
    "mode",
    "limit_days",
    "department",
    "beneficiaries",
    "conditions_text",
    "address",
    "phone",
)


def _in_area(actor, region: Region) -> bool:
    s = scope_for(actor)
    if s.is_admin:
        return True
    return s.region_path is not None and region.path.startswith(s.region_path)


def can_manage_document(actor, document: PolicyDocument | None, region: Region | None = None) -> bool:
    """The matrix first; then the area: a document of the actor's region subtree."""
    if not permissions.allowed(actor, "policies.manage"):
        return False
    region = region or (document.region if document else None)
    return region is None or _in_area(actor, region)


def can_manage(actor, item: PolicyItem) -> bool:
    """An item: administrators any; the dispatch office those of its area; a department's people
    only the items their department is responsible for."""
    if not permissions.allowed(actor, "policies.manage"):
        return False
    s = scope_for(actor)
    if s.is_admin:
        return True
    if actor.department_id and actor.department_id == item.department_id:
        return True
    return permissions.allowed(actor, "policies.manage_area") and _in_area(actor, item.document.region)


def _check_dates(data: dict, first: str, last: str, label: str) -> None:
    if data.get(first) and data.get(last) and data[first] > data[last]:
        raise ValidationError({last: _("%(label)s不能早于开始日期") % {"label": label}})


@transaction.atomic
def save_document(document: PolicyDocument | None, *, actor, **data) -> PolicyDocument:
    """Create (`document` None) or change a policy document."""
    permissions.require(actor, "policies.manage", _("您不能维护政策文件"))
    region = data.get("region")
    if not isinstance(region, Region):
        raise ValidationError({"region": _("请选择适用区域")})
    if document is not None:
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        if not can_manage_document(actor, document):
            raise PermissionDenied(_("该政策文件不在您的管理范围内"))
    if not can_manage_document(actor, None, region):
        raise ValidationError({"region": _("只能选择本辖区或其下的区域")})
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("请填写文件标题")})
    _check_dates(data, "effective_from", "effective_to", _("有效期至"))
    created = document is None
    document = document or PolicyDocument(created_by=actor)
    for f in DOCUMENT_FIELDS:
        if f in data:
            setattr(document, f, data[f])
    document.full_clean(exclude=["created_by"])
    document.save()
    audit.record(
        "event",
        document,
        event="policy_document_created" if created else "policy_document_changed",
        changes={gettext_noop("文件标题"): document.title, gettext_noop("文号"): document.number},
        actor=actor,
    )
    return document


@transaction.atomic
def save_item(
    item: PolicyItem | None, *, actor, document: PolicyDocument | None = None, **data
) -> PolicyItem:
    """Create (with `document`) or change an item. Conditions and the amount rule are checked
    (`conditions.normalise`, `amounts.normalise`) and stored in canonical form; nothing is saved
    when any part is wrong."""
    permissions.require(actor, "policies.manage", _("您不能维护政策事项"))
    if item is not None:
        item = PolicyItem.objects.select_for_update().select_related("document__region").get(pk=item.pk)
        if not can_manage(actor, item):
            raise PermissionDenied(_("该政策事项不归您的部门负责"))
        document = item.document
    elif document is None or not can_manage_document(actor, document):
        raise PermissionDenied(_("该政策文件不在您的管理范围内"))
    department = data.get("department")
    if not isinstance(department, Department):
        raise ValidationError({"department": _("请选择责任部门")})
    s = scope_for(actor)
    if not s.is_admin and not permissions.allowed(actor, "policies.manage_area"):
        if department.pk != actor.department_id:
            raise ValidationError({"department": _("只能登记本部门负责的政策事项")})
    elif not Department.objects.visible_to(actor).filter(pk=department.pk).exists() and not s.is_admin:
        raise ValidationError({"department": _("责任部门不存在")})
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("请填写事项名称")})
    _check_dates(data, "window_start", "window_end", _("申报截止"))
    year = data.get("data_year") or (item.data_year if item else None)
    if not year:
        raise ValidationError({"data_year": _("请填写数据年度")})
    tree = conditions.normalise(data.get("conditions", item.conditions if item else {}), default_year=year)
    rule = amounts.normalise(data.get("amount_rule", item.amount_rule if item else {}), default_year=year)
    created = item is None
    if item is None:
        item = PolicyItem(document=document, created_by=actor)
    before = {"status": item.status, "conditions": item.conditions, "amount_rule": item.amount_rule}
    for f in ITEM_FIELDS:
        if f in data:
            setattr(item, f, data[f])
    item.conditions, item.amount_rule = tree, rule
    if item.status == PolicyItem.Status.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    item.full_clean(exclude=["created_by", "document", "department"])
    item.save()
    changes: dict[str, object] = {
        gettext_noop("事项名称"): item.title,
        gettext_noop("状态"): item.get_status_display(),
    }
    if before["conditions"] != tree:
        changes[gettext_noop("申享条件")] = conditions.describe(tree)
    if before["amount_rule"] != rule:
        changes[gettext_noop("金额规则")] = amounts.describe(rule)
    audit.record(
        "event",
        item,
        event="policy_item_created" if created else "policy_item_changed",
        changes=changes,
        actor=actor,
    )
    return item


# --- push and fulfilment -------------------------------------------------------------------------
def _enterprise_users(enterprise_ids) -> dict[int, list]:
    from zhuqi.enterprises.models import EnterpriseUser

    out: dict[int, list] = {}
    for m in EnterpriseUser.objects.filter(enterprise_id__in=list(enterprise_ids)).select_related("user"):
        out.setdefault(m.enterprise_id, []).append(m.user)
    return out


@transaction.atomic
def push_item(item: PolicyItem, *, actor) -> int:
    """Push a live item to every enterprise that qualifies and has not been told yet: one
    matching query, one bulk insert, one audit entry, one batch of notices (the enterprise's
    users on the portal and its 包保 officials; outbound channels on commit). Returns how many
    enterprises were newly told."""
    from zhuqi.core.notify import notify_many
    from zhuqi.core.scope import responsible_officials
    from zhuqi.enterprises.models import Enterprise

    from . import selectors
    from .models import Match

    permissions.require(actor, "policies.push", _("您不能推送政策"))
    item = PolicyItem.objects.select_for_update().select_related("document__region").get(pk=item.pk)
    if not can_manage(actor, item):
        raise PermissionDenied(_("该政策事项不归您的部门负责"))
    if not item.is_live():
        raise ValidationError(_("只能推送已发布且在有效期内的事项"))
    told = Match.objects.filter(item=item).values("enterprise_id")
    ids = list(selectors.matched(item, Enterprise.objects.exclude(pk__in=told)).values_list("pk", flat=True))
    Match.objects.bulk_create([Match(item=item, enterprise_id=i) for i in ids])
    audit.record(
        "event",
        item,
        event="policy_pushed",
        changes={gettext_noop("推送企业数"): len(ids)},
        actor=actor,
    )
    from django.urls import reverse

    url = reverse("policies:mine")
    users = _enterprise_users(ids)
    officials = responsible_officials(ids)
    names = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "name"))
    notify_many(
        [
            {
                "recipients": users.get(i, []),
                "title": _("您的企业符合“%(title)s”的条件") % {"title": item.title},
                "url": url,
            }
            for i in ids
            if users.get(i)
        ]
        + [
            {
                "recipients": officials.get(i, []),
                "title": _("包保企业%(name)s符合“%(title)s”的条件") % {"name": names[i], "title": item.title},
                "url": reverse("policies:item_detail", args=[item.pk]),
            }
            for i in ids
            if officials.get(i)
        ]
    )
    return len(ids)


def mark_read(enterprise, item_ids) -> None:
    """The enterprise opened its policies: its pushes of these items are read (no audit: a
    read, not a change)."""
    from .models import Match

    Match.objects.filter(enterprise=enterprise, item_id__in=list(item_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def apply_item(item: PolicyItem, *, actor):
    """An enterprise user applies for an item its enterprise qualifies for, within the window;
    the amount is worked out from its own figures and the clock starts (`limit_days` working
    days)."""
    from zhuqi.core.notify import notify
    from zhuqi.core.workcalendar import add_working_days

    from . import amounts, conditions, selectors
    from .models import Application

    permissions.require(actor, "policies.apply", _("只有企业用户可以申报"))
    enterprise = selectors.own_enterprise(actor)
    item = (
        PolicyItem.objects.select_for_update()
        .select_related("document__region", "department")
        .get(pk=item.pk)
    )
    today = timezone.localdate()
    if not item.is_live(today):
        raise ValidationError(_("该事项已停止或已过期"))
    if item.mode == Mode.AUTOMATIC:
        raise ValidationError(_("该事项免申即享，无需申报：责任部门核定名单并公示后，会通知您确认收款账户"))
    if (item.window_start and today < item.window_start) or (item.window_end and today > item.window_end):
        raise ValidationError(
            _("不在申报时间内（%(start)s 至 %(end)s）")
            % {"start": item.window_start or "—", "end": item.window_end or "—"}
        )
    if Application.objects.filter(item=item, enterprise=enterprise).exists():
        raise ValidationError(_("本企业已申报过该事项"))
    facts = conditions.Facts(enterprise)
    explanation = selectors.explain(item, enterprise).explanation
    if not explanation.met:
        missing = "；".join(f"{ln.label} {ln.wants}" for ln in explanation.missing)
        raise ValidationError(_("本企业不符合申报条件：%(missing)s") % {"missing": missing})
    amount, _text = amounts.compute(item.amount_rule, facts)
    application = Application.objects.create(
        item=item,
        enterprise=enterprise,
        year=today.year,
        amount=amount,
        computed_amount=amount,
        due_on=add_working_days(today, item.limit_days),
        applied_by=actor,
    )
    audit.record(
        "event",
        application,
        event="policy_applied",
        changes={gettext_noop("事项名称"): item.title, gettext_noop("金额"): str(amount or "")},
        actor=actor,
    )
    from django.urls import reverse

    from zhuqi.core.models import User
    from zhuqi.core.roles import DEPARTMENT_ROLES

    notify(
        User.objects.filter(department=item.department, role__in=DEPARTMENT_ROLES, is_active=True),
        _("%(name)s申报了“%(title)s”") % {"name": enterprise.name, "title": item.title},
        url=reverse("policies:application_detail", args=[application.pk]),
    )
    return application


def complain(application, *, text: str, actor):
    """The enterprise's complaint about a claim's fulfilment (slow, short paid, refused without
    reason) goes into the one pool of problems as a 诉求 with channel 政策兑现, handled, escalated
    and closed like any other; the claim keeps a link to it. The enterprise's own users only."""
    from zhuqi.cases import services as case_services
    from zhuqi.cases.models import Case, Channel

    from . import selectors
    from .models import Application

    permissions.require(actor, "policies.apply", _("只有企业用户可以反映兑现问题"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请写明兑现中遇到的问题")})
    if len(text) > 1000:
        raise ValidationError({"text": _("问题描述不能超过 1000 字")})
    enterprise = selectors.own_enterprise(actor)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("item__department")
            .filter(pk=application.pk, enterprise=enterprise)
            .first()
        )
        if application is None:
            raise Http404
        item = application.item
        limit = Case._meta.get_field("title").max_length
        title = (_("政策兑现：%(title)s") % {"title": item.title})[:limit]
        facts = _(
            "申报于 %(applied)s，兑现期限 %(due)s，当前状态：%(status)s，责任部门：%(department)s。"
        ) % {
            "applied": f"{timezone.localtime(application.applied_at):%Y-%m-%d}",
            "due": f"{application.due_on:%Y-%m-%d}",
            "status": application.get_status_display(),
            "department": item.department.name if item.department_id else "—",
        }
        case = case_services.create_case(
            enterprise, channel=Channel.POLICY, title=title, description=f"{text}\n\n{facts}", actor=actor
        )
        application.complaint_case = case
        application.save(update_fields=["complaint_case"])
        audit.record(
            "event",
            application,
            event="policy_complained",
            changes={gettext_noop("诉求编号"): case.no},
            actor=actor,
        )
    return case


def _budget_used(item: PolicyItem, year: int, exclude_pk: int):
    from django.db.models import Sum

    from .models import Application

    S = Application.Status
    return (
        Application.objects.filter(item=item, year=year, status__in=[S.APPROVED, S.PAID])
        .exclude(pk=exclude_pk)
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )


def parse_amount(value, field: str = "amount"):
    """An amount in yuan typed by an official: a number ≥ 0 with at most two decimals and at
    most 14 digits before them (the column's size); anything else is refused naming the field."""
    from decimal import Decimal, InvalidOperation

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("金额须为数字（单位：元）")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("金额须为不小于 0 的数字（单位：元）")})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: _("金额最多保留两位小数")})
    if amount >= Decimal("1e14"):
        raise ValidationError({field: _("金额过大，请核对单位（元）")})
    return amount.quantize(Decimal("0.01"))


def _check_exclusive(application, item) -> None:
    from .models import Application

    S = Application.Status
    if not item.exclusivity_group:
        return
    clash = (
        Application.objects.filter(
            enterprise=application.enterprise,
            year=application.year,
            item__exclusivity_group=item.exclusivity_group,
            status__in=[S.APPROVED, S.PUBLICISED, S.PAID],
        )
        .exclude(pk=application.pk)
        .select_related("item")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("同一年度“%(group)s”类资金不重复享受：该企业已获“%(title)s”")
            % {"group": item.exclusivity_group, "title": clash.item.title}
        )


def _check_budget(item, year: int, amount, exclude_pk) -> None:
    if item.budget is None or amount is None:
        return
    PolicyItem.objects.select_for_update().filter(pk=item.pk).first()  # one approval at a time
    used = _budget_used(item, year, exclude_pk)
    if used + amount > item.budget:
        raise ValidationError(
            _("超出年度预算：已核准 %(used)s 元，本笔 %(amount)s 元，预算 %(budget)s 元")
            % {"used": used, "amount": amount, "budget": item.budget}
        )


@transaction.atomic
def fire(
    application,
    action: str,
    *,
    actor,
    reason: str = "",
    voucher: str = "",
    paid_on=None,
    amount=None,
):
    """The one entry point of an application's transitions (`workflow.TRANSITIONS`): return for
    correction (with a reason), resubmit, approve (the amount the rule gave, or another with the
    reason; budget and exclusivity group checked), publicise (公示 for PUBLICITY_DAYS working
    days), pay (after the 公示, to the account the enterprise confirmed, with a voucher, on the
    clock), refuse (with a reason; also an objection upheld during the 公示), claw back."""
    from django.urls import reverse

    from zhuqi.core.notify import notify
    from zhuqi.core.workcalendar import add_working_days

    from . import workflow
    from .models import Application

    S = Application.Status
    application = (
        Application.objects.select_for_update()
        .select_related("item", "item__document__region", "enterprise")
        .get(pk=application.pk)
    )
    t = workflow.check(action, application, actor)
    reason = (reason or "").strip()
    if action in ("return", "refuse", "clawback") and not reason:
        raise ValidationError({"reason": _("请填写理由")})
    changes: dict[str, object] = {gettext_noop("状态"): str(S(t.target).label)}
    item = application.item
    today = timezone.localdate()
    if action == "approve":
        approved = parse_amount(amount)
        if approved is not None and approved != application.computed_amount:
            if not reason:
                raise ValidationError(
                    {
                        "reason": _("核定金额与测算金额（%(computed)s 元）不同，请说明理由")
                        % {
                            "computed": application.computed_amount
                            if application.computed_amount is not None
                            else "—"
                        }
                    }
                )
            application.amount = approved
            application.reason = reason
            changes[gettext_noop("核定金额")] = str(approved)
            changes[gettext_noop("理由")] = reason
        _check_exclusive(application, item)
        _check_budget(item, application.year, application.amount, application.pk)
        application.decided_at = timezone.now()
    if action == "publicise":
        application.publicity_until = add_working_days(today, PUBLICITY_DAYS)
        changes[gettext_noop("公示截止")] = f"{application.publicity_until:%Y-%m-%d}"
    if action == "pay":
        voucher = (voucher or "").strip()
        if application.publicity_until and today <= application.publicity_until:
            raise ValidationError(
                _("公示期至 %(until)s，期满无异议后方可兑现")
                % {"until": f"{application.publicity_until:%Y-%m-%d}"}
            )
        if not application.bank_account:
            raise ValidationError(_("企业尚未确认收款账户，请通知企业在申报页面填写"))
        if not voucher:
            raise ValidationError({"voucher": _("请填写付款凭证号")})
        application.voucher = voucher
        application.paid_on = paid_on or today
        changes[gettext_noop("付款凭证号")] = voucher
        changes[gettext_noop("是否按期")] = (
            gettext_noop("按期") if application.paid_within_limit else gettext_noop("超期")
        )
    if action == "resubmit":
        application.reason = ""  # the audit log keeps the reason it was returned for
    if action in ("return", "refuse", "clawback"):
        application.reason = reason
        changes[gettext_noop("理由")] = reason
    application.status = t.target
    application.save()
    audit.record("transition", application, event=f"policy_{action}", changes=changes, actor=actor)
    url = reverse("policies:application_detail", args=[application.pk])
    if t.actor == "department":
        title = _("“%(title)s”：%(status)s") % {
            "title": item.title,
            "status": application.get_status_display(),
        }
        if action == "publicise" and not application.bank_account:
            title = _("“%(title)s”：公示中，请确认收款账户") % {"title": item.title}
        notify(
            _enterprise_users([application.enterprise_id]).get(application.enterprise_id, []),
            title,
            url=url,
        )
    return application


@transaction.atomic
def grant_automatic(item: PolicyItem, *, actor) -> int:
    """免申即享: the department confirms the list the system matched. Every matching enterprise
    without a claim on the item this year gets one, already approved at the amount its own
    figures give (nobody applies); the exclusivity group and the budget are checked for the whole
    list before anything is written. Returns how many claims were granted."""
    from zhuqi.core.workcalendar import add_working_days
    from zhuqi.enterprises.models import Enterprise

    from . import amounts, conditions, selectors
    from .models import Application

    S = Application.Status
    permissions.require(actor, "policies.review", _("您不能核定兑现名单"))
    item = PolicyItem.objects.select_for_update().select_related("document__region").get(pk=item.pk)
    if not can_manage(actor, item):
        raise PermissionDenied(_("该政策事项不归您的部门负责"))
    if item.mode != Mode.AUTOMATIC:
        raise ValidationError(_("只有免申即享的事项由部门直接核定名单"))
    if not item.is_live():
        raise ValidationError(_("该事项已停止或已过期"))
    now = timezone.now()
    year = timezone.localdate().year
    claimed = Application.objects.filter(item=item).values("enterprise_id")
    enterprises = list(selectors.matched(item, Enterprise.objects.exclude(pk__in=claimed)).order_by("pk"))
    if item.exclusivity_group:
        taken = set(
            Application.objects.filter(
                enterprise__in=enterprises,
                year=year,
                item__exclusivity_group=item.exclusivity_group,
                status__in=[S.APPROVED, S.PUBLICISED, S.PAID],
            ).values_list("enterprise_id", flat=True)
        )
        enterprises = [e for e in enterprises if e.pk not in taken]  # 从高从优: they already hold one
    rows = []
    for e in enterprises:
        amount, _text = amounts.compute(item.amount_rule, conditions.Facts(e))
        rows.append(
            Application(
                item=item,
                enterprise=e,
                year=year,
                status=S.APPROVED,
                amount=amount,
                computed_amount=amount,
                applied_at=now,
                decided_at=now,
                due_on=add_working_days(now, item.limit_days),
                applied_by=actor,
            )
        )
    total = sum((r.amount or 0) for r in rows)
    _check_budget(item, year, total, None)
    created = Application.objects.bulk_create(rows)
    audit.record_many(
        [
            {
                "action": "event",
                "obj": a,
                "event": "policy_granted",
                "changes": {gettext_noop("事项名称"): item.title, gettext_noop("金额"): str(a.amount or "")},
                "actor": actor,
            }
            for a in created
        ]
    )
    return len(created)


def publicise_item(item: PolicyItem, *, actor) -> int:
    """公示: every approved claim of the item goes on the public list at once (one transition
    each, through `fire`); returns how many."""
    from .models import Application

    if not (permissions.allowed(actor, "policies.review") and can_manage(actor, item)):
        raise PermissionDenied(_("该政策事项不归您的部门负责"))
    n = 0
    with transaction.atomic():
        for a in Application.objects.filter(item=item, status=Application.Status.APPROVED).order_by("pk"):
            fire(a, "publicise", actor=actor)
            n += 1
    return n


def confirm_account(application, *, bank_name: str, bank_account: str, actor):
    """The enterprise confirms the account its money is paid to (开户银行 and 账号); its own
    users, before the claim is paid. The audit keeps the account's last four digits only."""
    from . import selectors
    from .models import Application

    S = Application.Status
    permissions.require(actor, "policies.apply", _("只有企业用户可以确认收款账户"))
    bank_name = (bank_name or "").strip()
    digits = "".join((bank_account or "").split())
    if not bank_name:
        raise ValidationError({"bank_name": _("请填写开户银行")})
    if len(bank_name) > 100:
        raise ValidationError({"bank_name": _("开户银行不能超过 100 字")})
    if not digits.isdigit() or not 8 <= len(digits) <= 30 or not digits.isascii():
        raise ValidationError({"bank_account": _("收款账号须为 8 至 30 位数字")})
    enterprise = selectors.own_enterprise(actor)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().filter(pk=application.pk, enterprise=enterprise).first()
        )
        if application is None:
            raise Http404
        if application.status not in (S.APPLIED, S.RETURNED, S.APPROVED, S.PUBLICISED):
            raise ValidationError(
                _("当前状态（%(status)s）不能修改收款账户") % {"status": application.get_status_display()}
            )
        application.bank_name, application.bank_account = bank_name, digits
        application.save(update_fields=["bank_name", "bank_account"])
        audit.record(
            "event",
            application,
            event="policy_account",
            changes={gettext_noop("开户银行"): bank_name, gettext_noop("收款账号"): f"****{digits[-4:]}"},
            actor=actor,
        )
    return application
