"""The definitions linked from the figures pages (《诉求统计口径》, docs/projects-figures.md) open
as pages in the product, rendered from the package's zhuqi/docs/*.md with raw HTML escaped."""

import re

import pytest
from django.urls import reverse

from zhuqi.core import markdown

pytestmark = pytest.mark.django_db


def test_renderer_escapes_and_renders_what_docs_use():
    html = markdown.render(
        "# 标题\n\n段落 **粗** 与 `a<b>` <script>alert(1)</script>\n\n"
        "* 一项\n  续行\n* 二项 [用户手册](user-guide.zh.md) [x](javascript:alert(1))\n\n"
        "| code | 名称 |\n|---|---|\n| `received` | 诉求总数 |\n",
        link_doc=lambda n: f"/core/docs/{n}/",
    )
    html = re.sub(r">\s+<", "><", html).replace("\n", " ")  # line breaks between tags are layout
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h2>标题</h2>" in html and "<strong>粗</strong>" in html and "<code>a&lt;b&gt;</code>" in html
    assert "<li>一项 续行</li>" in html
    assert '<a href="/core/docs/user-guide.zh/">用户手册</a>' in html
    assert 'href="javascript' not in html
    assert "<th>code</th><th>名称</th>" in html and "<td><code>received</code></td><td>诉求总数</td>" in html


def test_figures_definitions_open_in_the_product(world, login):
    client = login(world.alice)
    figures = client.get(reverse("cases:figures")).content.decode()
    doc_url = reverse("core:doc", args=["cases-figures"])
    assert f'href="{doc_url}"' in figures
    page = client.get(doc_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "企业诉求统计口径" in html and "<table" in html and "办结率" in html
    assert client.get(reverse("core:doc", args=["projects-figures"])).status_code == 200
    # only the listed documents, and only for people signed in
    assert client.get(reverse("core:doc", args=["operations"])).status_code == 404
    assert client.get(reverse("core:doc", args=["development"])).status_code == 404
    client.logout()
    assert client.get(doc_url).status_code == 302


def test_the_documents_ship_with_the_package(tmp_path):
    """An installed zhuqi has no checkout around it: the documents are package data. Build the
    package as pip does (setuptools' build_py with pyproject's package data) into a temporary
    folder, then read every document through the product's own lookup in a fresh interpreter
    that imports zhuqi from the build, with no repository docs/ anywhere near it."""
    import os
    import shutil
    import subprocess
    import sys
    from importlib import resources
    from pathlib import Path

    from zhuqi.core.views import DOCS

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(
        root / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    shutil.copy(root / "pyproject.toml", tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            "lib",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    shutil.rmtree(tmp_path / "src")
    built = tmp_path / "lib" / "zhuqi"
    for file in DOCS.values():
        assert (built / "docs" / file).read_text("utf-8") == (
            resources.files("zhuqi") / "docs" / file
        ).read_text("utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import django, zhuqi; django.setup();"
        "from zhuqi.core.views import DOCS, load_doc;"
        "print(zhuqi.__file__);"
        "print('|'.join(load_doc(n).splitlines()[0] for n in sorted(DOCS)))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "lib"),
        "DJANGO_SETTINGS_MODULE": "zhuqi.settings",
        "ZHUQI_HOME": str(elsewhere),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=elsewhere, env=env, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert out[0].startswith(str(built))
    assert "企业诉求统计口径" in out[1] and "重点项目指标口径" in out[1]
