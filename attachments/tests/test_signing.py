"""A signed reply (or explanation) binds its files: the signature's hash covers
the text and the files' hashes, so adding or removing one voids it like an edit."""

import pytest

from attachments.models import Label, OwnerKind, Part
from attachments.services import attachment_add, attachment_remove
from attachments.tests import files
from attachments.tests.helpers import upload
from cases import services
from cases.models import Case, Signature, text_sha256
from cases.transitions import Status
from cases.vocabulary import signed_text
from hotline.errors import Conflict


def add(case, actor, part, data=None):
    return attachment_add(
        owner_kind=OwnerKind.CASE, owner_id=case.pk, upload=upload(data), actor=actor, label=Label.AFTER, part=part
    )


def digest(case_id: int, document: str) -> str:
    case = Case.objects.get(pk=case_id)
    return text_sha256(signed_text(case, document))


def test_the_signed_content_is_the_text_then_the_files_hashes(org, walk):
    case = walk.replied(text="已修复。")
    assert signed_text(Case.objects.get(pk=case.pk), Signature.Document.REPLY) == "已修复。"  # no file: the text alone
    b = add(case, org.officer_a, Part.REPLY, files.png())
    a = add(case, org.officer_a, Part.REPLY)
    add(case, org.officer_a, Part.CASE, files.webp())  # not the reply's: not bound
    expected = "已修复。" + "".join(f"\n[附件 SHA-256 {d}]" for d in sorted([a.sha256, b.sha256]))
    assert signed_text(Case.objects.get(pk=case.pk), Signature.Document.REPLY) == expected


def test_adding_a_reply_photo_voids_the_standing_signature(org, walk):
    case = walk.replied()
    add(case, org.officer_a, Part.REPLY)
    services.case_sign_reply(
        case_id=case.pk, actor=org.secretary_a, expected_sha256=digest(case.pk, Signature.Document.REPLY)
    )
    signed = digest(case.pk, Signature.Document.REPLY)
    add(case, org.officer_a, Part.REPLY, files.png())
    signature = Signature.objects.get(case=case)
    assert signature.voided_at is not None and signature.void_reason == "办理结果附件已添加"
    # The chief signing what they read before the change is refused.
    with pytest.raises(Conflict, match="已被修改"):
        services.case_sign_reply(case_id=case.pk, actor=org.chief_a, expected_sha256=signed)
    last = case.events.latest("id")  # the refused signature wrote nothing; the upload said what it voided
    assert (last.action, last.data["voided_signatures"]) == ("attach", 1)


def test_removing_a_reply_photo_voids_it_and_both_sign_again_to_close(org, walk):
    case = walk.replied()
    photo = add(case, org.officer_a, Part.REPLY)
    services.case_sign_reply(
        case_id=case.pk, actor=org.secretary_a, expected_sha256=digest(case.pk, Signature.Document.REPLY)
    )
    attachment_remove(attachment_id=photo.pk, actor=org.officer_a)
    assert Signature.objects.get(case=case).void_reason == "办理结果附件已删除"
    for signer in (org.secretary_a, org.chief_a):
        services.case_sign_reply(
            case_id=case.pk, actor=signer, expected_sha256=digest(case.pk, Signature.Document.REPLY)
        )
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_a_photo_of_the_case_itself_leaves_the_signatures_standing(org, walk):
    case = walk.replied()
    services.case_sign_reply(
        case_id=case.pk, actor=org.secretary_a, expected_sha256=digest(case.pk, Signature.Document.REPLY)
    )
    add(case, org.officer_a, Part.CASE)
    assert Signature.objects.get(case=case).voided_at is None


def test_an_explanation_binds_its_files_too(org, walk):
    case = walk.explanation_written()
    services.case_sign_explanation(
        case_id=case.pk, actor=org.secretary_a, expected_sha256=digest(case.pk, Signature.Document.EXPLANATION)
    )
    add(case, org.officer_a, Part.EXPLANATION, files.pdf())
    explanation = Signature.objects.get(case=case, document=Signature.Document.EXPLANATION)
    assert explanation.void_reason == "情况说明附件已添加"
    assert Signature.objects.filter(document=Signature.Document.REPLY, voided_at__isnull=True).count() == 2


def test_the_case_page_and_the_signing_list_show_the_photos_beside_the_text(client, org, walk):
    case = walk.replied()
    photo = add(case, org.officer_a, Part.REPLY)
    client.force_login(org.secretary_a)
    for url in (f"/cases/{case.pk}/", "/cases/signatures/"):
        html = client.get(url).content.decode()
        assert f'href="/attachments/{photo.pk}/"' in html
        assert digest(case.pk, Signature.Document.REPLY) in html  # the hash the form sends binds the photo
