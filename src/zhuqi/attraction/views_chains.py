"""Pages of the industrial chains: a chain's edit page (name, region, 链长, 牵头部门, its links as
a tree), a link's page (its fields, switch off/on, the local enterprises placed on it and the
suggestions to confirm or remove), the 产业链全景图 and the 招商路径图. Rules live in
`services_chains`, reads in `selectors_chains`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from zhuqi.core import permissions
from zhuqi.core.params import int_param
from zhuqi.enterprises.models import Enterprise

from . import selectors_chains, services_chains
from .forms import ChainForm, ChainNodeForm, PlaceEnterpriseForm
from .models import Chain, ChainNode
from .views import _errors, _flash_error, _require


def _chain(request, pk) -> Chain:
    _require(request, "attraction.view")
    return selectors_chains.chains_for(request.user).get_visible_or_404(request.user, pk=pk)


def _editable(request, chain: Chain) -> Chain:
    if not services_chains.can_configure(request.user, chain):
        raise Http404
    return chain


def _node(request, pk) -> ChainNode:
    _require(request, services_chains.ACTION)
    try:
        node = ChainNode.objects.select_related("chain__region", "parent").get(
            pk=pk, chain__in=Chain.objects.visible_to(request.user)
        )
    except ChainNode.DoesNotExist:
        raise Http404 from None
    _editable(request, node.chain)
    return node


@login_required
def chain_form(request, pk=None):
    _require(request, services_chains.ACTION)
    user = request.user
    chain = _editable(request, _chain(request, pk)) if pk else None
    initial = (
        {"name": chain.name, "region": chain.region, "leader": chain.leader, "department": chain.department}
        if chain
        else {}
    )
    form = ChainForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            chain = services_chains.save_chain(chain, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("产业链已保存"))
            return redirect("attraction:chain_edit", pk=chain.pk)
    nodes = []
    if chain is not None:
        nodes = _tree_rows(list(ChainNode.objects.filter(chain=chain).select_related("parent")))
    return render(request, "attraction/chain_form.html", {"form": form, "chain": chain, "nodes": nodes})


def _tree_rows(nodes: list[ChainNode]) -> list[dict]:
    """Every link of a chain (on and off) in tree order with its depth, for the edit page."""
    children: dict[int | None, list[ChainNode]] = {}
    ids = {n.pk for n in nodes}
    for n in sorted(nodes, key=lambda n: (selectors_chains.POSITIONS.index(n.position), n.pk)):
        children.setdefault(n.parent_id if n.parent_id in ids else None, []).append(n)
    rows: list[dict] = []

    def walk(parent, depth):
        for n in children.get(parent, []):
            rows.append({"node": n, "depth": depth, "indent": depth * 1.25})
            walk(n.pk, depth + 1)

    walk(None, 0)
    return rows


@login_required
def node_new(request, pk):
    _require(request, services_chains.ACTION)
    chain = _editable(request, _chain(request, pk))
    initial = {}
    parent = int_param(request.GET, "parent")
    if parent:
        initial["parent"] = parent
    form = ChainNodeForm(request.POST or None, chain=chain, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            node = services_chains.save_node(None, actor=request.user, chain=chain, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("环节已添加"))
            return redirect("attraction:node_edit", pk=node.pk)
    return render(request, "attraction/node_form.html", {"form": form, "chain": chain, "node": None})


@login_required
def node_edit(request, pk):
    """A link: its fields (op=save), switch off/on (op=switch), confirm or remove an enterprise
    (op=confirm|remove, enterprise=<id>), add one by credit code (op=add)."""
    node = _node(request, pk)
    user = request.user
    chain = node.chain
    op = request.POST.get("op", "save") if request.method == "POST" else ""
    initial = {
        "parent": node.parent,
        "name": node.name,
        "position": node.position,
        "industry_codes": node.industry_codes,
        "gap": node.gap,
    }
    form = ChainNodeForm(request.POST if op == "save" else None, chain=chain, node=node, initial=initial)
    add_form = PlaceEnterpriseForm(request.POST if op == "add" else None)
    if op == "save" and form.is_valid():
        try:
            services_chains.save_node(node, actor=user, chain=chain, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("环节已保存"))
            return redirect("attraction:node_edit", pk=node.pk)
    elif op == "switch":
        try:
            services_chains.switch_node(node, actor=user, is_active=not node.is_active)
        except (ValidationError, PermissionDenied) as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, gettext("环节已启用") if not node.is_active else gettext("环节已停用"))
        return redirect("attraction:node_edit", pk=node.pk)
    elif op in ("confirm", "remove"):
        ent_id = int_param(request.POST, "enterprise")
        enterprise = Enterprise.objects.visible_to(user).filter(pk=ent_id).first() if ent_id else None
        if enterprise is None:
            raise Http404
        try:
            services_chains.place_enterprise(node, enterprise, actor=user, confirm=op == "confirm")
        except (ValidationError, PermissionDenied) as exc:
            _flash_error(request, exc)
        else:
            messages.success(
                request,
                (
                    gettext("已确认「%(name)s」在本环节")
                    if op == "confirm"
                    else gettext("已从本环节移除「%(name)s」")
                )
                % {"name": enterprise.name},
            )
        return redirect("attraction:node_edit", pk=node.pk)
    elif op == "add" and add_form.is_valid():
        code = add_form.cleaned_data["credit_code"].strip().upper()
        enterprise = Enterprise.objects.visible_to(user).filter(credit_code=code).first()
        if enterprise is None:
            add_form.add_error("credit_code", gettext("没有找到该信用代码的企业（或不在您的范围内）"))
        else:
            try:
                services_chains.place_enterprise(node, enterprise, actor=user, confirm=True)
            except ValidationError as exc:
                for m in exc.messages:
                    add_form.add_error("credit_code", m)
            else:
                messages.success(request, gettext("已确认「%(name)s」在本环节") % {"name": enterprise.name})
                return redirect("attraction:node_edit", pk=node.pk)
    return render(
        request,
        "attraction/node_form.html",
        {
            "form": form,
            "add_form": add_form,
            "chain": chain,
            "node": node,
            "placements": selectors_chains.placements(node, user),
            "suggestions": selectors_chains.suggestions(node, user) if node.is_active else [],
        },
    )


@login_required
def chain_map(request, pk):
    """The 产业链全景图 of one chain; `?node=<id>` lists the enterprises behind a link's count."""
    chain = _chain(request, pk)
    user = request.user
    data = selectors_chains.panorama(chain, user)
    node = None
    enterprises = None
    node_id = int_param(request.GET, "node")
    if node_id:
        node = next((r["node"] for r in data["rows"] if r["node"].pk == node_id), None)
        if node is None:
            raise Http404
        enterprises = selectors_chains.node_enterprises(node, user)
    gaps = [(k, label) for k, label in ChainNode.Gap.choices if k]
    return render(
        request,
        "attraction/chain_map.html",
        {
            **data,
            "chart": {"tree": data["tree"]},
            "gaps": gaps,
            "node": node,
            "enterprises": enterprises,
            "chains": selectors_chains.chains_for(user),
            "can_configure": services_chains.can_configure(user, chain),
        },
    )


@login_required
def target_paths(request):
    """The 招商路径图: target enterprises by home region, `?chain=` narrows to one chain."""
    _require(request, "attraction.view")
    user = request.user
    chain = int_param(request.GET, "chain")
    chains = selectors_chains.chains_for(user)
    if chain and not chains.filter(pk=chain).exists():
        chain = None
    data = selectors_chains.target_paths(user, chain)
    return render(
        request,
        "attraction/target_paths.html",
        {
            **data,
            "chains": chains,
            "chain": chain,
            "can_manage": permissions.allowed(user, "attraction.target.manage"),
        },
    )
