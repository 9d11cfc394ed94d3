"""Django's default form messages ("确保该变量包含不超过 120 字符", "具有 项目编号 的 重点项目 已存在",
"这个字段是必填项。") are replaced, in one place (`core.forms.plain_errors`), by plain Chinese naming
the field; a text field's limit is said while typing instead of the browser cutting the text."""

import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

from tests.enterprises.helpers import make_enterprise
from tests.projects.conftest import make_project
from zhuqi.core.forms import PlainErrors

pytestmark = pytest.mark.django_db

APPS = ["core", "enterprises", "cases", "assistance", "projects"]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_every_form_of_the_product_uses_the_plain_messages():
    plain = []
    for app in APPS:
        module = importlib.import_module(f"zhuqi.{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, forms.BaseForm):
                continue
            if name == "LoginForm":  # Django's AuthenticationForm, messages of its own
                continue
            assert issubclass(cls, PlainErrors), f"{app}.forms.{name} does not derive from core.forms.Form"
            plain.append(name)
    assert {"CaseForm", "ProjectForm", "VisitForm", "EnterpriseForm"} <= set(plain)


def test_too_long_title_is_named_and_not_cut_silently(world):
    from zhuqi.cases.forms import CaseForm

    ent = make_enterprise("恒顺集团有限公司", world.grid)
    form = CaseForm(
        {"enterprise": ent.pk, "channel": "visit", "title": "标" * 130, "description": "x"}, user=world.alice
    )
    assert not form.is_valid()
    assert form.errors["title"] == ["诉求标题最多 120 个字，现在是 130 个字，请删减"]
    html = str(form["title"])
    assert " maxlength=" not in html  # the browser would cut a pasted title at 120 without a word
    assert 'data-maxlength="120"' in html and "诉求标题最多 120 个字" in html


def test_required_fields_name_themselves(world):
    from zhuqi.assistance.forms import VisitForm

    form = VisitForm({"kind": "onsite"}, user=world.commissioner)
    assert not form.is_valid()
    assert form.errors["findings"] == ["请填写走访情况"]
    assert form.errors["enterprise"] == ["请选择企业"]
    assert "这个字段是必填项" not in str(form.errors)


def test_a_taken_project_code_is_said_plainly(world):
    from zhuqi.projects.forms import ProjectForm

    make_project(world, code="P001")
    form = ProjectForm({"code": "P001", "name": "另一个项目"}, user=world.admin)
    assert not form.is_valid()
    assert form.errors["code"] == ["项目编号已被使用，不能重复"]
    assert "已存在" not in str(form.errors)


def test_a_label_with_a_percent_sign_survives(world):
    from zhuqi.assistance.forms import ProgressForm

    form = ProgressForm({"note": "x"})
    assert not form.is_valid()
    assert form.errors["progress"] == ["请填写进度（%）"]
