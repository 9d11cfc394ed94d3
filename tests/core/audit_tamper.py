"""What an attacker with full rights on the database can do: switch triggers off (PostgreSQL's
`session_replication_role = replica`, as a superuser) for the statements inside `tampering()`.
Tests use it to prove that verify catches what the append-only trigger cannot stop."""

from __future__ import annotations

import contextlib

from django.db import connection


@contextlib.contextmanager
def tampering():
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if pg:
            with connection.cursor() as cur:
                cur.execute("SET session_replication_role = origin")


def sql(statement: str, params=()) -> None:
    with tampering(), connection.cursor() as cur:
        cur.execute(statement, params)
