"""Trigram (pg_trgm GIN) indexes for the keyword search, PostgreSQL only.

Django's `icontains` compares UPPER(field::text) LIKE UPPER('%term%'), so each
index is on that expression: the planner then combines the four indexes
(BitmapOr) instead of reading every case. SQLite has no pg_trgm: nothing to do
there (the search scans, as before).

Built CONCURRENTLY (so the migration is not atomic): on a street's million
cases the build takes minutes, and registering a case must not wait for it."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FIELDS = ("ticket_no", "title", "content", "address")


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for field in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS case_{field}_trgm ON cases_case "
            f"USING gin ((UPPER({field}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for field in FIELDS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS case_{field}_trgm")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("cases", "0009_ladder_and_emergency_actions")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
