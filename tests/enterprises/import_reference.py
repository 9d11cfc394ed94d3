"""The enterprise import as it was before it became set-based (one service call per row), kept
as the oracle for tests/enterprises/test_import_bulk.py: the set-based import must write exactly
what this one writes. Do not use outside tests."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from zhuqi.core.excel import Importer, RowInvalid
from zhuqi.enterprises import services
from zhuqi.enterprises.importers import EnterpriseImporter
from zhuqi.enterprises.models import Enterprise


class PerRowEnterpriseImporter(EnterpriseImporter):
    apply_rows = Importer.apply_rows  # one apply_row per row

    def prepare(self, rows):
        super().prepare(rows)
        self.existing = {
            e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=list(self.existing))
        }

    def apply_row(self, row) -> bool:
        data = {k: v for k, v in row.items() if not k.startswith("_") and k not in {"credit_code", "tags"}}
        for key in ("legal_representative", "address", "contact_name", "contact_phone"):
            data[key] = data.get(key) or ""
        data["above_scale"] = bool(data.get("above_scale"))
        existing = self.existing.get(row["credit_code"])
        try:
            if existing is None:
                services.create_enterprise(
                    actor=self.actor, credit_code=row["credit_code"], tags=row["tags"], **data
                )
                return True
            services.update_enterprise(existing, actor=self.actor, tags=row["tags"], **data)
            return False
        except ValidationError as exc:
            raise RowInvalid(exc.messages[0]) from exc
