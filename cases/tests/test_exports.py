"""The case list export (.xlsx): same filters as the case list, scoped to the
user, caller data only when the role allows it and the user asks for it."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.exports import CALLER_HEADER, HEADER
from cases.selectors import caller_visible_to
from cases.tests.factories import CaseFactory
from hotline.xlsx import workbook_bytes

URL = reverse("intake:case-export")


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)


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
    # Exactly as the citizen wrote it, and a text cell: never a live formula in the office's spreadsheet.
    assert record["主要内容"] == '=HYPERLINK("http://example.invalid")'
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


def cells(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows()]


def test_only_what_a_spreadsheet_would_evaluate_is_kept_as_text_headers_included():
    header = ["工单编号", '=HYPERLINK("http://evil.invalid","点我")', "#N/A"]
    row = ["=1+2", "+8613812341234", "-", "@居委会", "#REF!", "一行\x0b文字", 3, "="]
    content = workbook_bytes([("表", header, [row])])

    head, data = cells(content)
    # Header cells too: the rejected-rows file copies the uploaded header row.
    assert [(c.value, c.data_type) for c in head[:3]] == [
        ("工单编号", "s"),
        ('=HYPERLINK("http://evil.invalid","点我")', "s"),
        ("#N/A", "s"),
    ]
    assert head[1].font.bold and head[1].quotePrefix
    assert [(c.value, c.data_type) for c in data] == [
        ("=1+2", "s"),  # written as text, shown as typed
        ("+8613812341234", "s"),  # phones, dashes and @ stay as they are: text cells are never evaluated
        ("-", "s"),
        ("@居委会", "s"),
        ("#REF!", "s"),  # not an error value
        ("一行文字", "s"),  # a control character XML cannot hold is dropped, not a failed export
        (3, "n"),
        ("=", "s"),
    ]
    assert data[0].quotePrefix and not data[1].quotePrefix
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 't="e"' not in xml


# ---------------------------------------------------------------- the case search page's export


SEARCH = reverse("case-search")


def export_form(page: str) -> str:
    match = re.search(r'<form[^>]*id="case-export".*?</form>', page, re.S)
    assert match, "the search page has no export form"
    return match.group(0)


def test_the_search_page_exports_its_current_filters(client, org, walk):
    walk.registered(title="待派发的案件")
    client.force_login(org.clerk)

    page = client.get(SEARCH, {"status": ["registered", "dispatched"], "q": "电梯 故障", "page": "2"}).content.decode()

    form = export_form(page)
    assert f'action="{reverse("intake:case-export")}"' in form
    assert '<input type="hidden" name="status" value="registered">' in form
    assert '<input type="hidden" name="status" value="dispatched">' in form
    assert '<input type="hidden" name="q" value="电梯 故障">' in form
    assert 'name="page"' not in form
    assert "导出Excel" in form


@pytest.mark.parametrize("role", ["clerk", "officer_a", "secretary_a", "chief_a", "leader", "supervisor"])
def test_the_caller_checkbox_is_offered_to_the_roles_that_call_callers(client, org, role):
    user = getattr(org, role)
    client.force_login(user)
    form = export_form(client.get(SEARCH).content.decode())
    assert ("包含来电人姓名和电话" in form) == caller_visible_to(user)
    assert ('name="include_caller"' in form) == (role in ("clerk", "officer_a"))


def test_the_export_from_the_search_page_keeps_callers_out_unless_asked_and_allowed(client, org, walk):
    walk.dispatched(title="已派发的案件", caller_name="张三", caller_phone="13812341234")
    walk.registered(title="待派发的案件", caller_name="李四", caller_phone="13912341234")
    client.force_login(org.clerk)
    form = export_form(client.get(SEARCH, {"status": "dispatched"}).content.decode())
    query = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))

    plain = sheet_rows(client.get(URL, query))
    assert list(plain[0]) == HEADER and [r[HEADER.index("标题")] for r in plain[1:]] == ["已派发的案件"]

    asked = sheet_rows(client.get(URL, {**query, "include_caller": "1"}))
    assert ("张三", "13812341234") in [(r[4], r[5]) for r in asked[1:]]

    client.force_login(org.chief_a)  # forged: a chief is not offered the box and gets no callers
    forged = sheet_rows(client.get(URL, {**query, "include_caller": "1"}))
    assert list(forged[0]) == HEADER
