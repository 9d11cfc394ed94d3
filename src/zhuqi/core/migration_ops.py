"""Migration operations for a database that is in use: an index added to a large table must not
stop writes to it for as long as the index takes to build (the province's 1,000,000 cases,
27,000,000 indicator values). docs/development.md §"Migrations on a live database"."""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex, AlterField, RemoveIndex


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


class DropForeignKeyIndex(AlterField):
    """`AlterField` of a foreign key from `db_index=True` to `db_index=False` that only drops the
    column's index (DROP INDEX CONCURRENTLY on PostgreSQL, a plain DROP INDEX elsewhere). Django's
    own `AlterField` also drops and re-adds the foreign-key constraint, and re-adding it checks
    every row under a lock that stops writes (27.6 s on the province's 27.5 M indicator values,
    bench/RESULTS.md). The field must change in nothing but `db_index`."""

    atomic = False

    def _run(self, app_label, schema_editor, state, sql: str) -> None:
        """`sql` with {how} (CONCURRENTLY on PostgreSQL), {name}, {table} and {column} filled in
        for the field's index as Django names it."""
        model = state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        table = model._meta.db_table
        qn = schema_editor.quote_name
        name = schema_editor._create_index_name(table, [column], suffix="")
        how = "CONCURRENTLY " if _concurrently(schema_editor) else ""
        schema_editor.execute(sql.format(how=how, name=qn(name), table=qn(table), column=qn(column)))

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, to_state, "DROP INDEX {how}IF EXISTS {name}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(
            app_label, schema_editor, to_state, "CREATE INDEX {how}IF NOT EXISTS {name} ON {table} ({column})"
        )

    def describe(self) -> str:
        return f"Drop the index of foreign key {self.name} on {self.model_name}"
