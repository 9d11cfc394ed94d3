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
    assert plain == ["value_department", "value_report", "value_rollup", "value_series"]
    keys = sorted(c["columns"][0] for c in found.values() if c["foreign_key"])
    assert keys == ["department_id", "enterprise_id", "indicator_id", "report_id"]
