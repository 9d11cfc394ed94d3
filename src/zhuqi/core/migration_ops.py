"""Migration operations for a database that is in use: an index added to a large table must not
stop writes to it for as long as the index takes to build (the province's 1,000,000 cases,
27,000,000 indicator values). docs/development.md §"Migrations on a live database"."""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex, RemoveIndex


def _concurrently(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False  # SQLite (the demo, a single county's trial): a plain CREATE INDEX
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError(
            "CREATE INDEX CONCURRENTLY cannot run inside a transaction: set atomic = False on the migration"
        )
    return True


class AddIndexConcurrently(AddIndex):
    """`AddIndex` that on PostgreSQL builds the index with CREATE INDEX CONCURRENTLY (the table
    stays writable; the build takes longer), and elsewhere as `AddIndex` does. The migration
    holding it must say `atomic = False`, and should hold nothing else that needs a transaction."""

    atomic = False

    def describe(self) -> str:
        return f"Concurrently create index {self.index.name} on {self.model_name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _concurrently(schema_editor):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _concurrently(schema_editor):
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class RemoveIndexConcurrently(RemoveIndex):
    """`RemoveIndex` with DROP INDEX CONCURRENTLY on PostgreSQL (see `AddIndexConcurrently`)."""

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        if _concurrently(schema_editor):
            schema_editor.remove_index(model, index, concurrently=True)
        else:
            schema_editor.remove_index(model, index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        if _concurrently(schema_editor):
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)
