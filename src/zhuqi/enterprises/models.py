"""The enterprise registry: enterprises, industries (GB/T 4754-2017), tags, tiers, named lists
(清单) and cultivation pools (培育库), key-enterprise designations per year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import KeepsRegionPath, Region, RegionPathQuerySet
from zhuqi.core.scope import NOTHING, ScopedQuerySet, scope_for


def pinyin_initials(text: str) -> str:
    """`恒顺集团有限公司` → `hsjtyxgs`; letters and digits pass through lower-cased."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for part in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default"):
        out.append("".join(ch for ch in part.lower() if ch.isalnum()))
    return "".join(out)[:100]


#: marks the pinyin-initials grams among a name's grams (a name's own characters never start so)
INITIALS_MARK = "#"


def _grams(text: str) -> list[str]:
    """The characters and pairs of adjacent characters of `text` (none holding whitespace)."""
    out = {ch for ch in text if not ch.isspace()}
    out.update(a + b for a, b in zip(text, text[1:], strict=False) if not (a.isspace() or b.isspace()))
    return sorted(out)


def search_grams(name: str, initials: str) -> str:
    """What the name search indexes (docs/development.md, "Search"): the name's characters and
    character pairs, and its pinyin initials' letters and pairs marked with `#`, space-separated.
    PostgreSQL keeps a GIN index on `string_to_array(name_grams, ' ')`: a search for 恒顺集团 asks
    for the rows holding 恒顺, 顺集 and 集团 (no extension needed; two-character words work), then
    checks `name LIKE '%恒顺集团%'` on those few rows."""
    grams = _grams(name or "") + [INITIALS_MARK + g for g in _grams(initials or "")]
    return " ".join(grams)


def query_grams(text: str, initials: bool = False) -> list[str]:
    """The grams a search text must all have: its pairs (its one character when it is one)."""
    text = text.strip()
    pairs = [a + b for a, b in zip(text, text[1:], strict=False) if not (a.isspace() or b.isspace())]
    grams = pairs or ([text] if len(text) == 1 else [])
    return [INITIALS_MARK + g for g in grams] if initials else grams


def search_fields(name: str) -> dict[str, str]:
    """The stored search columns of a name (every writer of `Enterprise.name` sets both)."""
    initials = pinyin_initials(name)
    return {"name_initials": initials, "name_grams": search_grams(name, initials)}


class Industry(models.Model):
    """A section (门类, A–T) or division (大类, 01–97) of GB/T 4754-2017, shipped as data."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")

    code = models.CharField(_("代码"), max_length=4, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("门类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="divisions",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @staticmethod
    def scope_q(user):
        return Q() if scope_for(user).authenticated else NOTHING


class Tag(models.Model):
    """A label such as 专精特新, 高新技术企业 or 拟上市."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=50)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        return Q() if scope_for(user).authenticated else NOTHING


class Tier(models.TextChoices):
    """The 雁阵 tiers used to grade enterprises."""

    LEAD = "lead", _("头雁")
    STRONG = "strong", _("强雁")
    YOUNG = "young", _("雏雁")


def live_enterprise_q(prefix: str = "enterprise__") -> Q:
    """Rows of enterprises that are not archived: rows about an enterprise (key designations,
    list stays, assignments, visits) add this to their scope, so an archived enterprise leaves
    their lists and counts too."""
    return Q(**{f"{prefix}archived_at__isnull": True})


class LiveEnterpriseManager(models.Manager.from_queryset(RegionPathQuerySet)):  # type: ignore[misc]
    """The default manager: archived enterprises (`archived_at` set) are hidden from every list,
    search, count, export and API listing that starts from `Enterprise.objects`. Foreign keys
    still reach them (Django follows relations through the base manager), and
    `Enterprise.all_objects` sees them (the 已归档 page, restore, the credit-code check)."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class Enterprise(KeepsRegionPath, models.Model):
    """An enterprise the platform serves, identified by its unified social credit code.

    `region` is its most specific place in the Region tree (a grid, else a park or town), so a
    park or grid filter, and every official's scope, is a subtree match on `region.path`."""

    name = models.CharField(_("企业名称"), max_length=200)
    name_initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, editable=False)
    #: the name's characters and pairs, and its initials', for the GIN-indexed search (search_grams)
    name_grams = models.TextField(_("名称检索字元"), blank=True, default="", editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    credit_code_unchecked = models.BooleanField(
        _("信用代码未通过校验（管理员确认）"), default=False, editable=False
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises"
    )
    # a copy of region.path, so scope (`region_path LIKE '41/4101/%'`) needs no join
    region_path = models.CharField(_("区划路径"), max_length=255, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    MONEY_FIELDS = frozenset({"registered_capital"})  # yuan, shown in 万元 in audit entries
    registered_capital = models.DecimalField(
        _("注册资本（元）"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    above_scale_since = models.PositiveSmallIntegerField(_("入规年份"), null=True, blank=True)
    land_area_mu = models.DecimalField(
        _("用地面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    tier = models.CharField(_("梯队"), max_length=10, choices=Tier.choices, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="enterprises")
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # soft delete of a mistaken registration (services.archive_enterprise / restore_enterprise)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归档人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True, editable=False)

    objects = LiveEnterpriseManager()
    all_objects = RegionPathQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [
            # pinyin-initials search: WHERE name_initials LIKE '%hsjt%' (small table per county)
            models.Index(fields=["name_initials"], name="enterprise_initials"),
            # filters on the registry list
            models.Index(fields=["industry", "above_scale"], name="enterprise_industry_scale"),
            # every official's scope: WHERE region_path LIKE '41/4101/410102/%'
            models.Index(
                fields=["region_path"], name="enterprise_region_path", opclasses=["varchar_pattern_ops"]
            ),
            # the registry's default order (pinyin), paged
            models.Index(fields=["name_initials", "id"], name="enterprise_initials_id"),
            # the API's order (name), paged by number or by cursor
            models.Index(fields=["name", "id"], name="enterprise_name_id"),
            # the few archived enterprises, left out of indicator values by id (Value.scope_q):
            # WHERE archived_at IS NOT NULL, without reading every enterprise
            models.Index(
                fields=["archived_at"],
                name="enterprise_archived",
                condition=models.Q(archived_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        for key, value in search_fields(self.name).items():
            setattr(self, key, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"name_initials", "name_grams"}
        self._sync_region_path(kwargs)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("")

    def places(self) -> dict[str, Region]:
        """The town/county, park and grid this enterprise lies in, from its region's ancestors."""
        out: dict[str, Region] = {}
        for r in Region.objects.filter(path__in=self.region.ancestor_paths()).order_by("depth"):
            out[r.kind] = r
        return out

    def is_key(self, year: int | None = None) -> bool:
        year = year or timezone.localdate().year
        return self.key_designations.filter(year=year).exists()


class EnterpriseUser(models.Model):
    """Links an enterprise user's account to the one enterprise it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_membership"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    created_at = models.DateTimeField(_("开通时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业账号")
        verbose_name_plural = _("企业账号")
        ordering = ["-is_primary", "created_at", "id"]
        constraints = [
            # one primary contact per enterprise (set_primary_contact moves the mark under a lock)
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(is_primary=True), name="enterprise_user_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise}"


class KeyDesignation(models.Model):
    """Designates an enterprise a key enterprise (重点企业) for one year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="key_designations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点企业认定")
        verbose_name_plural = _("重点企业认定")
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="key_designation_once_a_year"),
        ]
        indexes = [models.Index(fields=["year"], name="key_designation_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.enterprise}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()


class EnterpriseList(models.Model):
    """A named list (清单) or a cultivation pool (培育库) with a goal, owned by a Region."""

    class Kind(models.TextChoices):
        LIST = "list", _("清单")
        POOL = "pool", _("培育库")

    class Pool(models.TextChoices):
        INDIVIDUAL_TO_COMPANY = "individual_to_company", _("个转企")
        SMALL_TO_SCALE = "small_to_scale", _("小升规")
        SCALE_TO_SHARES = "scale_to_shares", _("规改股")
        SHARES_TO_LISTED = "shares_to_listed", _("股上市")
        SPECIALISED = "specialised", _("专精特新")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LIST)
    pool = models.CharField(_("培育方向"), max_length=30, choices=Pool.choices, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    goal = models.PositiveIntegerField(_("年度目标（户）"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业清单")
        verbose_name_plural = _("企业清单")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="enterprise_list_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user):
        """Lists of the viewer's subtree and of the regions above them (a county list is seen in
        its parks)."""
        scope = scope_for(user)
        if scope.is_admin:
            return Q()
        if not scope.authenticated or scope.is_enterprise_user or not scope.region_path:
            return NOTHING
        parts = scope.region_path.strip("/").split("/")
        ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        return Q(region__path__startswith=scope.region_path) | Q(region__path__in=ancestors)

    def progress(self, viewer) -> dict:
        """Members on the list and those that reached its goal, counted over the enterprises
        `viewer` may see only (a grid member sees his 10 of a county list's 60). Uses the counts
        `selectors.with_progress` annotated when present, else counts them."""
        members = getattr(self, "members_in_scope", None)
        achieved = getattr(self, "achieved_in_scope", None)
        if members is None or achieved is None:
            stays = ListMembership.objects.visible_to(viewer).filter(list=self)
            members = stays.filter(exited_on__isnull=True).count()
            achieved = stays.filter(achieved_on__isnull=False).count()
        from zhuqi.core.units import rate

        return {"members": members, "achieved": achieved, "goal": self.goal, "pct": rate(achieved, self.goal)}

    @property
    def scoped_progress(self) -> dict:
        """`progress` from the counts `selectors.with_progress` annotated (for templates)."""
        if not hasattr(self, "members_in_scope"):
            raise AttributeError("annotate the list with selectors.with_progress(qs, viewer) first")
        return self.progress(None)


class ListMembership(models.Model):
    """An enterprise's stay on a list: entry and exit with dates and reasons; for a pool, the
    date it reached the pool's goal (became 规上, listed…)."""

    list = models.ForeignKey(
        EnterpriseList, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="list_memberships"
    )
    entered_on = models.DateField(_("入库日期"))
    entry_reason = models.CharField(_("入库原因"), max_length=200, blank=True)
    exited_on = models.DateField(_("出库日期"), null=True, blank=True)
    exit_reason = models.CharField(_("出库原因"), max_length=200, blank=True)
    achieved_on = models.DateField(_("达成日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单成员")
        verbose_name_plural = _("清单成员")
        ordering = ["-entered_on", "id"]
        constraints = [
            # one open stay per list and enterprise
            models.UniqueConstraint(
                fields=["list", "enterprise"],
                condition=Q(exited_on__isnull=True),
                name="list_membership_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list} · {self.enterprise}"

    @staticmethod
    def scope_q(user):
        return scope_for(user).enterprise_q("enterprise__") & live_enterprise_q()
