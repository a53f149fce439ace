"""The reply sheet's default columns, as the 12345 platform's reply sheet reads."""

from django.db import migrations

DEFAULT_COLUMNS = [
    ("工单编号", "ticket_no"),
    ("联系来电人时间", "contacted_at"),
    ("是否见面", "met_caller"),
    ("见面时间", "met_at"),
    ("见面地点", "met_place"),
    ("办理依据", "basis"),
    ("最终办理单位", "final_unit"),
    ("是否吹哨", "whistle"),
    ("吹哨对象", "whistle_parties"),
    ("吹哨结果", "whistle_result"),
    ("是否解决", "resolved"),
    ("未解决原因类型", "unresolved_reason"),
    ("办理结果", "reply_text"),
    ("办结时间", "closed_at"),
]


def add_default_columns(apps, schema_editor):
    column = apps.get_model("cases", "ReplySheetColumn")
    if column.objects.exists():
        return
    column.objects.bulk_create(
        column(position=index, header=header, field=field)
        for index, (header, field) in enumerate(DEFAULT_COLUMNS, start=1)
    )


def remove_default_columns(apps, schema_editor):
    apps.get_model("cases", "ReplySheetColumn").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_reply_sheet_columns")]

    operations = [migrations.RunPython(add_default_columns, remove_default_columns)]
