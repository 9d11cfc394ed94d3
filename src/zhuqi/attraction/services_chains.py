"""The industrial chains (产业链) and their links, edited in the app: a chain (name, region, 链长,
牵头部门), its links (环节: parent, up/mid/downstream, GB/T 4754 codes, 强链/延链/补链, on/off)
and the local enterprises an official places on a link (confirm or remove a suggestion).

Every change checks the matrix's `attraction.chains.configure`, then that the chain's region is
in the actor's area; it locks the chain, so two officials editing the same tree cannot both add
「玉米深加工」 under the same parent, and writes one audit entry."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region, User
from zhuqi.core.scope import require_visible
from zhuqi.enterprises.models import Enterprise, Industry

from .models import Chain, ChainEnterprise, ChainNode
from .selectors_chains import descendants
from .services import _in_area

ACTION = "attraction.chains.configure"
#: a GB/T 4754-2017 code as a link names it: 大类 (2 digits), 中类 (3) or 小类 (4)
CODE_RE = re.compile(r"^\d{2,4}$")
#: separators officials type between codes
_SEPARATORS = re.compile(r"[,，、;；\s]+")
#: the lengths of Chain.name / ChainNode.name and ChainNode.industry_codes
NAME_MAX = 40
CODES_MAX = 100


def can_configure(user, chain: Chain | None = None) -> bool:
    """May `user` edit chains (and this one)? The matrix, then the chain's region in their area."""
    if not permissions.allowed(user, ACTION):
        return False
    return chain is None or _in_area(user, chain.region)


def _require(actor, chain: Chain | None) -> None:
    permissions.require(actor, ACTION, gettext("只有专班办公室可以维护产业链"))
    if chain is not None and not _in_area(actor, chain.region):
        raise PermissionDenied(gettext("您不能修改该产业链"))


def _lock_chain(chain: Chain) -> Chain:
    return Chain.objects.select_for_update(of=("self",)).select_related("region").get(pk=chain.pk)


def parse_codes(text: str) -> str:
    """The link's codes as stored ("2614,2651"): split on commas (half or full width), 、, ;
    or spaces, each a 2–4 digit GB/T 4754 code whose 大类 exists, duplicates dropped. A bad
    code is a ValidationError on `industry_codes` naming it."""
    codes: list[str] = []
    for raw in _SEPARATORS.split((text or "").strip()):
        if not raw:
            continue
        if not CODE_RE.match(raw):
            raise ValidationError(
                {
                    "industry_codes": gettext(
                        "「%(code)s」不是国民经济行业分类（GB/T 4754）代码：应为 2 至 4 位数字，如 26、2614"
                    )
                    % {"code": raw}
                }
            )
        if raw not in codes:
            codes.append(raw)
    known = set(
        Industry.objects.filter(level=Industry.Level.DIVISION, code__in={c[:2] for c in codes}).values_list(
            "code", flat=True
        )
    )
    unknown = [c for c in codes if c[:2] not in known]
    if unknown:
        raise ValidationError(
            {
                "industry_codes": gettext("「%(code)s」的行业大类在 GB/T 4754 中不存在")
                % {"code": "、".join(unknown)}
            }
        )
    joined = ",".join(codes)
    if len(joined) > CODES_MAX:
        raise ValidationError({"industry_codes": gettext("行业代码太多，请只填写该环节的主要代码")})
    return joined


@transaction.atomic
def save_chain(
    chain: Chain | None,
    *,
    actor,
    name: str,
    region: Region | None,
    leader: User | None = None,
    department: Department | None = None,
) -> Chain:
    """Add a chain of a region, or change its name, 链长 and 牵头部门 (its region too, within the
    actor's area)."""
    _require(actor, None)
    if chain is not None:
        chain = _lock_chain(chain)
        _require(actor, chain)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写产业链名称")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": gettext("产业链名称不能超过 40 个字")})
    if region is None or not _in_area(actor, region):
        raise ValidationError({"region": gettext("请选择本辖区的区划")})
    require_visible(actor, "leader", leader)
    require_visible(actor, "department", department)
    clash = Chain.objects.filter(region=region, name=name)
    if chain is not None:
        clash = clash.exclude(pk=chain.pk)
    if clash.exists():
        raise ValidationError({"name": gettext("本区划已有同名的产业链")})
    created = chain is None
    chain = chain or Chain()
    chain.name, chain.region, chain.leader, chain.department = name, region, leader, department
    chain.save()
    audit.record(
        "event",
        chain,
        event="chain_added" if created else "chain_changed",
        changes={
            gettext_noop("产业链"): chain.name,
            gettext_noop("区划"): region.name,
            gettext_noop("链长"): (leader.get_full_name() or leader.username) if leader else "",
            gettext_noop("牵头部门"): department.name if department else "",
        },
        actor=actor,
    )
    return chain


def _under(node: ChainNode, parent: ChainNode | None) -> bool:
    """Is `parent` the node itself or below it (a move that would make a loop)?"""
    seen = set()
    while parent is not None and parent.pk not in seen:
        if parent.pk == node.pk:
            return True
        seen.add(parent.pk)
        parent = parent.parent
    return False


@transaction.atomic
def save_node(
    node: ChainNode | None,
    *,
    actor,
    chain: Chain,
    name: str,
    position: str,
    parent: ChainNode | None = None,
    industry_codes: str = "",
    gap: str = "",
) -> ChainNode:
    """Add a link to `chain` (under `parent`, or at the top), or change one. Two links under the
    same parent may not share a name; a parent must be a link of the same chain, not the link
    itself or one below it."""
    _require(actor, None)
    chain = _lock_chain(chain)
    _require(actor, chain)
    if node is not None:
        node = ChainNode.objects.select_related("parent").get(pk=node.pk)
        if node.chain_id != chain.pk:
            raise PermissionDenied(gettext("您不能修改该产业链"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写环节名称")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": gettext("环节名称不能超过 40 个字")})
    if position not in ChainNode.Position.values:
        raise ValidationError({"position": gettext("请选择上游、中游或下游")})
    if gap not in ChainNode.Gap.values:
        raise ValidationError({"gap": gettext("缺链类型只能是强链、延链、补链或无")})
    if parent is not None:
        if parent.chain_id != chain.pk:
            raise ValidationError({"parent": gettext("上级环节须是本产业链的环节")})
        if not parent.is_active:
            raise ValidationError({"parent": gettext("上级环节已停用")})
        if node is not None and _under(node, parent):
            raise ValidationError({"parent": gettext("上级环节不能是本环节或其下级环节")})
    codes = parse_codes(industry_codes)
    clash = ChainNode.objects.filter(chain=chain, parent=parent, name=name)
    if node is not None:
        clash = clash.exclude(pk=node.pk)
    if clash.exists():
        raise ValidationError({"name": gettext("同一上级下已有名为「%(name)s」的环节") % {"name": name}})
    created = node is None
    node = node or ChainNode(chain=chain)
    node.parent, node.name, node.position, node.industry_codes, node.gap = parent, name, position, codes, gap
    node.save()
    audit.record(
        "event",
        chain,
        event="chain_node_added" if created else "chain_node_changed",
        changes={
            gettext_noop("环节"): node.name,
            gettext_noop("上级环节"): parent.name if parent else "",
            gettext_noop("位置"): node.get_position_display(),
            gettext_noop("国民经济行业代码"): node.industry_codes,
            gettext_noop("缺链类型"): node.get_gap_display() if node.gap else "",
        },
        actor=actor,
    )
    return node


@transaction.atomic
def switch_node(node: ChainNode, *, actor, is_active: bool) -> ChainNode:
    """Switch a link (and every link below it) off, or back on. A switched-off link keeps its
    targets, leads and placed enterprises but leaves the 全景图 and its counts."""
    _require(actor, None)
    chain = _lock_chain(node.chain)
    _require(actor, chain)
    node = ChainNode.objects.get(pk=node.pk, chain=chain)
    ids = descendants(list(ChainNode.objects.filter(chain=chain)))[node.pk]
    if not is_active:
        ChainNode.objects.filter(pk__in=ids).update(is_active=False)
    else:
        if node.parent_id and not ChainNode.objects.get(pk=node.parent_id).is_active:
            raise ValidationError({"is_active": gettext("请先启用上级环节")})
        ChainNode.objects.filter(pk=node.pk).update(is_active=True)
    node.refresh_from_db()
    audit.record(
        "event",
        chain,
        event="chain_node_switched",
        changes={gettext_noop("环节"): node.name, gettext_noop("启用"): is_active},
        actor=actor,
    )
    return node


@transaction.atomic
def place_enterprise(node: ChainNode, enterprise: Enterprise, *, actor, confirm: bool) -> ChainEnterprise:
    """Confirm `enterprise` on `node` (上链) or remove it (a suggestion turned down, or a
    confirmed one taken off). The enterprise must be one the actor sees, in the chain's region."""
    _require(actor, None)
    chain = _lock_chain(node.chain)
    _require(actor, chain)
    node = ChainNode.objects.get(pk=node.pk, chain=chain)
    require_visible(actor, "enterprise", enterprise)
    if not enterprise.region_path.startswith(chain.region.path):
        raise ValidationError(
            {
                "enterprise": gettext("「%(name)s」不在本产业链所属区划（%(region)s）内")
                % {"name": enterprise.name, "region": chain.region.name}
            }
        )
    if confirm and not node.is_active:
        raise ValidationError({"enterprise": gettext("该环节已停用，不能确认企业")})
    status = ChainEnterprise.Status.CONFIRMED if confirm else ChainEnterprise.Status.REMOVED
    row, _created = ChainEnterprise.objects.update_or_create(
        node=node,
        enterprise=enterprise,
        defaults={"status": status, "decided_by": actor, "decided_at": timezone.now()},
    )
    audit.record(
        "event",
        chain,
        event="chain_enterprise_confirmed" if confirm else "chain_enterprise_removed",
        changes={gettext_noop("环节"): node.name, gettext_noop("企业"): enterprise.name},
        actor=actor,
    )
    return row
