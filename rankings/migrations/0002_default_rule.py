import datetime

from django.db import migrations


def create_default_rule(apps, schema_editor):
    RankingRule = apps.get_model("rankings", "RankingRule")
    if not RankingRule.objects.exists():
        # DESIGN.md §3: weights 0.1/0.5/0.4, 基本满意 × 0.9, at least 3 valid
        # callbacks to be ranked, thirds, periods from the 19th to the 18th.
        RankingRule.objects.create(effective_from=datetime.date(2000, 1, 1), note="默认规则")


class Migration(migrations.Migration):
    dependencies = [("rankings", "0001_initial")]

    operations = [migrations.RunPython(create_default_rule, migrations.RunPython.noop)]
