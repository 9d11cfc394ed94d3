"""Every Chinese string a user can see goes through gettext.

The test parses every module under src/zhuqi (migrations left out) with `ast` and reports each
string constant (f-string parts included) that holds a CJK character and is not

* the message argument of a translation call: gettext, gettext_lazy, pgettext, pgettext_lazy,
  ngettext, ngettext_lazy, npgettext, npgettext_lazy (under whatever name the module imports
  them: `_`, `gettext_lazy`, `translation.gettext`, ...; resolved per module from its imports);
* a docstring or a bare string statement (comments are not in the AST at all);
* data listed in the allow-lists below (demo data, GB/T 4754 names, aliases matched against
  Chinese input, ...).

A message argument must be a plain literal (or a variable holding a msgid marked elsewhere with
gettext_noop): an f-string or an expression built from literals inside `_()` cannot be a msgid and
is reported too (write `_("已%(n)s") % {"n": n}` instead of `_(f"已{n}")`).
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "zhuqi"

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Translation functions, by their name in django.utils.translation (or gettext), and the
# positions of their message arguments (context arguments of pgettext are not messages).
TRANSLATORS = {
    "gettext": (0,),
    "gettext_lazy": (0,),
    "ugettext": (0,),
    "ugettext_lazy": (0,),
    "gettext_noop": (0,),
    "pgettext": (1,),
    "pgettext_lazy": (1,),
    "ngettext": (0, 1),
    "ngettext_lazy": (0, 1),
    "npgettext": (1, 2),
    "npgettext_lazy": (1, 2),
}
TRANSLATION_MODULES = {"django.utils.translation", "gettext"}

# Whole files that are data, not interface text.
ALLOWED_FILES = {
    # demo data: Chinese enterprise, people and case names make the demo look like a county's.
    "zhuqi/core/demo.py": "demo data",
    "zhuqi/cases/demo.py": "demo data",
    "zhuqi/assistance/demo.py": "demo data",
    "zhuqi/projects/demo.py": "demo data",
    "zhuqi/indicators/demo.py": "demo data",  # ind-demo
    "zhuqi/oversight/demo.py": "demo data",
    "zhuqi/mu/demo.py": "demo data",
    "zhuqi/policies/demo.py": "demo data",
    "zhuqi/attraction/demo.py": "demo data",
    # the scale generator makes millions of synthetic Chinese records for benchmarks.
    "zhuqi/scale/*": "synthetic benchmark data",
    # reference tables (GB/T 4754 industries, regions) loaded as data.
    "zhuqi/enterprises/data/*": "reference data",
}

# Names, per file (or file pattern), whose literals are data: a module, class or function-level
# assignment target, or an enclosing function or class. Every literal inside is allowed.
ALLOWED_NAMES: dict[str, dict[str, str]] = {
    "zhuqi/attraction/models.py": {
        "_NAME_NOISE": "legal-form words and punctuation removed when comparing investor names",
    },
    "zhuqi/attraction/services.py": {
        "PROJECT_TAG": "the tag value of Project.TAG_CHOICES a converted lead's project carries",
    },
    "zhuqi/*/management/commands/*.py": {
        "help": "argparse needs a plain str at class definition (Django's own commands are not translated)",
    },
    "zhuqi/cases/management/commands/evaluate_routing.py": {
        "HANDWRITTEN": "Chinese problem texts the routing classifier is evaluated on",
    },
    "zhuqi/projects/services.py": {
        "DEFAULT_APPROVAL_STEPS": "seeded into the database; department names matched against Department.name",
    },
    "zhuqi/projects/models.py": {
        "TAG_CHOICES": "tag values stored on projects and matched on import",
    },
    # imports: headers are gettext_noop msgids (accepted in Chinese and in the user's language);
    # what follows is matched against what users type into their own spreadsheets.
    "zhuqi/core/imports.py": {
        "parse_region_kind": "Chinese aliases of region kinds accepted from users' spreadsheets",
        "parse_department_kind": "Chinese aliases of department kinds accepted from users' spreadsheets",
        "parse_role": "Chinese aliases of role names accepted from users' spreadsheets",
        "PHONE_RE": "a regex: the Chinese punctuation and 转 (extension) allowed in phone numbers",
        "DATE_RE": "a regex: dates written 2026年10月1日",
        "WORKDAY_WORDS": "Chinese words for a working day accepted in 「是否上班」",
        "DAYOFF_WORDS": "Chinese words for a day off accepted in 「是否上班」",
        "sample": "template example rows: Chinese place, department and person names, and Chinese "
        "values the importer parses (region kind, role, 上班/放假)",
    },
    "zhuqi/core/forms.py": {
        "RANGE_SEPARATORS": "至 / 到 between two dates in the State Council's holiday notice, as typed in",
        "parse_day_ranges": "regexes and suffixes of dates written the Chinese way (2月6日, 2027年2月6日)",
    },
    "zhuqi/enterprises/importers.py": {
        "YES_WORDS": "是 accepted in yes/no columns (the active language's word is accepted too)",
        "NO_WORDS": "否 accepted in yes/no columns (the active language's word is accepted too)",
        "sample": "template example row: a Chinese enterprise, people, address, tier and tags the importer parses",
    },
    "zhuqi/indicators/importers.py": {
        "PERIOD_PATTERNS": "regexes of periods written the Chinese way (2026年10月, 2026年1—10月, 中旬, 第三季度)",
        "PERIOD_WORDS": "上/中/下 (旬, 半年) and 一二三四 (季度) in periods as typed in",
        "PERIOD_VALUE_WORDS": "header qualifiers 当期/本月 … that mark a column of period values",
        "CUMULATIVE_WORDS": "header qualifiers 累计 … that mark a column of 1—N月累计 values",
    },
    "zhuqi/oversight/bulletin.py": {
        "STANDARD_FONTS": "the font names GB/T 9704-2012 asks for, as Word knows them",
    },
    "zhuqi/oversight/docx_template.py": {
        "BODY_FONT": "the East-Asian theme fonts of the Word reference template, as Word knows them",
        "HEADING_FONT": "the East-Asian theme fonts of the Word reference template, as Word knows them",
    },
    "zhuqi/settings.py": {
        "ZHUQI_BULLETIN_FONTS": "the default font names of bulletins, as Word and fontconfig know them",
    },
    "zhuqi/oversight/importers.py": {
        "sample": "template example rows: Chinese task-list items, department names and the list, "
        "priority and frequency labels the importer parses",
        "_names": "the Chinese separators (、，；) between department names as typed in",
    },
    "zhuqi/cases/importers.py": {
        "sample": "template example row: a Chinese enterprise, work order and the stored category name 其他",
    },
    "zhuqi/cases/routing.py": {
        "STOPWORDS": "Chinese function words dropped from jieba tokens of case text before routing",
    },
}

# Exact literals, per file, that are data (a regex or an alias matched against Chinese input).
ALLOWED_LITERALS: dict[str, dict[str, str]] = {
    "zhuqi/cockpit/services.py": {
        "区划代码": "a property name accepted in an uploaded GeoJSON (alias of `code`)",
        "名称": "a property name accepted in an uploaded GeoJSON (alias of `name`)",
    },
    "zhuqi/cases/services.py": {
        "河南“13710”（默认）": "name of the default SLA policy row, created once in the database"
    },
    "zhuqi/assistance/services.py": {"其他": "the stored category value of uncategorised visit problems"},
    "zhuqi/assistance/api.py": {"其他": "the stored category value of uncategorised visit problems"},
    "zhuqi/settings.py": {
        "简体中文": "LANGUAGES: each language is named in itself (an endonym, like English beside it)",
        "zhuqi 助企": "OTP_TOTP_ISSUER: the product name stored by authenticator apps; django-otp needs a plain str",
        "zhuqi 助企 API": "SPECTACULAR_SETTINGS TITLE: the schema's product name; the YAML schema renderer needs a plain str",
    },
}

# Files other helpers are rewriting right now: they wrap their own literals; the lead empties
# this set after merging their branches. ZHUQI_I18N_EXCLUDE (comma-separated) adds to it.
EXCLUDED_WHILE_MERGING: set[str] = set()


def _excluded() -> set[str]:
    extra = os.environ.get("ZHUQI_I18N_EXCLUDE", "")
    return EXCLUDED_WHILE_MERGING | {p.strip() for p in extra.split(",") if p.strip()}


def _matches(rel: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(rel, p) for p in patterns)


@dataclass
class Finding:
    path: str
    line: int
    text: str
    why: str = "not in _()"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def _translator_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names bound to translation functions, and local names bound to their modules."""
    functions: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module in TRANSLATION_MODULES and alias.name in TRANSLATORS:
                    functions[local] = alias.name
                elif f"{node.module}.{alias.name}" in TRANSLATION_MODULES:
                    modules.add(local)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in TRANSLATION_MODULES:
                    modules.add(alias.asname or alias.name)
    return functions, modules


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _target_names(node: ast.AST) -> list[str]:
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names = []
    for t in targets:
        for sub in ast.walk(t):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.append(sub.attr)
    return names


class _Scanner(ast.NodeVisitor):
    def __init__(self, rel: str, tree: ast.Module):
        self.rel = rel
        self.functions, self.modules = _translator_names(tree)
        self.allowed_names = {
            k: v for p, d in ALLOWED_NAMES.items() if _matches(rel, [p]) for k, v in d.items()
        }
        self.allowed_literals = ALLOWED_LITERALS.get(rel, {})
        self.scope: list[str] = []
        self.findings: list[Finding] = []
        self.docstrings: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list):
                for stmt in body:
                    # docstrings and bare string statements (commented-out text) are not shown
                    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Constant, ast.JoinedStr)):
                        self.docstrings.add(id(stmt.value))

    def _translator(self, call: ast.Call) -> str | None:
        name = _dotted(call.func)
        if name is None:
            return None
        if name in self.functions:
            return self.functions[name]
        head, _, attr = name.rpartition(".")
        if attr in TRANSLATORS and head in self.modules | {"django.utils.translation"}:
            return attr
        return None

    def _allowed_here(self) -> bool:
        return any(name in self.allowed_names for name in self.scope)

    def _report(self, node: ast.AST, text: str, why: str = "not in _()") -> None:
        if self._allowed_here() or text in self.allowed_literals:
            return
        self.findings.append(Finding(self.rel, node.lineno, text, why))

    # scopes -----------------------------------------------------------------------------
    def _scoped(self, names: list[str], node: ast.AST) -> None:
        self.scope.extend(names)
        self.generic_visit(node)
        del self.scope[len(self.scope) - len(names) :]

    def visit_FunctionDef(self, node):
        self._scoped([node.name], node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scoped([node.name], node)

    def visit_Assign(self, node):
        self._scoped(_target_names(node), node)

    visit_AnnAssign = visit_Assign
    visit_AugAssign = visit_Assign

    # literals ---------------------------------------------------------------------------
    def visit_Constant(self, node):
        if id(node) in self.docstrings:
            return
        if isinstance(node.value, str) and CJK.search(node.value) and HAN.search(node.value):
            self._report(node, node.value)

    def visit_JoinedStr(self, node):
        if id(node) in self.docstrings:
            return
        for part in node.values:
            if isinstance(part, ast.Constant):
                self.visit_Constant(part)
            else:
                self.visit(part)

    def visit_Call(self, node):
        which = self._translator(node)
        if which is None:
            self.generic_visit(node)
            return
        messages = TRANSLATORS[which]
        for i, arg in enumerate(node.args):
            if i in messages:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    continue  # a msgid
                if not any(isinstance(n, (ast.Constant, ast.JoinedStr)) for n in ast.walk(arg)):
                    continue  # a variable: translating a msgid marked elsewhere (gettext_noop)
                text = ast.unparse(arg)
                self.findings.append(Finding(self.rel, arg.lineno, text, "not a literal msgid"))
            else:
                self.visit(arg)
        for kw in node.keywords:
            self.visit(kw.value)


def scan_source(rel: str, source: str) -> list[Finding]:
    tree = ast.parse(source, filename=rel)
    scanner = _Scanner(rel, tree)
    scanner.visit(tree)
    return scanner.findings


def scan(*, excluded: set[str] | None = None) -> tuple[list[Finding], list[Finding]]:
    """(findings in files checked now, findings in files excluded while merging)."""
    excluded = _excluded() if excluded is None else excluded
    checked: list[Finding] = []
    waiting: list[Finding] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or _matches(rel, ALLOWED_FILES):
            continue
        found = scan_source(rel, path.read_text(encoding="utf-8"))
        (waiting if _matches(rel, excluded) else checked).extend(found)
    return checked, waiting


def test_no_chinese_literal_outside_gettext():
    checked, _waiting = scan()
    assert not checked, f"{len(checked)} Chinese literals outside _():\n" + "\n".join(map(str, checked))


def test_the_scanner_resolves_aliases_and_reports_lines():
    source = (
        "from django.utils.translation import gettext_lazy as L, pgettext\n"
        "from django.utils import translation\n"
        "import django.utils.translation as t\n"
        "def f(n):\n"
        '    """文档"""\n'
        '    a = L("可以")\n'
        '    b = pgettext("verb", "通报")\n'
        '    c = translation.ngettext("一个", "多个", n)\n'
        '    d = t.gettext("也可以")\n'
        '    e = "不可以"\n'
        '    g = f"已{n}件"\n'
        '    h = L(f"已{n}件")\n'
        '    i = "%s" % "没有"\n'
        "    j = L(a)\n"
        "    return 'abc'\n"
    )
    found = [(f.line, f.text) for f in scan_source("zhuqi/x.py", source)]
    assert found == [(10, "不可以"), (11, "已"), (11, "件"), (12, "f'已{n}件'"), (13, "没有")]


def test_allow_lists_name_real_files():
    for rel in [*ALLOWED_FILES, *ALLOWED_NAMES, *ALLOWED_LITERALS]:
        assert "*" in rel or (SRC / rel).exists(), rel
    for rel, names in ALLOWED_NAMES.items():
        if "*" in rel:
            continue
        source = (SRC / rel).read_text(encoding="utf-8")
        for name in names:
            assert re.search(rf"\b{re.escape(name)}\b", source), f"{rel}: {name} no longer exists"
    for rel, literals in ALLOWED_LITERALS.items():
        source = (SRC / rel).read_text(encoding="utf-8")
        for literal in literals:
            assert literal in source or repr(literal)[1:-1] in source, f"{rel}: {literal!r} no longer exists"
