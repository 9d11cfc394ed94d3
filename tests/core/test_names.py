"""Names for meanings: a user's role is compared with `Role` and the role sets of
`zhuqi.core.roles`, never with a string literal; 万元/亿元 are `WAN`/`YI` and the year range is
`MIN_YEAR`..`MAX_YEAR` (`zhuqi.core.units`), never the bare numbers. This scans src/ for the
literal forms so a new one fails here with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import zhuqi
from zhuqi.assistance.models import AssignmentRole
from zhuqi.core.roles import Role

SRC = Path(zhuqi.__file__).parent
ROLE_CODES = set(Role.values)
# "commissioner" is also an assignment role (AssignmentRole); an assignment's role is not a
# user's role, so a literal shared by both is only reported where the subject is a user.
SHARED = ROLE_CODES & set(AssignmentRole.values)
MONEY = {10_000, 100_000_000}
# The files that define the names (and the paging cap, a different meaning of 10,000).
EXEMPT = {"core/roles.py", "core/units.py", "core/paging.py"}


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _is_user_role(expr: str) -> bool:
    """`expr` reads a *user's* role: `user.role`, `request.user.role`, `scope.role`, `_role(u)`,
    `getattr(user, "role", None)` or a local named `role` (not `a.role` of an Assignment)."""
    return (
        expr == "role"
        or expr.startswith("_role(")
        or (("role" in expr) and any(s in expr for s in ("user", "actor", "viewer", "scope", "self")))
    )


def _is_number(node: ast.AST, values: set[int]) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value in values


def offences(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            texts = [ast.unparse(s) for s in sides]
            for side in sides:
                codes = set(_strings(side)) & ROLE_CODES
                others = [t for s, t in zip(sides, texts, strict=True) if s is not side]
                if codes and any(_is_user_role(t) for t in others):
                    found.append((node.lineno, f"role literal {sorted(codes)}"))
            if any(_is_number(s, {2000, 2100}) for s in sides) and any(
                "year" in t or t in {"y"} for t in texts
            ):
                found.append((node.lineno, "year bound literal"))
            if any(_is_number(s, MONEY) for s in sides):
                found.append((node.lineno, "万元/亿元 literal"))
        elif isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            for kw in node.keywords:
                if kw.arg in {"role", "role__in"}:
                    codes = set(_strings(kw.value)) & ROLE_CODES
                    if codes - SHARED or (codes and ("User" in func or "people" in func)):
                        found.append((node.lineno, f"role literal {sorted(codes)} in {kw.arg}="))
                if kw.arg in {"min_value", "max_value"} and _is_number(kw.value, {2000, 2100}):
                    found.append((node.lineno, "year bound literal"))
            first = node.args[0] if node.args else None
            if (
                func == "Decimal"
                and isinstance(first, ast.Constant)
                and str(first.value) in {"10000", "100000000"}
            ):
                found.append((node.lineno, "万元/亿元 literal"))
            if any(_is_number(a, {2100}) for a in node.args):
                found.append((node.lineno, "year bound literal"))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mult | ast.Div | ast.FloorDiv)
            and (_is_number(node.right, MONEY) or _is_number(node.left, MONEY))
        ):
            found.append((node.lineno, "万元/亿元 literal"))
    return sorted(set(found))


def test_no_role_code_unit_or_year_literal_in_src():
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{rel}" or rel in EXEMPT:
            continue
        for line, what in offences(path.read_text(encoding="utf-8")):
            problems.append(f"src/zhuqi/{rel}:{line}: {what}")
    assert problems == [], "use Role / the role sets, WAN / YI, MIN_YEAR / MAX_YEAR:\n" + "\n".join(problems)


def test_the_scanner_sees_each_form():
    source = """
if user.role == "dispatch": pass
if _role(request.user) in {"dept_head", "handler"}: pass
User.objects.filter(role="leader")
people.exclude(role="commissioner")
Assignment.objects.filter(role="commissioner")
if a.role == "commissioner": pass
amount = wan * 10000
x = Decimal("100000000")
year = forms.IntegerField(min_value=2000, max_value=2100)
if 2000 <= year <= 2100: pass
"""
    assert [line for line, _ in offences(source)] == [2, 3, 4, 5, 8, 9, 10, 11]
