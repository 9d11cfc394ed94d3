"""Reads of the chain pages: a chain's tree with the count of local enterprises on each link
(产业链全景图), a link's enterprises (the drill-down), the suggestions for a link, and the
target enterprises grouped by home region (招商路径图). Definitions and hand-worked examples:
src/zhuqi/docs/attraction-figures.md §产业链全景图 and §招商路径图."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext

from zhuqi.enterprises.models import Enterprise

from .models import Chain, ChainEnterprise, ChainNode, Target

#: suggestions shown on a link's page at once (the rest after confirming or removing some)
SUGGESTIONS = 50
POSITIONS = [ChainNode.Position.UP, ChainNode.Position.MID, ChainNode.Position.DOWN]


def chains_for(user):
    return Chain.objects.visible_to(user).select_related("region", "leader", "department")


def _ordered(nodes: list[ChainNode]) -> list[ChainNode]:
    return sorted(nodes, key=lambda n: (POSITIONS.index(n.position), n.pk))


def live_nodes(nodes: list[ChainNode]) -> list[ChainNode]:
    """The links that are on and whose every ancestor is on."""
    by_pk = {n.pk: n for n in nodes}
    out = []
    for n in nodes:
        cur, ok, seen = n, True, set()
        while cur is not None and cur.pk not in seen:
            seen.add(cur.pk)
            if not cur.is_active:
                ok = False
                break
            cur = by_pk.get(cur.parent_id) if cur.parent_id else None
        if ok:
            out.append(n)
    return out


def descendants(nodes: list[ChainNode]) -> dict[int, set[int]]:
    """Each link's pk with the pks of the link and every link below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id].append(n.pk)
    out = {}
    for n in nodes:
        ids, stack = {n.pk}, [n.pk]
        while stack:
            for c in children.get(stack.pop(), []):
                if c not in ids:
                    ids.add(c)
                    stack.append(c)
        out[n.pk] = ids
    return out


def _visible_enterprises(user):
    return Enterprise.objects.visible_to(user)


def panorama(chain: Chain, user) -> dict:
    """The 全景图 of `chain`: its live links as a tree, each with `count`, the number of distinct
    confirmed local enterprises (visible to `user`, not archived) on the link or any live link
    below it; the chain's own count is the distinct enterprises on all its live links. One
    query for the links, one for the placements. Returns {"chain", "count", "rows" (the links
    in table order with depth), "tree" (for ECharts)}."""
    return panoramas([chain], user)[chain.pk]


def panoramas(chains, user) -> dict[int, dict]:
    """`panorama` of each of `chains` (chain pk → its panorama), in two queries for them all:
    the links of every chain, the placements on every live link (the API's chain list)."""
    chains = list(chains)
    by_chain: dict[int, list[ChainNode]] = defaultdict(list)
    for n in ChainNode.objects.filter(chain__in=[c.pk for c in chains]):
        by_chain[n.chain_id].append(n)
    live_by_chain = {c.pk: live_nodes(by_chain[c.pk]) for c in chains}
    live = {n.pk for nodes in live_by_chain.values() for n in nodes}
    placed: dict[int, set[int]] = defaultdict(set)
    if live:
        for node_id, ent_id in ChainEnterprise.objects.filter(
            node__in=live,
            status=ChainEnterprise.Status.CONFIRMED,
            enterprise__in=_visible_enterprises(user).values("pk"),
        ).values_list("node_id", "enterprise_id"):
            placed[node_id].add(ent_id)
    return {c.pk: _panorama(c, live_by_chain[c.pk], placed) for c in chains}


def _panorama(chain: Chain, nodes: list[ChainNode], all_placed: dict[int, set[int]]) -> dict:
    live = {n.pk for n in nodes}
    placed = {pk: all_placed.get(pk, set()) for pk in live}
    below = descendants(nodes)
    counts = {pk: len(set().union(*(placed[c] for c in ids))) for pk, ids in below.items()}
    own = {pk: len(placed[pk]) for pk in live}
    total = len(set().union(*placed.values())) if placed else 0
    children: dict[int | None, list[ChainNode]] = defaultdict(list)
    for n in _ordered(nodes):
        children[n.parent_id if n.parent_id in live else None].append(n)

    rows: list[dict] = []

    def walk(parent: int | None, depth: int) -> list[dict]:
        out = []
        for n in children.get(parent, []):
            row = {"node": n, "depth": depth, "count": counts[n.pk], "own": own[n.pk]}
            rows.append(row)
            kids = walk(n.pk, depth + 1)
            out.append(
                {
                    "name": n.name,
                    "id": n.pk,
                    "value": counts[n.pk],
                    "gap": n.gap,
                    "gapLabel": n.get_gap_display() if n.gap else "",
                    "position": n.get_position_display(),
                    "children": kids,
                }
            )
        return out

    top = walk(None, 0)
    tree = {
        "name": chain.name,
        "id": 0,
        "value": total,
        "gap": "",
        "gapLabel": "",
        "position": "",
        "children": top,
    }
    return {"chain": chain, "count": total, "rows": rows, "tree": tree}


def node_enterprises(node: ChainNode, user):
    """The drill-down of a link's count on the 全景图: the confirmed local enterprises on the link
    or any live link below it, visible to `user`, each once."""
    nodes = live_nodes(list(ChainNode.objects.filter(chain_id=node.chain_id)))
    ids = descendants(nodes).get(node.pk, set())
    placed = ChainEnterprise.objects.filter(node__in=ids, status=ChainEnterprise.Status.CONFIRMED).values(
        "enterprise_id"
    )
    return (
        _visible_enterprises(user).filter(pk__in=placed).select_related("industry", "region").order_by("name")
    )


def placements(node: ChainNode, user):
    """The link's own decisions (confirmed and removed), newest first, for the edit page."""
    return (
        ChainEnterprise.objects.filter(node=node, enterprise__in=_visible_enterprises(user).values("pk"))
        .select_related("enterprise__industry", "enterprise__region", "decided_by")
        .order_by("status", "-decided_at", "pk")
    )


def suggestions(node: ChainNode, user, limit: int = SUGGESTIONS):
    """Enterprises suggested for `node`: in the chain's region, visible to `user`, whose
    industry (大类) is one of the link's codes' 大类, with no decision on this link yet."""
    divisions = node.divisions()
    if not divisions:
        return Enterprise.objects.none()
    decided = ChainEnterprise.objects.filter(node=node).values("enterprise_id")
    return (
        _visible_enterprises(user)
        .filter(region_path__startswith=node.chain.region.path, industry__code__in=divisions)
        .exclude(pk__in=decided)
        .select_related("industry", "region")
        .order_by("name")[:limit]
    )


def target_paths(user, chain: int | None = None) -> dict:
    """The 招商路径图: the visible target enterprises (of `chain`, when given) grouped by home
    region (所在省份/地区; blank → 未填写, listed last), each group with its count by status, its targets
    (team, approach, planned date) ordered by date, and the teams working it. Groups by count,
    largest first. One query."""
    qs = Target.objects.visible_to(user).select_related("chain_node__chain", "team", "owner")
    if chain:
        qs = qs.filter(chain_node__chain_id=chain)
    groups: dict[str, list[Target]] = defaultdict(list)
    blank = gettext("未填写")
    for t in qs.order_by("home_region", "approach_on", "name", "pk"):
        groups[(t.home_region or "").strip() or blank].append(t)
    statuses = list(Target.Status.choices)
    out = []
    for home, targets in groups.items():
        by_status = {code: 0 for code, _label in statuses}
        for t in targets:
            by_status[t.status] += 1
        teams = sorted({t.team.name for t in targets if t.team})
        dated = sorted((t for t in targets if t.approach_on), key=lambda t: (t.approach_on, t.pk))
        out.append(
            {
                "home": home,
                "count": len(targets),
                "by_status": by_status,
                "teams": teams,
                "targets": sorted(targets, key=lambda t: (t.approach_on is None, t.approach_on, t.name)),
                "next_on": dated[0].approach_on if dated else None,
            }
        )
    out.sort(key=lambda g: (g["home"] == blank, -g["count"], g["home"]))
    chart = {
        "homes": [g["home"] for g in out],
        "series": [
            {"key": code, "name": str(label), "data": [g["by_status"][code] for g in out]}
            for code, label in statuses
        ],
    }
    return {"groups": out, "chart": chart, "total": sum(g["count"] for g in out)}
