"""Phone numbers inside free text (title, content, reply, notes) are masked
for the roles that see the caller masked: on the pages, in the API and in the
export (issue 9)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import services
from cases.models import Signature
from cases.reply_facts import ReplyFacts
from cases.selectors import mask_phones_in_text
from cases.vocabulary import signed_sha256

PHONE = "13812345678"
LANDLINE = "010-65123456"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"请联系{PHONE}处理", "请联系138****5678处理"),
        ("手机 138 1234 5678，座机010-65123456", "手机 138****5678，座机010****3456"),
        ("+86 13912345678", "+86 139****5678"),
        ("138-1234-5678", "138****5678"),
        ("电话：65123456", "电话：651****3456"),
        ("工单2026112300123号，日期20261201，3号楼2单元", "工单2026112300123号，日期20261201，3号楼2单元"),
        ("", ""),
    ],
)
def test_phone_numbers_in_text_are_masked_like_the_callers(text, masked):
    assert mask_phones_in_text(text) == masked


@pytest.fixture
def case_with_phones(org, walk):
    case = walk.responded(title=f"来电{PHONE}反映电梯", content=f"请回电{PHONE}或{LANDLINE}。")
    services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=2, reason=f"业主{PHONE}不在家")
    # The structured facts are typed freely too: a place, a basis, the 吹哨 parties and result.
    facts = ReplyFacts(
        met_caller=False,
        basis="《北京市物业管理条例》第五十条",
        final_unit="安苑社区",
        whistle=True,
        whistle_parties=f"物业经理王某（{PHONE}）",
        whistle_result=f"物业承诺修复，联系电话{LANDLINE}",
        resolved=True,
    )
    return services.case_reply(case_id=case.id, actor=org.officer_a, text=f"已电话{PHONE}联系，物业修复。", facts=facts)


def _api_detail(user, case) -> dict:
    client = APIClient()
    client.force_login(user)
    return client.get(f"/api/cases/{case.id}/").json()


def test_the_api_masks_phones_in_free_text_for_roles_that_see_callers_masked(org, case_with_phones):
    body = _api_detail(org.chief_a, case_with_phones)
    text = " ".join([body["title"], body["content"], body["reply_text"], *[e["note"] for e in body["events"]]])
    text += " ".join(r["reason"] for r in body["extension_requests"])
    text += " ".join(
        [str(body["reply_facts"]), str(body["reply_facts_lines"]), str([e["data"] for e in body["events"]])]
    )
    assert "138****5678" in body["reply_facts"]["whistle_parties"]
    assert PHONE not in text and "65123456" not in text
    assert "138****5678" in body["content"] and "010****3456" in body["content"]
    signed = signed_sha256(case_with_phones, Signature.Document.REPLY)
    assert body["reply_sha256"] == signed, "signing binds the real text and facts"
    client = APIClient()
    client.force_login(org.chief_a)
    rows = client.get("/api/cases/").json()["results"]
    assert PHONE not in rows[0]["title"]
    client.force_login(org.leader)
    (extension,) = client.get("/api/extensions/").json()["results"]
    assert PHONE not in extension["reason"] + extension["case"]["title"]
    assert "138****5678" in extension["reason"]


def test_the_api_shows_free_text_in_full_to_those_who_call_callers(org, case_with_phones):
    body = _api_detail(org.officer_a, case_with_phones)
    assert PHONE in body["content"] and LANDLINE in body["content"] and PHONE in body["reply_text"]
    assert PHONE in body["reply_facts"]["whistle_parties"] and LANDLINE in body["reply_facts"]["whistle_result"]


def test_the_case_page_masks_phones_in_free_text(client, org, case_with_phones):
    # The chief signs the reply but may not edit it (an editor's form holds the text as stored).
    client.force_login(org.chief_a)
    page = client.get(reverse("case-detail", args=[case_with_phones.id])).content.decode()
    assert PHONE not in page and "65123456" not in page
    assert "138****5678" in page
    client.force_login(org.officer_a)
    assert PHONE in client.get(reverse("case-detail", args=[case_with_phones.id])).content.decode()


def _export(client, **params) -> str:
    response = client.get(reverse("intake:case-export"), params)
    assert response.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values
    return " ".join(str(value) for row in rows for value in row if value is not None)


def test_the_export_masks_phones_in_free_text_unless_it_carries_callers(client, org, case_with_phones):
    client.force_login(org.leader)
    masked = _export(client, include_caller="1")  # a leader never gets caller data
    assert PHONE not in masked and "138****5678" in masked
    client.force_login(org.clerk)
    assert PHONE not in _export(client)
    assert PHONE in _export(client, include_caller="1")
