"""A signature names the hash of the text the signer read: without it the
service refuses (InvalidInput on expected_sha256) and the API answers 400."""

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import Signature, text_sha256
from hotline.errors import InvalidInput


@pytest.mark.parametrize("given", ["", "   "])
def test_the_service_refuses_a_signature_without_the_text_hash(org, walk, given):
    case = walk.replied()
    with pytest.raises(InvalidInput) as refused:
        services.case_sign_reply(case_id=case.id, actor=org.secretary_a, expected_sha256=given)
    assert refused.value.field == "expected_sha256"
    assert not Signature.objects.filter(case=case).exists()


def test_the_service_refuses_an_explanation_signature_without_the_text_hash(org, walk):
    case = walk.explanation_written()
    with pytest.raises(InvalidInput):
        services.case_sign_explanation(case_id=case.id, actor=org.chief_a, expected_sha256="")
    assert not Signature.objects.filter(case=case, document="explanation").exists()


@pytest.mark.parametrize("body", [{}, {"expected_sha256": ""}, {"expected_sha256": "abc"}])
def test_the_api_answers_400_to_a_signature_without_the_text_hash(org, walk, body):
    case = walk.replied()
    api = APIClient()
    api.force_authenticate(org.secretary_a)
    response = api.post(f"/api/cases/{case.id}/sign-reply/", body, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "expected_sha256")
    assert not Signature.objects.filter(case=case).exists()


def test_the_api_accepts_the_hash_of_the_text_as_it_is(org, walk):
    case = walk.replied(text="已修复。")
    api = APIClient()
    api.force_authenticate(org.secretary_a)
    response = api.post(
        f"/api/cases/{case.id}/sign-reply/", {"expected_sha256": text_sha256("已修复。")}, format="json"
    )
    assert response.status_code == 200
    assert Signature.objects.get(case=case).text_sha256 == text_sha256("已修复。")
