"""404, 403 and 500 answer the product's Chinese pages in its layout, never Django's English
technical pages, with DEBUG on as in the demo too; the API keeps its JSON; a favicon."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

ENGLISH = ("Page not found", "Using the URLconf", "Traceback", "Server Error", "Forbidden", "RuntimeError")


def _assert_product_page(response, status: int, heading: str, *, layout: bool = True):
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-testid="error-page" data-status="{status}"' in html and heading in html
    assert not any(word in html for word in ENGLISH), html[:500]
    if layout:
        assert 'data-testid="nav-menu"' in html  # the signed-in layout with its menu


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_unknown_page_is_the_chinese_404_in_the_layout(world, login, settings, debug):
    settings.DEBUG = debug
    _assert_product_page(login(world.alice).get("/no/such/page/"), 404, "页面不存在")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_object_outside_scope_is_the_chinese_404(world, login, settings, debug):
    settings.DEBUG = debug
    response = login(world.charlie).get(reverse("core:department_detail", args=[world.jxj.pk]))
    _assert_product_page(response, 404, "不在您的管辖范围内")


def test_anonymous_404_has_the_page_without_menu(settings):
    settings.DEBUG = True
    response = Client().get("/no/such/page/")
    _assert_product_page(response, 404, "页面不存在", layout=False)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_forbidden_is_the_chinese_403(world, login, settings, debug):
    settings.DEBUG = debug
    _assert_product_page(login(world.alice).get("/test-errors/forbidden/"), 403, "没有权限")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_server_error_is_the_chinese_500_and_logged(world, client, settings, caplog, debug):
    settings.DEBUG = debug
    client.raise_request_exception = False
    client.force_login(world.alice)
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get("/test-errors/broken/")
    _assert_product_page(response, 500, "系统出错了", layout=False)
    assert "没有保存" in response.content.decode()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_technical_pages_when_a_developer_asks_for_them(world, login, settings):
    settings.DEBUG = True
    settings.ZHUQI_TECHNICAL_ERRORS = True
    assert "Using the URLconf" in login(world.alice).get("/no/such/page/").content.decode()


def test_api_404_stays_json_with_debug_on(world, login, settings):
    settings.DEBUG = True
    response = login(world.alice).get(f"/api/v1/departments/{world.other_jxj.pk}/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到该对象"}


def test_csrf_failure_is_the_chinese_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(reverse("core:inbox_read"), {"id": "1"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "CSRF verification failed" not in html


def test_favicon_is_vendored_and_linked(world, login):
    assert finders.find("zhuqi/favicon.svg")
    html = login(world.alice).get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/zhuqi/favicon.svg"' in html
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/zhuqi/favicon.svg"


def test_api_csrf_refusal_is_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post("/api/v1/notifications/read_all/")
    assert response.status_code == 403
    assert "安全校验未通过" in response.json()["detail"] and "CSRF Failed" not in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/notifications/abc/read/", "/api/v1/notifications/%C2%B2/read/"],
)
def test_notification_read_with_an_id_that_is_no_number_is_404(world, login, url):
    assert login(world.alice).post(url).status_code == 404


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(
    "url", ["/api/v1/regions/1.5/", "/api/v1/no-such-list/", "/api/v1/cases/-1e-160/timeline/"]
)
def test_an_api_path_that_matches_nothing_is_the_json_404(world, login, settings, debug, url):
    """The schema declares a JSON 404 for every operation with an id: an id the router's pattern
    does not take (a dot, a sign) answers it too, not the HTML page."""
    settings.DEBUG = debug
    response = login(world.alice).get(url)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到该对象"}
