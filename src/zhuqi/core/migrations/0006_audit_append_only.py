"""On PostgreSQL the audit table refuses DELETE, and every UPDATE but the one that links a
pending entry to the chain (its `prev_hash` and `hash`, nothing else), for every role, whatever
the application does. Archiving (a separate, audited operation) sets `zhuqi.audit_archive` for
its transaction. Column privileges for the application's role are a documented command
(docs/operations.md, "Audit log")."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION zhuqi_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('zhuqi.audit_archive', true), '') = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'core_auditentry is append-only: DELETE refused (id %)', OLD.id;
  END IF;
  IF OLD.prev_hash = '' AND (to_jsonb(NEW) - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'prev_hash' - 'hash') THEN
    RETURN NEW;  -- linking a pending entry to the chain
  END IF;
  RAISE EXCEPTION 'core_auditentry is append-only: UPDATE refused (id %)', OLD.id;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS zhuqi_audit_append_only ON core_auditentry;
CREATE TRIGGER zhuqi_audit_append_only BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION zhuqi_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS zhuqi_audit_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS zhuqi_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:  # no parameters: the % in RAISE stays as it is
            cur.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_comment_attachment_visibility")]
    operations = [migrations.RunPython(forwards, backwards)]
