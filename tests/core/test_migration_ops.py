"""An index added to a large table on a live database (docs/development.md §Migrations on a live
database): on PostgreSQL the migration builds it with CREATE INDEX CONCURRENTLY outside a
transaction, so the province's cases stay writable while it builds; on SQLite (the demo) it is a
plain CREATE INDEX."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)  # SQLite edits no schema inside a transaction


def _sql(app: str, name: str, *, backwards: bool = False) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", app, name, backwards=backwards, stdout=out)
    return out.getvalue()


def test_the_open_case_index_is_built_without_locking_the_cases():
    forwards, backwards = _sql("cases", "0015"), _sql("cases", "0015", backwards=True)
    assert '"case_open_region"' in forwards
    if connection.vendor == "postgresql":
        assert "CREATE INDEX CONCURRENTLY" in forwards and "BEGIN" not in forwards
        assert "DROP INDEX CONCURRENTLY" in backwards
    else:
        assert "CREATE INDEX" in forwards and "CONCURRENTLY" not in forwards


def test_the_values_foreign_key_indexes_go_without_revalidating_the_keys():
    """indicators/0005 on a live province: the four foreign-key indexes dropped concurrently and
    the two partial indexes built concurrently; no foreign key dropped and re-added (which checks
    27.5 M rows under a lock that stops writes)."""
    forwards, backwards = _sql("indicators", "0005"), _sql("indicators", "0005", backwards=True)
    assert "FOREIGN KEY" not in forwards and "DROP CONSTRAINT" not in forwards
    assert '"value_report"' in forwards and '"value_department"' in forwards
    if connection.vendor == "postgresql":
        assert "BEGIN" not in forwards
        assert forwards.count("DROP INDEX CONCURRENTLY IF EXISTS") == 4
        assert forwards.count("CREATE INDEX CONCURRENTLY") == 2
        assert backwards.count("CREATE INDEX CONCURRENTLY IF NOT EXISTS") == 4


def test_the_migrated_values_table_has_exactly_the_indexes_its_queries_name():
    """After every migration (0001 created an index per foreign key; 0005 and 0006 drop them by
    the names Django gave them): had a name not matched, the old index would still be here."""
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, "indicators_value")
    plain = sorted(n for n, c in found.items() if c["index"] and not c["unique"] and not c["primary_key"])
    assert plain == ["value_department", "value_report", "value_rollup"]
    assert found["value_enterprise_series"]["unique"]
    assert found["value_enterprise_series"]["columns"] == ["enterprise_id", "indicator_id", "period"]
    assert "value_once_enterprise" not in found and "value_series" not in found
    keys = sorted(c["columns"][0] for c in found.values() if c["foreign_key"])
    assert keys == ["department_id", "enterprise_id", "indicator_id", "report_id"]


def _value_indexes() -> dict:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, "indicators_value")
    return {n: (c["columns"], c["unique"]) for n, c in found.items() if c["index"] and n.startswith("value_")}


def test_one_index_for_an_enterprise_values_uniqueness_and_its_series_both_ways():
    """indicators/0008 replaces value_once_enterprise and value_series by one unique index, built
    before the old ones go (concurrently on PostgreSQL); unapplied, the two come back."""
    after = _value_indexes()
    call_command("migrate", "indicators", "0007", verbosity=0)
    try:
        before = _value_indexes()
        assert before["value_once_enterprise"] == (["indicator_id", "period", "enterprise_id"], True)
        assert before["value_series"] == (["enterprise_id", "indicator_id", "period"], False)
        assert "value_enterprise_series" not in before
    finally:
        call_command("migrate", "indicators", verbosity=0)
    assert _value_indexes() == after
    assert after["value_enterprise_series"] == (["enterprise_id", "indicator_id", "period"], True)
