"""Audit entries are kept at least six months (等保 2.0) and never deleted by the application:
the one code path that removes rows from the audit table is `zhuqi audit archive`, which
refuses anything younger than 183 days and writes the rows to a verified file first
(tests/core/test_audit_tamper.py). This test keeps it the only one."""

import re
from pathlib import Path

from zhuqi.core import audit_archive

SRC = Path(audit_archive.__file__).resolve().parents[1]
REMOVES_AUDIT_ROWS = re.compile(
    r"(DELETE\s+FROM\s+\"?core_auditentry|TRUNCATE[^\n]*core_auditentry|AuditEntry\.\w+(\.\w+\([^)]*\))*\.delete\(|"
    r"AuditEntry\.objects[^\n]*\.(delete|_raw_delete)\()",
    re.IGNORECASE,
)


def test_only_the_archive_removes_audit_entries():
    found = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and REMOVES_AUDIT_ROWS.search(path.read_text(encoding="utf-8"))
    }
    assert found == {"core/audit_archive.py"}


def test_entries_are_kept_at_least_six_months():
    assert audit_archive.KEEP_DAYS >= 183
