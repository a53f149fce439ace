"""Adding and removing files on a case: the owner's rules, the timeline, the
cap, and nothing left behind by a refused upload."""

import pytest

from attachments.models import Attachment, Label, OwnerKind, Part, attachment_storage
from attachments.services import attachment_add, attachment_add_many, attachment_remove
from attachments.tests import files
from attachments.tests.helpers import stored_names, upload
from cases.models import CaseEvent
from cases.transitions import Action
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound


def add(case, actor, data=None, name="photo.jpg", **kwargs):
    kwargs.setdefault("label", Label.BEFORE)
    kwargs.setdefault("part", Part.CASE)
    return attachment_add(owner_kind=OwnerKind.CASE, owner_id=case.pk, upload=upload(data, name), actor=actor, **kwargs)


def case_files(case) -> set[str]:
    return {n for n in stored_names(attachment_storage()) if n.startswith(f"case/{case.pk}/")}


def test_a_photo_is_stored_with_its_hash_thumbnail_and_an_event(org, walk):
    case = walk.responded()
    attachment = add(case, org.officer_a, name="../../etc/现场.jpg")
    assert attachment.original_name == "现场.jpg"
    assert attachment.label == Label.BEFORE and attachment.kind == "image"
    assert len(attachment.sha256) == 64 and attachment.size == len(attachment.file.read())
    assert case_files(case) == {attachment.file.name, attachment.thumbnail.name}
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.actor, event.note) == (Action.ATTACH, org.officer_a, "现场.jpg")
    assert event.data["sha256"] == attachment.sha256 and event.data["label"] == "处置前"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (files.HTML, "unsupported_type"),
        (files.SVG, "unsupported_type"),
        (files.pdf(javascript=True), "active_pdf"),
        (files.png_bomb(), "image_too_large"),
        (b"", "empty_file"),
    ],
)
def test_bad_content_is_refused_and_nothing_is_kept(org, walk, data, code):
    case = walk.responded()
    events = case.events.count()
    with pytest.raises(InvalidInput) as refused:
        add(case, org.officer_a, data, name="photo.jpg")
    assert refused.value.code == code
    assert not Attachment.objects.exists() and case_files(case) == set()
    assert case.events.count() == events


def test_the_file_over_the_cap_is_refused(org, walk, settings):
    settings.ATTACHMENT_MAX_PER_CASE = 3
    case = walk.responded()
    for _ in range(3):
        add(case, org.officer_a)
    kept = case_files(case)
    with pytest.raises(InvalidInput, match="最多 3 个附件") as refused:
        add(case, org.officer_a)
    assert refused.value.code == "too_many_files"
    assert Attachment.objects.filter(case=case).count() == 3 and case_files(case) == kept


def test_the_default_cap_is_twenty_a_case(org, walk, settings):
    assert settings.ATTACHMENT_MAX_PER_CASE == 20
    case = walk.responded()
    attachment_add_many(
        owner_kind=OwnerKind.CASE,
        owner_id=case.pk,
        uploads=[(upload(files.png(2, 2)), Label.OTHER) for _ in range(20)],
        actor=org.officer_a,
        part=Part.CASE,
    )
    with pytest.raises(InvalidInput, match="最多 20 个附件"):
        add(case, org.officer_a, files.png(2, 2))
    assert Attachment.objects.filter(case=case).count() == 20


def test_several_files_go_in_together_or_not_at_all(org, walk):
    case = walk.responded()
    with pytest.raises(InvalidInput):
        attachment_add_many(
            owner_kind=OwnerKind.CASE,
            owner_id=case.pk,
            uploads=[(upload(), Label.BEFORE), (upload(files.SVG, "b.svg"), Label.AFTER)],
            actor=org.officer_a,
            part=Part.CASE,
        )
    assert not Attachment.objects.exists() and case_files(case) == set()


def test_another_community_cannot_add_to_the_case(org, walk):
    case = walk.responded()
    with pytest.raises(NotAllowed):
        add(case, org.officer_b)
    assert not Attachment.objects.exists() and case_files(case) == set()


def test_a_reply_photo_needs_the_reply_step(org, walk):
    closed = walk.closed()
    with pytest.raises(Conflict):
        add(closed, org.officer_a, part=Part.REPLY)
    dispatched = walk.dispatched(ticket_no="T-2")
    with pytest.raises(Conflict):  # not yet contacted: no reply to attach to
        add(dispatched, org.officer_a, part=Part.REPLY)
    assert not Attachment.objects.exists()


def test_a_bad_label_or_part_is_refused(org, walk):
    case = walk.responded()
    with pytest.raises(InvalidInput, match="标注"):
        add(case, org.officer_a, label="nice")
    with pytest.raises(InvalidInput, match="所属部分"):
        add(case, org.officer_a, part="anything")
    with pytest.raises(NotFound):
        add(case, org.officer_a, part=Part.PROGRESS, event_id=case.events.first().pk)


def test_removing_deletes_the_row_and_files_and_records_it(org, walk, django_capture_on_commit_callbacks):
    case = walk.responded()
    attachment = add(case, org.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment_id=attachment.pk, actor=org.officer_a)
    assert not Attachment.objects.exists() and case_files(case) == set()
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.data["sha256"]) == (Action.DETACH, attachment.sha256)


def test_removing_is_refused_to_another_community_and_after_the_work_is_done(org, walk):
    case = walk.replied()
    attachment = add(case, org.officer_a, part=Part.REPLY)
    with pytest.raises(NotAllowed):
        attachment_remove(attachment_id=attachment.pk, actor=org.officer_b)
    with pytest.raises(NotFound):
        attachment_remove(attachment_id=attachment.pk + 1000, actor=org.officer_a)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
