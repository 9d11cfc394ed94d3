"""Routing: rules (category × region → departments, data the dispatch office edits) and a
suggestion from the case text.

The suggestion is a multinomial naive Bayes over jieba tokens, trained on the platform's own
routed history (cases with a category); with fewer than `MIN_HISTORY` routed cases it falls back
to keyword rules (`Category.keywords`). Either way it names its confidence, and the dispatch
office always decides.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Q

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
@dataclass
class Suggestion:
    category: Category | None
    confidence: float
    method: str  # "bayes" | "keywords" | "none"

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


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

    def predict(self, toks: list[str]) -> tuple[int | None, float]:
        if not self.doc_counts:
            return None, 0.0
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
        best = max(scores, key=scores.get)
        top = scores[best]
        norm = sum(math.exp(s - top) for s in scores.values())
        return best, 1.0 / norm


_cache_lock = threading.Lock()
_cache: dict = {"at": 0.0, "model": None}


def history_docs(qs=None) -> list[tuple[list[str], int]]:
    """Routed history: cases that were dispatched with a category, labelled by the top
    category (the routing decision that matters)."""
    qs = qs if qs is not None else Case.objects.filter(dispatched_at__isnull=False, category__isnull=False)
    rows = qs.values_list("title", "description", "category_id", "category__parent_id")
    return [(tokens(f"{t} {d}"), parent or cat) for t, d, cat, parent in rows]


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


def keyword_suggest(text: str) -> Suggestion:
    best, best_hits, total = None, 0, 0
    for cat in Category.objects.filter(is_active=True).exclude(keywords=""):
        hits = sum(1 for kw in cat.keywords.split() if kw and kw in text)
        total += hits
        if hits > best_hits:
            best, best_hits = cat, hits
    if best is None:
        return Suggestion(None, 0.0, "none")
    return Suggestion(best, best_hits / total if total else 0.0, "keywords")


def suggest(text: str, nb: NaiveBayes | None = None) -> Suggestion:
    nb = nb or model()
    if nb.size >= MIN_HISTORY:
        label, conf = nb.predict(tokens(text))
        if label is not None:
            return Suggestion(Category.objects.filter(pk=label).first(), conf, "bayes")
    return keyword_suggest(text)


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
