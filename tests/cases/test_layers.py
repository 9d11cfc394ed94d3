"""cases is the one pool of problems that later modules depend on, never the other way round:
import-linter (`make layers`) checks the static imports; this checks the dynamic routes it
cannot see (apps.get_model, importlib, dotted strings) from cases into its dependants."""

import pathlib
import re

import zhuqi.cases

DEPENDANTS = ("assistance", "projects", "indicators", "mu", "attraction", "policies", "oversight", "cockpit")


def test_cases_does_not_reach_its_dependants_by_name():
    root = pathlib.Path(zhuqi.cases.__file__).parent
    names = "|".join(DEPENDANTS)
    pattern = re.compile(rf"get_model\(\s*[\"']({names})[\"'.]|import_module\(|zhuqi\.({names})\b")
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
