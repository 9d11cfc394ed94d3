"""The figures of an inspection-tour round (观摩) and its results as a Word bulletin (通报).
Definitions with a hand-worked example: docs/oversight.md §观摩.

* per site and criterion, the judges' **trimmed mean**: with at least `TRIM_MIN_JUDGES` scores the
  one highest and the one lowest are dropped, the rest averaged; with fewer, all are averaged;
* a site's **total** (0–100) = Σ weight ÷ Σ weights × (mean ÷ maximum × 100) — the weights add
  up to 100, so it is Σ weight/100 × the criterion's mean as a percentage of its maximum —
  rounded half up to 0.01; a site missing a criterion's scores has no total yet;
* the **ranking** by total, highest first; equal totals share a rank (1, 1, 3).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .bulletin import PT_2HAO, PT_3HAO, _para, _table, fonts, new_document
from .models import TourCriterion, TourJudge, TourRound, TourScore, TourSite

#: from this many judges' scores of a site on a criterion, the highest and the lowest are dropped
TRIM_MIN_JUDGES = 5
CENT = Decimal("0.01")


def trimmed_mean(values: list[Decimal]) -> Decimal | None:
    """The mean of `values`, without one highest and one lowest when there are at least
    `TRIM_MIN_JUDGES` of them; None for no values. Not rounded."""
    if not values:
        return None
    vals = sorted(Decimal(v) for v in values)
    if len(vals) >= TRIM_MIN_JUDGES:
        vals = vals[1:-1]
    return sum(vals, Decimal(0)) / len(vals)


@dataclass
class SiteResult:
    site: TourSite
    #: criterion id → trimmed mean, rounded half up to 0.01 (shown)
    means: dict[int, Decimal] = field(default_factory=dict)
    #: judges who scored every criterion of the site
    done: int = 0
    total: Decimal | None = None
    rank: int = 0
    cells: list = field(default_factory=list)


def results(round_: TourRound) -> list[SiteResult]:
    """Every site of the round with its means, total and rank; ranked sites first (by rank,
    then visiting order), then the sites without a total in visiting order."""
    criteria = list(TourCriterion.objects.filter(round=round_).order_by("order", "pk"))
    weight_sum = sum((c.weight for c in criteria), Decimal(0))
    values: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    scored: dict[tuple[int, int], int] = defaultdict(int)  # (site, judge) → criteria scored
    for s in TourScore.objects.filter(round=round_).values_list(
        "site_id", "criterion_id", "judge_id", "score"
    ):
        values[(s[0], s[1])].append(s[3])
        scored[(s[0], s[2])] += 1
    out = []
    sites = (
        TourSite.objects.filter(round=round_).select_related("project", "enterprise").order_by("order", "pk")
    )
    for site in sites:
        res = SiteResult(site)
        res.done = sum(1 for (sid, _j), n in scored.items() if sid == site.pk and n >= len(criteria))
        total = Decimal(0)
        complete = bool(criteria) and weight_sum > 0
        for c in criteria:
            mean = trimmed_mean(values.get((site.pk, c.pk), []))
            if mean is None:
                complete = False
                continue
            res.means[c.pk] = mean.quantize(CENT, ROUND_HALF_UP)
            total += c.weight * (mean / c.max_score * 100)
        if complete:
            res.total = (total / weight_sum).quantize(CENT, ROUND_HALF_UP)
        res.cells = [res.means.get(c.pk) for c in criteria]
        out.append(res)
    rank_sites(out)
    return out


def rank_sites(rows: list[SiteResult]) -> None:
    """Rank in place by total, highest first; equal totals share a rank and the next rank skips
    (1, 1, 3); rows without a total get rank 0 and go last, in visiting order."""
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.site.order, r.site.pk))
    prev, rank = None, 0
    for i, r in enumerate(rows, start=1):
        if r.total is None:
            r.rank = 0
            continue
        if r.total != prev:
            rank, prev = i, r.total
        r.rank = rank


def judge_count(round_: TourRound) -> int:
    return TourJudge.objects.filter(round=round_).count()


# --- Word --------------------------------------------------------------------------------------
def _day(d) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


def docx_bytes(round_: TourRound, rows: list[SiteResult] | None = None) -> bytes:
    """The round's results as a bulletin (通报) in the official format of bulletin.py: title,
    how it was scored, the ranking table with each criterion's trimmed mean, the issuer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    rows = results(round_) if rows is None else rows
    criteria = list(round_.criteria.order_by("order", "pk"))
    judges = judge_count(round_)
    doc = new_document()
    fs = fonts()
    body_font, title_font, heading_font = fs["body"], fs["title"], fs["heading1"]
    _para(doc, "", body_font, PT_3HAO, indent=False)
    title = _("关于%(name)s结果的通报") % {"name": round_.name}
    _para(doc, title, title_font, PT_2HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "", body_font, PT_3HAO, indent=False)
    ranked = [r for r in rows if r.total is not None]
    intro = _("%(date)s，%(region)s组织开展%(name)s，%(judges)s名评委对%(sites)s个观摩点逐一现场评分。") % {
        "date": _day(round_.held_on),
        "region": round_.region.name,
        "name": round_.name,
        "judges": judges,
        "sites": len(rows),
    }
    method = _(
        "评分项及权重：%(criteria)s。每个评分项的得分为评委评分的平均分，评委达到 %(n)s 人的去掉一个"
        "最高分和一个最低分后平均；综合得分为各评分项得分占满分的比例乘以权重之和（满分 100 分）。"
    ) % {
        "criteria": "、".join(f"{c.name}{c.weight.normalize():f}%" for c in criteria),
        "n": TRIM_MIN_JUDGES,
    }
    _para(doc, _("一、基本情况"), heading_font, PT_3HAO)
    _para(doc, intro, body_font, PT_3HAO)
    _para(doc, method, body_font, PT_3HAO)
    _para(doc, _("二、观摩排名"), heading_font, PT_3HAO)
    if ranked:
        first = [r.site.name for r in ranked if r.rank == 1]
        _para(
            doc,
            _("%(names)s综合得分 %(total)s 分，位列第一。")
            % {"names": "、".join(first), "total": ranked[0].total},
            body_font,
            PT_3HAO,
        )
    _table(
        doc,
        [
            _("名次"),
            _("观摩点"),
            *[_("%(name)s（满分 %(max)s）") % {"name": c.name, "max": c.max_score} for c in criteria],
            _("综合得分"),
        ],
        [
            [
                r.rank or "—",
                r.site.name,
                *[("—" if v is None else f"{v:.2f}") for v in r.cells],
                "—" if r.total is None else f"{r.total:.2f}",
            ]
            for r in rows
        ],
        fs,
    )
    _para(doc, "", body_font, PT_3HAO, indent=False)
    issuer = _("%(region)s观摩评比办公室") % {"region": round_.region.name}
    day = _day(
        timezone.localtime(round_.published_at).date() if round_.published_at else timezone.localdate()
    )
    _para(doc, issuer, body_font, PT_3HAO, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, day, body_font, PT_3HAO, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
