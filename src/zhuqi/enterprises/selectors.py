"""Finding enterprises: search by name, pinyin initials or credit code; filters; sorting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.core.models import Region
from zhuqi.core.params import int_param
from zhuqi.core.scope import NOTHING
from zhuqi.core.units import WAN

from .models import (
    Enterprise,
    EnterpriseList,
    Industry,
    KeyDesignation,
    ListMembership,
    Tag,
    Tier,
    query_grams,
)

SORTS = {
    "name": "name_initials",
    "code": "credit_code",
    "region": "region_path",
    "industry": "industry__code",
    "capital": "registered_capital",
    "employees": "employees",
    "founded": "founded_on",
    "land": "land_area_mu",
}


def assigned_q(user) -> Q:
    """The enterprises the user looks after, from the hooks other apps register with core."""
    from zhuqi.core.scope import NOTHING, scope_for

    ids = sorted(scope_for(user).assigned())
    return Q(pk__in=ids) if ids else NOTHING


def _has_grams(grams: list[str]) -> Q:
    """Rows whose stored grams hold all of `grams`: `string_to_array(name_grams, ' ') @> …`, the
    expression of the GIN index `enterprise_name_grams` (PostgreSQL only; elsewhere no filter)."""
    from django.db import connection

    if connection.vendor != "postgresql" or not grams:
        return Q()
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.lookups import DataContains
    from django.db.models import F, Func, TextField

    text_array = ArrayField(TextField())
    stored = Func(F("name_grams"), Value(" "), function="string_to_array", output_field=text_array)
    return Q(DataContains(stored, Value(grams, output_field=text_array)))


def search_q(text: str) -> Q:
    """Name (contains), pinyin initials (`hsjt` → 恒顺集团) or credit code (prefix). On PostgreSQL
    the name and initials parts first ask the GIN index of the name's character pairs
    (`search_grams`), then check the exact substring on the rows it found."""
    text = (text or "").strip()
    if not text:
        return Q()
    q = _has_grams(query_grams(text)) & Q(name__contains=text)
    if text.isascii() and text.replace(" ", "").isalnum():
        compact = text.replace(" ", "")
        if compact.isalpha():
            lower = compact.lower()
            q |= _has_grams(query_grams(lower, initials=True)) & Q(name_initials__contains=lower)
        q |= Q(credit_code__startswith=compact.upper())
    return q


@dataclass(frozen=True)
class ListFilter:
    """A filter of the registry list offered by a later app (亩均 class, …): `choices(user)` is
    [(value, label)] (empty: the filter is not shown), `q(user, value)` the condition on
    enterprises (None: an unknown value, ignored). Registered from the app's `ready()`."""

    param: str
    label: object
    choices: Callable
    q: Callable


LIST_FILTERS: list[ListFilter] = []


def register_list_filter(list_filter: ListFilter) -> None:
    LIST_FILTERS[:] = [f for f in LIST_FILTERS if f.param != list_filter.param] + [list_filter]


def extra_filters(user) -> list[tuple[ListFilter, list]]:
    """The registered filters with their choices for this viewer (those with none left out)."""
    out = []
    for f in LIST_FILTERS:
        choices = f.choices(user)
        if choices:
            out.append((f, choices))
    return out


def filtered(user, params) -> tuple:
    """(queryset, active filters) for the registry list and its export, from GET params."""
    qs = Enterprise.objects.visible_to(user).select_related("region", "industry")
    f: dict = {}
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(search_q(text))
        f["q"] = text
    region_id = int_param(params, "region")
    if region_id:
        region = Region.objects.filter(pk=region_id).first()
        if region is not None:
            qs = qs.filter(region_path__startswith=region.path)
            f["region"] = region
    industry_id = int_param(params, "industry")
    if industry_id:
        industry = Industry.objects.filter(pk=industry_id).first()
        if industry is not None:
            qs = qs.filter(Q(industry=industry) | Q(industry__parent=industry))
            f["industry"] = industry
    tag_id = int_param(params, "tag")
    if tag_id:
        qs = qs.filter(
            Exists(Enterprise.tags.through.objects.filter(enterprise=OuterRef("pk"), tag_id=tag_id))
        )
        f["tag"] = Tag.objects.filter(pk=tag_id).first()
    list_id = int_param(params, "list")
    if list_id:
        lst = EnterpriseList.objects.visible_to(user).filter(pk=list_id).first()
        if lst is not None:
            qs = qs.filter(
                Exists(
                    ListMembership.objects.filter(list=lst, enterprise=OuterRef("pk"), exited_on__isnull=True)
                )
            )
            f["list"] = lst
    scale = params.get("scale")
    if scale in {"above", "below"}:
        qs = qs.filter(above_scale=(scale == "above"))
        f["scale"] = scale
    tier = params.get("tier")
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
        f["tier"] = tier
    if params.get("key"):
        year = timezone.localdate().year
        qs = qs.filter(Exists(KeyDesignation.objects.filter(enterprise=OuterRef("pk"), year=year)))
        f["key"] = True
    for extra in LIST_FILTERS:
        value = (params.get(extra.param) or "").strip()[:20]
        if value:
            q = extra.q(user, value)
            if q is not None:
                qs = qs.filter(q)
                f[extra.param] = value
    mine = assigned_q(user)
    if params.get("mine"):
        qs = qs.filter(mine)
        f["mine"] = True
    sort = params.get("sort") or ""
    key = sort.lstrip("-")
    if key not in SORTS:
        # default: the viewer's own (assigned) enterprises first, then by pinyin (an index
        # order when the viewer has none); no filter above joins a many-valued relation, so
        # rows are already distinct
        sort = ""
        if mine is not NOTHING:
            qs = qs.annotate(
                is_mine=Case(When(mine, then=Value(1)), default=Value(0), output_field=IntegerField())
            ).order_by("-is_mine", "name_initials", "pk")
        else:
            qs = qs.order_by("name_initials", "pk")
    else:
        order = SORTS[key]
        qs = qs.order_by(("-" if sort.startswith("-") else "") + order, "pk")
    f["sort"] = sort
    return qs, f


# The export has exactly the columns of the table on screen, in the same order and sort.
FILTER_LABELS = {
    "q": gettext_lazy("关键词"),
    "region": gettext_lazy("区划"),
    "industry": gettext_lazy("行业"),
    "tag": gettext_lazy("标签"),
    "list": gettext_lazy("名单"),
    "scale": gettext_lazy("规模"),
    "tier": gettext_lazy("雁阵"),
    "key": gettext_lazy("重点企业"),
    "mine": gettext_lazy("我包抓的"),
}


def describe_filters(active: dict) -> str:
    """The list's active filters in words (the export's audit entry and file description):
    「关键词=化工、规模=规上」; '' when none."""
    from django.utils.translation import gettext

    values = {"above": gettext("规上"), "below": gettext("规下"), **dict(Tier.choices)}
    labels = {**FILTER_LABELS, **{f.param: f.label for f in LIST_FILTERS}}
    parts = []
    for key, value in active.items():
        if key == "sort":
            continue
        shown = (
            gettext("是") if value is True else values.get(value, value) if isinstance(value, str) else value
        )
        parts.append(f"{labels.get(key, key)}={shown}")
    return "、".join(parts)


EXPORT_HEADERS = [
    gettext_lazy("企业名称"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("所在区划"),
    gettext_lazy("行业"),
    gettext_lazy("注册资本（万元）"),
    gettext_lazy("从业人数"),
    gettext_lazy("规上"),
    gettext_lazy("标签"),
]


def export_rows(qs):
    """The export's rows, read in chunks (with their tags) so a province's registry fits in memory."""
    for e in qs.prefetch_related("tags").iterator(chunk_size=2000):
        yield [
            e.name,
            e.credit_code,
            e.region.name,
            e.industry.name if e.industry_id else "",
            float(e.registered_capital / WAN) if e.registered_capital is not None else "",
            e.employees if e.employees is not None else "",
            _("是") if e.above_scale else "",
            "、".join(t.name for t in e.tags.all()),
        ]


def filter_choices(user) -> dict:
    """What the list page's filters offer: industry sections with their divisions, tags, the
    viewer's active lists."""
    tags = list(Tag.objects.all())
    return {
        "sections": industry_sections(),
        "tags": tags,
        "lists": EnterpriseList.objects.visible_to(user).filter(is_active=True),
    }


def industry_sections() -> list[Industry]:
    """The sections (门类) in code order, each with `division_list`, its divisions (大类) in code
    order: one query, grouped here (a prefetch builds a queryset per section, ~0.5 ms each on
    every render of the registry)."""
    sections: list[Industry] = []
    divisions: dict[int, list[Industry]] = {}
    for i in Industry.objects.filter(level__in=[Industry.Level.SECTION, Industry.Level.DIVISION]):
        if i.level == Industry.Level.SECTION:
            sections.append(i)
        elif i.parent_id is not None:
            divisions.setdefault(i.parent_id, []).append(i)
    for s in sections:
        s.division_list = divisions.get(s.pk, [])
    return sections


def attach_tags(enterprises, tags: list[Tag] | None = None) -> None:
    """Set `tag_list` (in the tags' order) on each of `enterprises` — a page of the registry —
    from one read of the link table (a prefetch builds a queryset per enterprise)."""
    enterprises = list(enterprises)
    by_id = {t.pk: t for t in (tags if tags is not None else Tag.objects.all())}
    order = {pk: n for n, pk in enumerate(by_id)}
    links: dict[int, list[int]] = {}
    for ent, tag in Enterprise.tags.through.objects.filter(
        enterprise_id__in=[e.pk for e in enterprises]
    ).values_list("enterprise_id", "tag_id"):
        links.setdefault(ent, []).append(tag)
    for e in enterprises:
        e.tag_list = [by_id[t] for t in sorted(links.get(e.pk, []), key=order.__getitem__) if t in by_id]


def profile(user, enterprise: Enterprise) -> dict:
    """The reads of the enterprise page: tags, list stays, key years, lists it may still join."""
    year = timezone.localdate().year
    return {
        "tags": enterprise.tags.all(),
        "memberships": ListMembership.objects.filter(enterprise=enterprise)
        .select_related("list")
        .order_by("exited_on", "-entered_on"),
        "key_years": list(enterprise.key_designations.values_list("year", flat=True)),
        "is_key": enterprise.key_designations.filter(year=year).exists(),
        "year": year,
        "open_lists": EnterpriseList.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(memberships__enterprise=enterprise, memberships__exited_on__isnull=True),
    }


def industries(user, q: str = ""):
    """Industries with the number of enterprises in the viewer's scope; `q` matches the name,
    the exact code or the section's name."""
    qs = Industry.objects.select_related("parent").annotate(
        n=Count("enterprises", filter=Q(enterprises__in=Enterprise.objects.visible_to(user)))
    )
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__iexact=q) | Q(parent__name__contains=q))
    return qs


def lists(user):
    return with_progress(EnterpriseList.objects.visible_to(user).select_related("region"), user)


def with_progress(qs, user):
    """Lists annotated with their members and achieved stays among the enterprises `user` may
    see (`EnterpriseList.progress`), in the same query."""
    from zhuqi.core.scope import scope_for

    from .models import live_enterprise_q

    in_scope = scope_for(user).enterprise_q("memberships__enterprise__") & live_enterprise_q(
        "memberships__enterprise__"
    )
    return qs.annotate(
        members_in_scope=Count(
            "memberships", filter=in_scope & Q(memberships__exited_on__isnull=True), distinct=True
        ),
        achieved_in_scope=Count(
            "memberships", filter=in_scope & Q(memberships__achieved_on__isnull=False), distinct=True
        ),
    ).order_by("kind", "name", "id")


def list_members(user, lst: EnterpriseList):
    """An enterprise list's stays in the viewer's scope, current ones first."""
    return (
        ListMembership.objects.visible_to(user)
        .filter(list=lst)
        .select_related("enterprise", "enterprise__region")
        .order_by("exited_on", "enterprise__name")
    )
