"""Text length limits (cases.models.TEXT_LIMITS): the service refuses a longer
text naming the field and its limit; the form, the API and the import say so
at the field or the row; texts stored before the limits keep loading."""

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.intake.models import ImportIssue, ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.models import TEXT_LIMITS, Case, CaseEvent
from cases.tests.factories import REPLY_FORM_FACTS, signed_sha256
from cases.tests.intake_helpers import issues, run_import
from cases.transitions import Status
from hotline.errors import InvalidInput

pytestmark = pytest.mark.django_db

REPLY, CONTENT, NOTE = TEXT_LIMITS["reply_text"], TEXT_LIMITS["content"], TEXT_LIMITS["note"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_each_short_limit_fits_its_database_column():
    for name, limit in TEXT_LIMITS.items():
        try:
            column = Case._meta.get_field(name)
        except FieldDoesNotExist:  # "note" is no Case column
            continue
        if column.max_length is not None:
            assert limit <= column.max_length, name


# ---------------------------------------------------------------- the service


def test_the_service_refuses_a_reply_over_the_limit_naming_field_and_limit(org, walk):
    case = walk.responded()

    with pytest.raises(InvalidInput) as refused:
        services.case_reply(case_id=case.id, actor=org.officer_a, text="办" * (REPLY + 1))

    assert refused.value.field == "text"
    assert f"不能超过{REPLY}字" in refused.value.message and f"现为{REPLY + 1}字" in refused.value.message
    case.refresh_from_db()
    assert (case.status, case.reply_text) == (Status.RESPONDED, "")


def test_a_reply_of_exactly_the_limit_is_accepted_and_a_line_break_counts_once(org, walk):
    case = walk.responded()
    text = ("办" * 9 + "\r\n") * (REPLY // 10)  # 2000 characters once "\r\n" is one break
    assert len(text) > REPLY

    case = services.case_reply(case_id=case.id, actor=org.officer_a, text=text)

    assert case.status == Status.REPLIED and len(case.reply_text) == REPLY - 1  # the last break is trimmed


def test_the_service_refuses_a_registration_with_too_long_content(org):
    with pytest.raises(InvalidInput) as refused:
        services.case_register(actor=org.clerk, title="电梯故障", content="梯" * (CONTENT + 1))

    assert refused.value.field == "content" and f"{CONTENT}字" in refused.value.message
    assert not Case.objects.exists()


def test_the_service_refuses_a_too_long_reason_and_a_too_long_optional_note(org, walk):
    case = walk.dispatched()

    with pytest.raises(InvalidInput) as reason:
        services.case_return(case_id=case.id, actor=org.officer_a, reason="退" * (NOTE + 1))
    with pytest.raises(InvalidInput) as note:
        services.case_respond(case_id=case.id, actor=org.officer_a, note="联" * (NOTE + 1))

    assert (reason.value.field, note.value.field) == ("reason", "note")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.events.count() == 2  # register, dispatch


# ---------------------------------------------------------------- the form


def test_the_reply_form_shows_the_limit_at_the_field_and_saves_nothing(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert f'maxlength="{REPLY}"' in page

    response = client.post(reverse("case-step", args=[case.pk, "reply"]), {"text": "办" * (REPLY + 1)})

    assert response.status_code == 400
    assert response.context["form"].errors["text"] == [
        f"办理结果不能超过{REPLY}字（现为{REPLY + 1}字），请精简后再提交。"
    ]
    assert "is-invalid" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.reply_text) == (Status.RESPONDED, "")


def test_the_register_form_refuses_too_long_content_next_to_the_field(client, org):
    client.force_login(org.clerk)
    response = client.post(
        reverse("case-register"),
        {"channel": "hotline", "urgency": "general", "title": "电梯故障", "content": "梯" * (CONTENT + 1)},
    )

    assert response.status_code == 400
    assert f"主要内容不能超过{CONTENT}字" in response.context["form"].errors["content"][0]
    assert not Case.objects.exists()


def test_a_browser_line_break_counts_as_one_character_in_the_form(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    text = ("办" * 9 + "\r\n") * (REPLY // 10)  # what a browser sends for 2000 characters typed

    response = client.post(reverse("case-step", args=[case.pk, "reply"]), {"text": text, **REPLY_FORM_FACTS})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED


# ---------------------------------------------------------------- the API


def test_the_api_refuses_too_long_content_with_the_field_and_saves_nothing(org):
    response = api(org.clerk).post("/api/cases/", {"title": "电梯故障", "content": "梯" * (CONTENT + 1)}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "content" and f"{CONTENT}字" in body["detail"]
    assert not Case.objects.exists()


def test_the_api_refuses_a_too_long_reply_and_the_case_is_unchanged(org, walk):
    case = walk.responded()
    events = CaseEvent.objects.filter(case=case).count()

    response = api(org.officer_a).post(f"/api/cases/{case.id}/reply/", {"text": "办" * (REPLY + 1)}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "text" and f"{REPLY}字" in response.json()["detail"]
    case.refresh_from_db()
    assert case.reply_text == "" and CaseEvent.objects.filter(case=case).count() == events


# ---------------------------------------------------------------- the import


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_import_refuses_the_too_long_row_and_imports_the_others(org, tmp_path, media):
    path = write_xlsx(
        tmp_path / "long.xlsx",
        [order_row(1), order_row(2, 主要内容="长" * (CONTENT + 1)), order_row(3)],
    )

    job = run_import(org.clerk, path, valid_only=True)

    assert job.status == ImportJob.Status.DONE
    assert (job.new_count, job.error_count) == (2, 1)
    assert sorted(Case.objects.values_list("ticket_no", flat=True)) == ["2025000000001", "2025000000003"]
    assert (3, "主要内容", f"主要内容超过{CONTENT}字（现为{CONTENT + 1}字），本行未导入。") in issues(
        job, ImportIssue.Level.ERROR
    )


# ---------------------------------------------------------------- texts from before the limits


def test_a_longer_text_stored_before_the_limits_still_loads_and_can_be_signed(client, org, walk):
    case = walk.replied()
    Case.objects.filter(pk=case.pk).update(content="旧" * (CONTENT * 2), reply_text="旧" * (REPLY * 2))
    client.force_login(org.secretary_a)

    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    assert api(org.secretary_a).get(f"/api/cases/{case.id}/").status_code == 200
    case = services.case_sign_reply(
        case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
    )
    assert case.signatures.filter(voided_at__isnull=True).count() == 1
