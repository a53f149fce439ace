"""Extended statistics for the planner, PostgreSQL only.

The period figures group cases by community and department: without these
statistics the planner multiplies the two columns' distinct counts (tens of
thousands of groups where a street has a few hundred) and picks a parallel
sequential scan with JIT. `ndistinct` tells it how many pairs there are;
`dependencies` that a pairing decides both. ANALYZE fills them."""

from django.db import migrations

STATISTICS = {
    "case_community_department_stats": "community_id, department_id",
    "case_pairing_community_department_stats": "pairing_id, community_id, department_id",
}


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in STATISTICS.items():
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} (ndistinct, dependencies) ON {columns} FROM cases_case"
        )
    schema_editor.execute("ANALYZE cases_case")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_open_closure_deadline_index")]

    operations = [migrations.RunPython(create_statistics, drop_statistics, elidable=False)]
