"""The audit log as a supervisor (督查) reads it: the entries of his own subtree's people only,
never another county's; a city-level supervisor reads both counties; the administrator all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhuqi.core import audit
from zhuqi.core.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    audit.record("export", object_repr="尉氏县企业名录", actor=world.alice)
    audit.record("export", object_repr="通许县企业名录", actor=world.charlie)
    audit.record("login", object_repr="通许县办事员登录", actor=world.other_handler)


def _page(client, **params) -> str:
    return client.get(reverse("core:audit_list"), params).content.decode()


def test_county_supervisor_reads_his_county_only(world, login, entries):
    page = _page(login(world.supervisor))
    assert "尉氏县企业名录" in page
    assert "通许县企业名录" not in page and "通许县办事员登录" not in page
    # a search for the other county's entry finds nothing either
    assert "通许县企业名录" not in _page(login(world.supervisor), q="通许县")


def test_city_supervisor_reads_both_counties_and_admin_reads_all(world, login, entries):
    city = User.objects.create_user(
        username="city_sup", password="x", role=Role.SUPERVISOR, region=world.city
    )
    page = _page(login(city))
    assert "尉氏县企业名录" in page and "通许县企业名录" in page
    page = _page(login(world.admin))
    assert "尉氏县企业名录" in page and "通许县办事员登录" in page


def test_other_county_supervisor_does_not_read_this_county(world, login, entries):
    other = User.objects.create_user(
        username="tx_sup", password="x", role=Role.SUPERVISOR, region=world.other_county
    )
    page = _page(login(other))
    assert "通许县企业名录" in page and "尉氏县企业名录" not in page
