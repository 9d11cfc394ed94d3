"""The name search: character pairs (and single characters) of the name and of its pinyin
initials, stored beside the name and, on PostgreSQL, asked through a GIN index before the exact
substring is checked. Two-character words are found; renames and imports keep it current."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.enterprises.helpers import make_enterprise
from zhuqi.enterprises import services
from zhuqi.enterprises.models import Enterprise, query_grams, search_grams
from zhuqi.enterprises.selectors import search_q

pytestmark = pytest.mark.django_db


def test_the_grams_of_a_name_and_of_a_search():
    grams = search_grams("恒顺集团", "hsjt").split(" ")
    assert {"恒顺", "顺集", "集团", "恒", "团"} <= set(grams)
    assert {"#hs", "#sj", "#jt", "#h"} <= set(grams)
    assert "恒集" not in grams  # only neighbours pair up
    assert query_grams("顺集团") == ["顺集", "集团"]
    assert query_grams("集") == ["集"]
    assert query_grams("hsj", initials=True) == ["#hs", "#sj"]
    assert " " not in "".join(query_grams("城关 食品"))  # a space never sits inside a gram


def found(text):
    return set(Enterprise.objects.filter(search_q(text)).values_list("name", flat=True))


def test_two_character_words_initials_and_renames_are_found(world):
    make_enterprise("恒顺集团有限公司", world.grid)
    fy = make_enterprise("丰原生物化学股份有限公司", world.grid2)
    make_enterprise("城关食品有限公司", world.town)
    assert found("集团") == {"恒顺集团有限公司"}
    assert found("生物化学") == {"丰原生物化学股份有限公司"}
    assert found("有限公司") == {"恒顺集团有限公司", "丰原生物化学股份有限公司", "城关食品有限公司"}
    assert found("团有限") == {"恒顺集团有限公司"}
    assert found("食") == {"城关食品有限公司"}
    assert found("hsjt") == found("HSJT") == {"恒顺集团有限公司"}
    assert found("顺团") == set()  # both pairs' characters are in the name, not next to each other
    services.update_enterprise(fy, actor=world.alice, name="丰原药业有限公司")
    assert found("药业") == {"丰原药业有限公司"} and found("生物") == set()
    assert found("fyyy") == {"丰原药业有限公司"}


def test_postgresql_asks_the_gin_index(world):
    make_enterprise("恒顺集团有限公司", world.grid)
    qs = Enterprise.objects.filter(search_q("集团"))
    assert [e.name for e in qs] == ["恒顺集团有限公司"]
    if connection.vendor != "postgresql":
        return  # SQLite: a county-sized table searched with LIKE (the check above is what holds)
    sql, params = qs.order_by().query.sql_with_params()
    with connection.cursor() as cur:  # a GIN index is read by bitmap scans: leave only those
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET enable_indexscan = off")
        try:
            cur.execute("EXPLAIN " + sql, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
        finally:
            cur.execute("RESET enable_seqscan")
            cur.execute("RESET enable_indexscan")
    assert "enterprise_name_grams" in plan, plan
