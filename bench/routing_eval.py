"""`make bench-routing` (= `python -m bench.routing_eval`): accuracy of the routing suggestion
on hand-written, labelled case texts, and what its confidence threshold does.

    python -m bench.routing_eval                       # held-out set, demo data in a fresh SQLite file
    python -m bench.routing_eval --set dev --sweep     # development set, accuracy at every threshold
    python -m bench.routing_eval --src /tmp/before/src # the same measurement on another source tree

It loads the demo county (categories, keyword rules, routing rules and a year of routed cases,
the history the naive Bayes learns from) into its own SQLite file (var/routing_bench.sqlite3,
rebuilt each run, never the demo database), then for every text of the set asks
`routing.suggest(text)` and `routing.route_for(category, county)` and compares them with the labels:

* category: the suggested category's top-level category equals the label's top-level category
  (and, reported apart, the exact category);
* department: the lead department of the rule the suggestion routes to (county 340323) equals
  the labelled department (short name); "rules ceiling" is the same with the labelled category,
  i.e. what the routing rules alone allow;
* pre-selected: the suggestion's `preselect` (confidence ≥ `routing.PRESELECT_AT`); for a source
  tree without it, the old rule (confidence ≥ 0.5, as the case page used).

The held-out set (bench/routing_heldout.tsv) is never used to choose keywords, rules or the
threshold; the development set (bench/routing_dev.tsv) is. Writes bench/out/<time>-routing-<set>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
SETS = {"heldout": ROOT / "bench" / "routing_heldout.tsv", "dev": ROOT / "bench" / "routing_dev.tsv"}
COUNTY = "340323"


def read_set(path: Path) -> list[tuple[str, str, str]]:
    """(text, category code, department short name) rows of a TSV with '#' comments and a header."""
    rows = []
    lines = [ln.rstrip("\n") for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    header, body = lines[0].split("\t"), lines[1:]
    if header != ["text", "category", "department"]:
        raise SystemExit(f"{path}: header must be text, category, department")
    for n, line in enumerate(body, start=2):
        cells = line.split("\t")
        if len(cells) != 3:
            raise SystemExit(f"{path}: data row {n} has {len(cells)} cells")
        rows.append((cells[0], cells[1], cells[2]))
    return rows


def _setup(src: str | None) -> None:
    if src:
        sys.path.insert(0, str(Path(src).resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    os.environ.setdefault("ZHUQI_HOME", str(ROOT))
    db = ROOT / "var" / "routing_bench.sqlite3"
    db.parent.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def measure(rows, *, threshold: float | None = None) -> dict:
    """Suggest for every row and count hits; `threshold` overrides the pre-selection rule."""
    from zhuqi.cases import routing
    from zhuqi.cases.models import Category
    from zhuqi.core.models import Region

    county = Region.objects.get(code=COUNTY)
    cats = {c.code: c for c in Category.objects.select_related("parent")}
    routing.reset_model()
    out = []
    for text, code, dept in rows:
        if code not in cats:
            raise SystemExit(f"unknown category code {code!r} ({text})")
        s = routing.suggest(text)
        lead = routing.route_for(s.category, county).lead
        ceiling = routing.route_for(cats[code], county).lead
        pre = getattr(s, "preselect", None)
        if pre is None:  # a source tree from before the threshold: the case page's old rule
            pre = s.category is not None and s.confidence >= 0.5
        if threshold is not None:
            pre = s.category is not None and s.confidence >= threshold
        out.append(
            {
                "text": text,
                "label": code,
                "department": dept,
                "suggested": s.category.code if s.category else None,
                "confidence": round(s.confidence, 4),
                "method": s.method,
                "preselect": bool(pre),
                "lead": lead.short_name if lead else None,
                "category_ok": bool(s.category) and s.category.root.code == cats[code].root.code,
                "exact_ok": bool(s.category) and s.category.code == code,
                "department_ok": bool(lead) and lead.short_name == dept,
                "ceiling_ok": bool(ceiling) and ceiling.short_name == dept,
            }
        )
    return {"rows": out, **summary(out)}


def _rate(hits: int, n: int) -> str:
    return f"{hits}/{n} = {100 * hits / n:.1f} %" if n else "—"


def summary(out: list[dict]) -> dict:
    n = len(out)
    pre = [r for r in out if r["preselect"]]
    rest = [r for r in out if not r["preselect"]]

    def both(rs):
        return sum(1 for r in rs if r["category_ok"] and r["department_ok"])

    return {
        "n": n,
        "category": _rate(sum(r["category_ok"] for r in out), n),
        "exact_category": _rate(sum(r["exact_ok"] for r in out), n),
        "department": _rate(sum(r["department_ok"] for r in out), n),
        "rules_ceiling": _rate(sum(r["ceiling_ok"] for r in out), n),
        "coverage": _rate(len(pre), n),
        "preselected_category": _rate(sum(r["category_ok"] for r in pre), len(pre)),
        "preselected_department": _rate(sum(r["department_ok"] for r in pre), len(pre)),
        "preselected_both": _rate(both(pre), len(pre)),
        "preselected_wrong_department": len(pre) - sum(r["department_ok"] for r in pre),
        "not_preselected_category": _rate(sum(r["category_ok"] for r in rest), len(rest)),
        "not_preselected_department": _rate(sum(r["department_ok"] for r in rest), len(rest)),
    }


LABELS = [
    ("category", "top-1 category (top level)"),
    ("exact_category", "top-1 category (exact)"),
    ("department", "lead department"),
    ("rules_ceiling", "lead department with the labelled category (rules ceiling)"),
    ("coverage", "pre-selected (coverage)"),
    ("preselected_category", "category right among pre-selected"),
    ("preselected_department", "department right among pre-selected"),
    ("preselected_both", "category and department right among pre-selected"),
    ("preselected_wrong_department", "pre-selected to a wrong department (count)"),
    ("not_preselected_category", "category right among not pre-selected (hint only)"),
    ("not_preselected_department", "department right among not pre-selected (hint only)"),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="heldout")
    ap.add_argument("--src", help="source tree to measure instead of this one (its src/ directory)")
    ap.add_argument("--threshold", type=float, help="pre-select at this confidence instead of the code's")
    ap.add_argument("--sweep", action="store_true", help="also print coverage/accuracy at thresholds 0–0.9")
    ap.add_argument("--rows", action="store_true", help="print every text with its suggestion")
    args = ap.parse_args(argv)
    _setup(args.src)
    from zhuqi.cases import routing

    rows = read_set(SETS[args.set])
    result = measure(rows, threshold=args.threshold)
    at = args.threshold if args.threshold is not None else getattr(routing, "PRESELECT_AT", "0.5 (old rule)")
    print(f"routing suggestion on {SETS[args.set].name} ({len(rows)} texts), pre-select at confidence ≥ {at}")
    for key, label in LABELS:
        print(f"  {label:<62} {result[key]}")
    if args.rows:
        for r in sorted(result["rows"], key=lambda r: -r["confidence"]):
            mark = ("✓" if r["category_ok"] else "✗") + ("✓" if r["department_ok"] else "✗")
            pre = "pre" if r["preselect"] else "   "
            print(
                f"{r['confidence']:.2f} {pre} {mark} {r['text']} | {r['label']}→{r['suggested']}"
                f" | {r['department']}→{r['lead']}"
            )
    sweep = []
    if args.sweep:
        print("threshold  coverage            dept ok among pre-selected   wrong dept pre-selected")
        for t in [x / 20 for x in range(19)]:
            res = summary(
                [
                    {**r, "preselect": r["suggested"] is not None and r["confidence"] >= t}
                    for r in result["rows"]
                ]
            )
            sweep.append({"threshold": t, **res})
            print(
                f"  {t:.2f}     {res['coverage']:<20}{res['preselected_department']:<29}{res['preselected_wrong_department']}"
            )
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = OUT / f"{stamp}-routing-{args.set}.json"
    path.write_text(
        json.dumps(
            {"set": args.set, "threshold": str(at), **result, "sweep": sweep}, ensure_ascii=False, indent=1
        )
    )
    print(f"written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
