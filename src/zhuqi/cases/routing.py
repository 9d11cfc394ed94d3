"""Routing: rules (category × region → departments, data the dispatch office edits) and a
suggestion from the case text.

The suggestion combines two pieces of evidence per top-level category: a multinomial naive Bayes
over jieba tokens, trained on the platform's own routed history (cases with a category), and the
keyword rules (`Category.keywords`); with fewer than `MIN_HISTORY` routed cases the keywords
alone. Its confidence is the margin of the best score over the second best; forms pre-select
the suggestion only from `PRESELECT_AT` on, and show it as a hint below (docs/cases-routing.md).
The dispatch office always decides.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext

from zhuqi.core.models import Department, Region

from .models import Case, Category, RoutingRule

MIN_HISTORY = 30
_MODEL_TTL = 300.0
STOPWORDS = set(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "对",
        "我",
        "我们",
        "公司",
        "企业",
        "有限公司",
        "一个",
        "需要",
        "希望",
        "问题",
        "请",
        "帮助",
        "协调",
        "目前",
        "没有",
        "一些",
        "by",
        "为",
        "也",
        "就",
        "都",
        "而",
        "等",
    ]
)


def tokens(text: str) -> list[str]:
    import jieba

    out = []
    for tok in jieba.lcut(text or ""):
        tok = tok.strip()
        if len(tok) < 2 or tok in STOPWORDS or re.fullmatch(r"[\W\d_]+", tok):
            continue
        out.append(tok)
    return out


# --- rules -----------------------------------------------------------------------
@dataclass
class Route:
    lead: Department | None
    assisting: list[Department]
    rule: RoutingRule | None

    @property
    def is_fallback(self) -> bool:
        return self.rule is None


def dispatch_office_for(region: Region) -> Department | None:
    """The dispatch office of the nearest region up the tree that has one."""
    offices = Department.objects.filter(
        kind=Department.Kind.DISPATCH_OFFICE, is_active=True, region__path__in=region.ancestor_paths()
    ).select_related("region")
    return max(offices, key=lambda d: d.region.depth, default=None)


def route_for(category: Category | None, region: Region) -> Route:
    """The most specific active rule: deepest category first, then deepest region."""
    if category is not None:
        lineage = category.lineage_ids()
        rules = list(
            RoutingRule.objects.filter(
                is_active=True, category_id__in=lineage, region__path__in=region.ancestor_paths()
            )
            .select_related("lead_department", "region")
            .prefetch_related("assisting_departments")
        )
        if rules:
            rules.sort(key=lambda r: (lineage.index(r.category_id), -r.region.depth))
            rule = rules[0]
            return Route(rule.lead_department, list(rule.assisting_departments.all()), rule)
    return Route(dispatch_office_for(region), [], None)


# --- suggestion ------------------------------------------------------------------
# The suggestion pre-selects its category (and so the rule's departments) only when its
# confidence reaches this threshold; below it, the form shows it as a hint and selects nothing.
# Chosen on bench/routing_dev.tsv (bench/RESULTS.md); never on the held-out set.
PRESELECT_AT = 0.45


@dataclass
class Suggestion:
    """The suggested category and how sure the suggestion is.

    `scores` maps each top-level category id to its score (section "Routing suggestion" of
    docs/cases-routing.md): the mean of the naive-Bayes posterior of the category (summed over
    its sub-categories) and its keyword share hits / (all hits + 1); without routed history the
    keyword share alone. `confidence` is the best score minus the second best (the margin).
    """

    category: Category | None
    confidence: float
    method: str  # "bayes+keywords" | "bayes" | "keywords" | "none"
    scores: dict[int, float] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def preselect(self) -> bool:
        """Whether forms pre-select the suggested category (and its route)."""
        return self.category is not None and self.confidence >= PRESELECT_AT


class NaiveBayes:
    """Multinomial naive Bayes with Laplace smoothing; labels are category ids."""

    def __init__(self):
        self.doc_counts: Counter = Counter()
        self.token_counts: dict[int, Counter] = defaultdict(Counter)
        self.totals: Counter = Counter()
        self.vocab: set[str] = set()

    def fit(self, docs: list[tuple[list[str], int]]) -> NaiveBayes:
        for toks, label in docs:
            self.doc_counts[label] += 1
            self.token_counts[label].update(toks)
            self.totals[label] += len(toks)
            self.vocab.update(toks)
        return self

    @property
    def size(self) -> int:
        return sum(self.doc_counts.values())

    def posteriors(self, toks: list[str]) -> dict[int, float]:
        """P(label | tokens) for every label (summing to 1); empty without training."""
        if not self.doc_counts:
            return {}
        n = self.size
        v = len(self.vocab) or 1
        scores = {}
        for label, dc in self.doc_counts.items():
            s = math.log(dc / n)
            counts, total = self.token_counts[label], self.totals[label]
            for t in toks:
                if t in self.vocab:
                    s += math.log((counts[t] + 1) / (total + v))
            scores[label] = s
        top = max(scores.values())
        weights = {label: math.exp(s - top) for label, s in scores.items()}
        norm = sum(weights.values())
        return {label: w / norm for label, w in weights.items()}

    def predict(self, toks: list[str]) -> tuple[int | None, float]:
        post = self.posteriors(toks)
        if not post:
            return None, 0.0
        best = max(post, key=post.__getitem__)
        return best, post[best]


_cache_lock = threading.Lock()
_cache: dict = {"at": 0.0, "model": None}


def history_docs(qs=None) -> list[tuple[list[str], int]]:
    """Routed history: cases that were dispatched with a category, labelled by the category
    they were filed under (a sub-category where the dispatch office chose one)."""
    qs = qs if qs is not None else Case.objects.filter(dispatched_at__isnull=False, category__isnull=False)
    rows = qs.values_list("title", "description", "category_id")
    return [(tokens(f"{t} {d}"), cat) for t, d, cat in rows]


def train(qs=None) -> NaiveBayes:
    return NaiveBayes().fit(history_docs(qs))


def model() -> NaiveBayes:
    with _cache_lock:
        if _cache["model"] is None or time.monotonic() - _cache["at"] > _MODEL_TTL:
            _cache["model"] = train(
                Case.objects.filter(dispatched_at__isnull=False, category__isnull=False).order_by("-id")[
                    :20000
                ]
            )
            _cache["at"] = time.monotonic()
        return _cache["model"]


def reset_model() -> None:
    with _cache_lock:
        _cache["model"] = None


def keyword_hits(text: str, categories) -> Counter:
    """Category id → how many of its keywords occur in `text`. An occurrence that overlaps a
    longer keyword's occurrence does not count ("排污许可证" is one hit for 排污许可, not also
    one for 许可证); each keyword counts once however often it occurs."""
    spans = []  # (start, end, keyword, category id)
    for cat in categories:
        for kw in set((cat.keywords or "").split()):
            at = text.find(kw)
            while at >= 0:
                spans.append((at, at + len(kw), kw, cat.pk))
                at = text.find(kw, at + 1)
    kept = {
        (kw, cat_id)
        for a, b, kw, cat_id in spans
        if not any(a < b2 and a2 < b and b2 - a2 > b - a for a2, b2, _kw, _c in spans)
    }
    return Counter(cat_id for _kw, cat_id in kept)


def _roots(categories) -> dict[int, int]:
    """Category id → id of its top-level category."""
    parent = {c.pk: c.parent_id for c in categories}

    def root(pk):
        seen = 0
        while parent.get(pk) and seen < 20:
            pk, seen = parent[pk], seen + 1
        return pk

    return {pk: root(pk) for pk in parent}


# (history used, keywords matched) → Suggestion.method
_METHODS = {
    (True, True): "bayes+keywords",
    (True, False): "bayes",
    (False, True): "keywords",
    (False, False): "none",
}


def score(text: str, categories, nb: NaiveBayes | None) -> tuple[dict[int, float], dict[int, float], str]:
    """Scores of the top-level categories and of every category (for the sub-category choice),
    and the method. See `Suggestion`."""
    roots = _roots(categories)
    hits = keyword_hits(text, categories)
    total_hits = sum(hits.values())
    kw = {pk: n / (total_hits + 1) for pk, n in hits.items()}
    post = nb.posteriors(tokens(text)) if nb is not None and nb.size >= MIN_HISTORY else {}
    post = {pk: p for pk, p in post.items() if pk in roots}
    node: dict[int, float] = defaultdict(float)
    top: dict[int, float] = defaultdict(float)
    for pk, p in post.items():
        node[pk] += p / 2
        top[roots[pk]] += p / 2
    share = 0.5 if post else 1.0
    for pk, k in kw.items():
        node[pk] += k * share
        top[roots[pk]] += k * share
    return dict(top), dict(node), _METHODS[bool(post), bool(total_hits)]


def keyword_suggest(text: str) -> Suggestion:
    """The suggestion from the keyword rules alone (as on a platform without routed history)."""
    return suggest(text, nb=NaiveBayes())


def suggest(text: str, nb: NaiveBayes | None = None) -> Suggestion:
    """The category to suggest for a case text, with its confidence (the margin between the
    best and the second-best top-level score). Names the best sub-category of the best
    top-level category when one has a score of its own, else the top-level category."""
    nb = model() if nb is None else nb
    categories = list(Category.objects.filter(is_active=True))
    top, node, method = score(text or "", categories, nb)
    if not top or max(top.values()) <= 0:
        return Suggestion(None, 0.0, "none")
    ranked = sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))
    best_root, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    by_pk = {c.pk: c for c in categories}
    subs = [(node.get(c.pk, 0.0), c.pk) for c in categories if c.parent_id == best_root]
    sub_score, sub_pk = max(subs, default=(0.0, 0))
    chosen = by_pk[sub_pk] if sub_score > 0 else by_pk[best_root]
    return Suggestion(chosen, round(best - second, 4), method, top)


def route_hint(s: Suggestion, lead: Department | None) -> str:
    """The sentence the forms show: the suggestion, its lead department and whether it was
    pre-selected ("系统建议：类别… → 主办…（把握不大，请确认）")."""
    if s.category is None:
        return ""
    values = {
        "category": str(s.category),
        "lead": (lead.short_name or lead.name) if lead else "—",
        "percent": s.percent,
    }
    if s.preselect:
        return gettext("系统建议：类别「%(category)s」→ 主办 %(lead)s（把握 %(percent)s%%，已预选）") % values
    return (
        gettext("系统建议：类别「%(category)s」→ 主办 %(lead)s（把握不大，%(percent)s%%，未预选，请确认）")
        % values
    )


def suggestion_data(s: Suggestion, region: Region | None) -> dict:
    """The suggestion as the case form's script and the API receive it; the route is the rule
    of the suggested category in `region` (the asker's region)."""
    lead = route_for(s.category, region).lead if s.category is not None and region is not None else None
    return {
        "category": s.category.pk if s.category else None,
        "label": str(s.category or ""),
        "lead_department": lead.pk if lead else None,
        "lead_label": (lead.short_name or lead.name) if lead else "",
        "confidence": s.percent,
        "threshold": round(PRESELECT_AT * 100),
        "preselect": s.preselect,
        "method": s.method,
        "hint": route_hint(s, lead),
    }


def evaluate(cases: list[Case], *, holdout: float = 0.2, seed: int = 7) -> dict:
    """Accuracy of the top-category suggestion on a held-out share of routed cases."""
    import random

    rows = [(tokens(f"{c.title} {c.description}"), c.category.parent_id or c.category_id) for c in cases]
    rng = random.Random(seed)
    rng.shuffle(rows)
    cut = int(len(rows) * (1 - holdout))
    nb = NaiveBayes().fit(rows[:cut])
    test = rows[cut:]
    hits = sum(1 for toks, label in test if nb.predict(toks)[0] == label)
    return {"train": cut, "test": len(test), "correct": hits, "accuracy": hits / len(test) if test else 0.0}


def similar_open_cases(enterprise_id: int, text: str, *, exclude_pk=None, threshold: float = 0.25):
    """Open cases of the same enterprise whose tokens overlap the text (Jaccard ≥ threshold),
    best first: candidates for a merge."""
    from .models import OPEN_STATUSES

    mine = set(tokens(text))
    if not mine:
        return []
    qs = Case.objects.filter(enterprise_id=enterprise_id, status__in=OPEN_STATUSES).exclude(
        Q(pk=exclude_pk) if exclude_pk else Q(pk__in=[])
    )
    out = []
    for case in qs.order_by("-id")[:50]:
        theirs = set(tokens(f"{case.title} {case.description}"))
        score = len(mine & theirs) / len(mine | theirs) if theirs else 0
        if score >= threshold:
            out.append((case, round(score, 2)))
    out.sort(key=lambda x: -x[1])
    return out
