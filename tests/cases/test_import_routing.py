"""Hotline Excel import (row-level refusals, all-or-nothing) and the routing suggestion."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import Workbook

from tests.core import import_flow
from zhuqi.cases import routing
from zhuqi.cases.importers import HotlineImporter
from zhuqi.cases.models import Case

HEAD = [
    "工单编号",
    "来源",
    "统一社会信用代码",
    "企业名称",
    "标题",
    "诉求内容",
    "问题类别",
    "联系人",
    "联系电话",
    "登记时间",
]


def xlsx(rows, head=HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_rows(cw):
    return [
        [
            "GZ001",
            "12345",
            cw.ent.credit_code,
            "",
            "厂区门口道路积水",
            "雨后道路积水严重，货车无法进出",
            "其他",
            "张三",
            "13800000001",
            "2026-03-01 09:30",
        ],
        [
            "GZ002",
            "96388",
            cw.ent_b.credit_code,
            "",
            "申请用地指标",
            "二期项目需要新增用地 30 亩",
            "用地",
            "",
            "",
            "",
        ],
    ]


def test_bad_rows_refused_with_row_messages(cw):
    rows = good_rows(cw) + [
        ["GZ003", "110", cw.ent.credit_code, "", "标题", "内容", "", "", "", ""],
        ["GZ004", "12345", "91000000000000000X", "", "标题", "内容", "", "", "", ""],
        ["GZ001", "12345", cw.ent.credit_code, "", "重复", "重复的工单", "", "", "", ""],
        ["GZ005", "12345", cw.ent.credit_code, "", "", "内容", "不存在的类别", "", "", "昨天"],
        ["GZ006", "12345", cw.ent_other.credit_code, "", "外县企业", "内容", "", "", "", ""],
    ]
    result = HotlineImporter(cw.w.alice).run(xlsx(rows), dry_run=False)
    assert not result.ok and Case.objects.count() == 0
    text = [str(e) for e in result.errors]
    assert any(t.startswith("第 4 行「来源」") and "12345 或 96388" in t for t in text)
    assert any(t.startswith("第 5 行「统一社会信用代码」") for t in text)
    assert any(t.startswith("第 6 行「工单编号」") and "第 2 行重复" in t for t in text)
    assert any(t.startswith("第 7 行「标题」") and "不能为空" in t for t in text)
    assert any(t.startswith("第 7 行「登记时间」") for t in text)
    assert any(t.startswith("第 8 行「统一社会信用代码」") and "管辖范围" in t for t in text)


def test_good_file_imports_and_reimport_refused(cw):
    result = HotlineImporter(cw.w.alice).run(xlsx(good_rows(cw)), dry_run=True)
    assert result.ok and Case.objects.count() == 0
    result = HotlineImporter(cw.w.alice).run(xlsx(good_rows(cw)), dry_run=False)
    assert result.applied and result.created == 2
    c = Case.objects.get(external_no="GZ001")
    assert c.channel == "h12345" and c.contact_name == "张三" and c.submitted_at.day == 1
    assert Case.objects.get(external_no="GZ002").channel == "h96388"
    again = HotlineImporter(cw.w.alice).run(xlsx(good_rows(cw)), dry_run=True)
    assert any("已导入过" in str(e) for e in again.errors)


def test_import_page(cw, login):
    # the hotline import is a kind of the one import flow: preview, then confirm the same file
    c = login(cw.w.alice)
    assert c.get(reverse("cases:import"))["Location"] == import_flow.url("hotline")
    r = import_flow.preview(c, "hotline", xlsx(good_rows(cw)))
    assert "检查通过" in r.content.decode()
    assert Case.objects.count() == 0  # previewed, not applied
    r = import_flow.confirm(c, "hotline", import_flow.token_of(r.content.decode()))
    assert 'data-testid="import-done"' in r.content.decode() and Case.objects.count() == 2
    assert login(cw.w.bob).get(import_flow.url("hotline")).status_code == 404


def test_keyword_suggestion_when_history_is_thin(cw):
    s = routing.suggest("厂区变压器容量不足，经常停电")
    assert s.method == "keywords" and s.category == cw.power
    assert 0 < s.percent <= 100


def test_bayes_suggestion_from_routed_history(cw):
    w = cw.w
    from zhuqi.cases import services

    texts = {
        cw.land: ["新增用地指标不足", "项目用地规划调整", "宗地土地证办理", "二期用地报批", "土地指标落实"],
        cw.labor: ["招工难缺技工", "熟练工人短缺", "用工需求招聘", "技术工人招聘会", "缺少普工"],
        cw.power: ["变压器增容", "频繁停电影响生产", "电力线路改造", "用电报装", "专线供电"],
    }
    for cat, items in texts.items():
        for i in range(12):
            c = cw.new(
                title=items[i % 5], description=items[(i + 1) % 5] + "，请协调", actor=w.alice, ent=cw.ent_b
            )
            c = services.accept_case(c, actor=w.alice, category=cat)
            services.dispatch_case(c, actor=w.alice, lead=w.jxj)
    routing.reset_model()
    s = routing.suggest("二期项目用地指标还没有落实")
    assert s.method == "bayes+keywords" and s.category == cw.land and s.confidence > 0.5 and s.preselect
    cases = list(Case.objects.filter(category__isnull=False).select_related("category"))
    result = routing.evaluate(cases, holdout=0.25)
    assert result["accuracy"] >= 0.8
    routing.reset_model()
