"""English interface: the catalogue is complete, compiled, and actually used by the pages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), s[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file (header and obsolete `#~` entries left out), without polib:
    each a dict with msgctxt, msgid, msgid_plural, msgstr (list: one per plural form), flags."""
    entries: list[dict] = []
    cur: dict | None = None
    field: tuple | None = None

    def start():
        nonlocal cur
        if cur is None or "msgid" in cur:
            if cur is not None:
                entries.append(cur)
            cur = {"flags": set(), "msgstr": {}}
        return cur

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            e = start()
            e["flags"] |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if m:
            key, index, value = m.group(1), m.group(2), _unquote(m.group(3))
            if key in ("msgctxt", "msgid"):
                start()  # a new entry, unless a msgctxt (or flags) already began this one
            assert cur is not None
            if key.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                cur["msgstr"][field[1]] = value
            else:
                field = (key,)
                cur[key] = value
            continue
        assert line.startswith('"'), f"unexpected line in {path.name}: {raw!r}"
        assert cur is not None and field is not None
        if field[0] == "msgstr":
            cur["msgstr"][field[1]] += _unquote(line)
        else:
            cur[field[0]] += _unquote(line)
    if cur is not None and "msgid" in cur:
        entries.append(cur)
    return [e for e in entries if e["msgid"] != ""]


@pytest.fixture(scope="module")
def po_entries():
    assert PO.exists(), "the English catalogue is missing: run makemessages -l en"
    return read_po(PO)


def test_every_english_entry_is_translated(po_entries):
    assert len(po_entries) > 500
    untranslated = [e["msgid"] for e in po_entries if not all(v.strip() for v in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check and clear the flag): {fuzzy[:20]}"
    plural = [e for e in po_entries if "msgid_plural" in e]
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plural)


def test_placeholders_survive_translation(po_entries):
    pattern = re.compile(r"%\([^)]*\)[sd]|%%|</?[a-z][^>]*>")
    for e in po_entries:
        want = sorted(pattern.findall(e["msgid"]))
        for text in e["msgstr"].values():
            assert sorted(pattern.findall(text)) == want, (e["msgid"], text)


def test_compiled_catalogue_matches_the_po(po_entries):
    """django.mo is committed (CI has no gettext): it must hold every .po translation."""
    assert MO.exists(), "run compilemessages and commit django.mo"
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    messages = [k for k in catalog if k != ""]
    singular = [e for e in po_entries if "msgid_plural" not in e]
    plural = [e for e in po_entries if "msgid_plural" in e]
    assert len(messages) == len(singular) + 2 * len(plural), "django.mo is stale: run compilemessages"

    def key(e, msgid):
        return f"{e['msgctxt']}\x04{msgid}" if "msgctxt" in e else msgid

    for e in singular:
        assert catalog.get(key(e, e["msgid"])) == e["msgstr"][0], e["msgid"]
    for e in plural:
        for n, text in e["msgstr"].items():
            assert catalog.get((key(e, e["msgid"]), n)) == text, e["msgid"]


CJK = re.compile(r"[\u4e00-\u9fff]")


def _english_home(world, client) -> str:
    client.force_login(world.alice)  # the dispatch office of 尉氏县
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def test_home_menu_in_english(world, client):
    html = _english_home(world, client)
    assert '<html lang="en">' in html
    nav = _between(html, 'data-testid="nav-menu"', "</ul>")
    for label in ["Home", "Dispatch board", "Enterprise cases", "Assignments", "Visits", "Schedule board"]:
        assert f"{label}</a>" in nav, label
    for label in ["首页", "诉求调度台", "企业诉求", "包抓分工", "走访记录", "挂图作战"]:
        assert label not in nav, label
    assert not CJK.findall(nav), "untranslated menu text"
    for text in ["Change password", "Log out", "Latest messages"]:
        assert text in html, text
    for text in ["修改密码", "退出登录", "最新消息"]:
        assert text not in html, text


def test_home_title_in_english(world, client):
    html = _english_home(world, client)
    title = _between(html, 'data-testid="home-title"', "</h1>")
    assert "Dispatch office workbench" in title
    assert "专班办公室工作台" not in html


def test_home_stays_chinese_by_default(world, client):
    client.force_login(world.alice)
    html = client.get("/").content.decode()
    nav = _between(html, 'data-testid="nav-menu"', "</ul>")
    assert "专班办公室工作台" in html and "诉求调度台" in nav
    assert "Dispatch board" not in nav


def test_service_errors_and_labels_follow_the_language():
    """Service errors, timeline labels (pgettext "timeline event") and audit change keys marked
    with gettext_noop come out in the active language; the stored change keys stay Chinese."""
    from types import SimpleNamespace

    from django.utils import translation

    from zhuqi.cases.templatetags.cases_tags import rag_label
    from zhuqi.core.templatetags.core_tags import change_rows, event_label
    from zhuqi.enterprises.services import CreditCodeInvalid, check_credit_code

    entry = SimpleNamespace(object_type="", changes={"退单理由": "不属于本部门职责"})
    with translation.override("en"):
        with pytest.raises(CreditCodeInvalid) as exc:
            check_credit_code("123")
        assert exc.value.messages[0].startswith("The unified social credit code must have 18 characters")
        assert event_label("accepted") == "Accepted"  # the event, not the button "Accept"
        assert change_rows(entry) == [("Reason for return", None, "不属于本部门职责")]
        assert rag_label("red") == "Red: overdue or escalated"
    with translation.override("zh-hans"):
        assert event_label("accepted") == "受理"
        assert change_rows(entry) == [("退单理由", None, "不属于本部门职责")]
