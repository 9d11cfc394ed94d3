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
