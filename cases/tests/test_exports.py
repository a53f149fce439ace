"""The case list export (.xlsx): same filters as the case list, scoped to the
user, caller data only when the role allows it and the user asks for it."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from cases.exports import CALLER_HEADER, HEADER
from cases.tests.factories import CaseFactory

URL = reverse("intake:case-export")


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.values)


def test_the_export_holds_the_filtered_list_with_caller_data_only_on_request(client, org, walk):
    walk.dispatched(title="已派发的案件", caller_name="张三", caller_phone="13812341234")
    walk.registered(title="待派发的案件", content='=HYPERLINK("http://example.invalid")')
    client.force_login(org.clerk)

    rows = sheet_rows(client.get(URL, {"status": "registered"}))

    assert list(rows[0]) == HEADER
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["标题"] == "待派发的案件"
    assert record["状态"] == "待派发"
    assert record["主要内容"].startswith("'=")  # never a live formula in the office's spreadsheet
    assert "张三" not in rows[1] and "13812341234" not in rows[1]

    with_caller = sheet_rows(client.get(URL, {"include_caller": "1", "q": "已派发"}))
    assert list(with_caller[0]) == HEADER[:4] + CALLER_HEADER + HEADER[4:]
    record = dict(zip(with_caller[0], with_caller[1], strict=True))
    assert (record["来电人"], record["来电人电话"], record["承办社区"]) == ("张三", "13812341234", "幸福社区")
    assert len(with_caller) == 2


def test_roles_that_do_not_call_callers_never_get_caller_data(client, org, walk):
    walk.dispatched(caller_name="张三", caller_phone="13812341234")
    for user in (org.leader, org.secretary_a, org.chief_a, org.supervisor):
        client.force_login(user)
        rows = sheet_rows(client.get(URL, {"include_caller": "1"}))
        assert list(rows[0]) == HEADER
        assert all("13812341234" not in row and "张三" not in row for row in rows)


def test_the_export_is_scoped_to_the_user(client, org, walk):
    walk.dispatched(title="幸福社区的案件")
    CaseFactory(title="未派发的案件")
    client.force_login(org.officer_b)
    assert len(sheet_rows(client.get(URL))) == 1  # header only: community B has no case
    client.force_login(org.officer_a)
    rows = sheet_rows(client.get(URL))
    assert [dict(zip(rows[0], row, strict=True))["标题"] for row in rows[1:]] == ["幸福社区的案件"]
    client.force_login(org.display)
    assert client.get(URL).status_code == 302  # the lobby display has no case list


def test_a_bad_filter_or_a_too_large_export_gets_a_message(client, org, walk, settings):
    client.force_login(org.clerk)
    response = client.get(URL, {"status": "nonsense"}, follow=True)
    assert "筛选条件有误" in response.content.decode()

    walk.registered()
    walk.registered(title="第二件")
    settings.INTAKE_EXPORT_MAX_ROWS = 1
    response = client.get(URL, follow=True)
    assert "超过单次导出上限1件" in response.content.decode()
