from django.db import migrations

RULES = [
    ("emergency", 30, "minutes", 2, "hours"),
    ("utility", 2, "hours", 24, "hours"),
    ("general", 24, "hours", 7, "working_days"),
    ("complex", 24, "hours", 15, "working_days"),
]
TAGS = [("每月一题", "monthly_topic")] + [
    (name, "seven_five")
    for name in [
        "幼有所育",
        "学有所教",
        "劳有所得",
        "病有所医",
        "老有所养",
        "住有所居",
        "弱有所扶",
        "便利性",
        "宜居性",
        "多样性",
        "公正性",
        "安全性",
    ]
]


def create_defaults(apps, schema_editor):
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    Tag = apps.get_model("cases", "Tag")
    for urgency, response_amount, response_unit, closure_amount, closure_unit in RULES:
        DeadlineRule.objects.get_or_create(
            urgency=urgency,
            defaults={
                "response_amount": response_amount,
                "response_unit": response_unit,
                "closure_amount": closure_amount,
                "closure_unit": closure_unit,
            },
        )
    for name, kind in TAGS:
        Tag.objects.get_or_create(name=name, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
