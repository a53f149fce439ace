"""Similar cases in Chinese: the text score on a generated labelled set, the
look-up (place, window, scope), the pages and API, and the repeat link."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import similarity
from cases.models import Case, CaseEvent
from cases.similarity import case_link_repeat, case_similar_list, text_bigrams, text_similarity
from cases.tests.similar_texts import labelled_pairs
from cases.transitions import Action
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision.models import Notification, NotificationKind

PLACE = ("幸福里",)


def precision_recall(pairs, threshold):
    scores = [
        (text_similarity(text_bigrams(a, places=PLACE), text_bigrams(b, places=PLACE)), dup) for a, b, dup in pairs
    ]
    tp = sum(1 for s, dup in scores if s >= threshold and dup)
    fp = sum(1 for s, dup in scores if s >= threshold and not dup)
    fn = sum(1 for s, dup in scores if s < threshold and dup)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize("seed", [14, 2026])
def test_precision_and_recall_on_the_generated_labelled_set(seed):
    pairs = labelled_pairs(seed=seed)
    assert len(pairs) == 288 and sum(dup for _, _, dup in pairs) == 144
    precision, recall = precision_recall(pairs, similarity.DEFAULT_MIN_SCORE)
    # README "Similar cases": measured 0.98 / 0.89 at seed 14.
    assert precision >= 0.95
    assert recall >= 0.85


def test_the_score_ignores_boilerplate_and_the_place():
    a = text_bigrams("来电人反映：幸福里3号楼楼道灯不亮。希望尽快解决。", places=PLACE)
    b = text_bigrams("市民来电，幸福里3号楼暖气不热。要求相关部门尽快处理。", places=PLACE)
    assert text_similarity(a, b) < similarity.DEFAULT_MIN_SCORE
    assert text_similarity(a, a) == pytest.approx(1.0)
    assert text_similarity(a, text_bigrams("")) == 0.0


def _at(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def test_the_look_up_finds_a_paraphrase_at_the_same_compound_within_the_window(org, walk):
    last_week = walk.dispatched(
        title="楼道灯不亮", content="3号楼楼道里的灯坏了，夜里摸黑上楼", compound="幸福里", received_at=_at(7)
    )
    walk.registered(title="暖气不热", content="3号楼暖气不热，屋里才十五度", compound="幸福里", received_at=_at(3))
    walk.registered(title="楼道灯不亮", content="3号楼楼道灯坏了", compound="别的小区", received_at=_at(3))
    walk.registered(title="楼道灯不亮", content="3号楼楼道灯坏了，夜里摸黑", compound="幸福里", received_at=_at(40))
    found = case_similar_list(
        text="幸福里3号楼楼道灯不亮 晚上走路看不见，楼道照明灯损坏", compound="幸福里", user=org.clerk
    )
    assert [s.case.pk for s in found] == [last_week.pk]
    assert found[0].same == "compound" and 0.2 <= found[0].score <= 1
    # Same address, no compound given.
    walk.registered(title="井盖破损", content="门口井盖缺失", address="幸福路8号", received_at=_at(1))
    by_address = case_similar_list(text="幸福路8号门口井盖破损缺失", address="幸福路8号", user=org.clerk)
    assert [s.same for s in by_address] == ["address"]
    # A configured window of 50 days reaches the old one too.
    assert len(case_similar_list(text="3号楼楼道灯坏了", compound="幸福里", user=org.clerk, days=50)) == 2


def test_the_look_up_answers_only_within_the_users_scope(org, walk):
    walk.dispatched(title="楼道灯不亮", content="3号楼楼道灯坏了", compound="幸福里", received_at=_at(2))
    ask = {"text": "3号楼楼道灯坏了", "compound": "幸福里"}
    assert len(case_similar_list(user=org.officer_a, **ask)) == 1
    assert case_similar_list(user=org.officer_b, **ask) == []
    assert case_similar_list(**ask) == []  # no user, no scope: nothing
    assert case_similar_list(text="3号楼楼道灯坏了", user=org.clerk) == []  # no place: no candidates


def test_the_registration_preview_and_the_api_show_likely_duplicates(org, walk):
    walk.dispatched(title="楼道灯不亮", content="3号楼楼道灯坏了，夜里摸黑", compound="幸福里", received_at=_at(6))
    client = Client()
    client.force_login(org.clerk)
    html = client.get(
        reverse("case-similar-preview"), {"title": "楼道没灯", "content": "3号楼楼道灯不亮", "compound": "幸福里"}
    ).content.decode()
    assert "疑似重复" in html and "相似度" in html
    empty = client.get(reverse("case-similar-preview"), {"title": "x<script>", "compound": "幸福里"}).content.decode()
    assert "未发现" in empty and "<script>" not in empty
    api = APIClient()
    api.force_authenticate(org.clerk)
    answer = api.get("/api/cases/similar/", {"text": "3号楼楼道灯不亮", "compound": "幸福里"})
    assert answer.status_code == 200 and answer.json()[0]["same"] == "compound"
    assert api.get("/api/cases/similar/", {"compound": "幸福里"}).status_code == 400
    api.force_authenticate(org.officer_b)
    assert api.get("/api/cases/similar/", {"text": "3号楼楼道灯不亮", "compound": "幸福里"}).json() == []


def test_a_clerk_links_a_repeat_on_both_timelines_and_the_handler_is_told(org, walk):
    earlier = walk.dispatched(title="楼道灯不亮", content="3号楼楼道灯坏了", compound="幸福里", received_at=_at(6))
    later = walk.registered(title="楼道灯还是不亮", content="3号楼楼道灯坏了没人修", compound="幸福里")
    case_link_repeat(case_id=later.pk, original_ticket=earlier.ticket_no, actor=org.clerk, note="同一问题")
    assert Case.objects.get(pk=later.pk).repeat_of_id == earlier.pk
    assert CaseEvent.objects.get(case=later, action=Action.LINK_REPEAT).data["original"] == earlier.pk
    assert CaseEvent.objects.get(case=earlier, action=Action.LINK_REPEAT).data["repeat"] == later.pk
    told = Notification.objects.get(kind=NotificationKind.REPEAT_LINKED)
    assert (told.recipient_id, told.case_id) == (org.officer_a.id, earlier.pk)
    # Once linked, not again (the one predicate).
    with pytest.raises(Conflict):
        case_link_repeat(case_id=later.pk, original_id=earlier.pk, actor=org.clerk)


def test_bad_links_are_refused_and_nothing_is_written(org, walk):
    earlier = walk.registered(title="a", content="b", received_at=_at(5))
    later = walk.registered(title="c", content="d")
    for kwargs, error in [
        ({"case_id": later.pk, "original_id": later.pk}, InvalidInput),
        ({"case_id": earlier.pk, "original_id": later.pk}, InvalidInput),  # the original must be earlier
        ({"case_id": later.pk, "original_ticket": "NO-SUCH"}, InvalidInput),
        ({"case_id": later.pk, "original_ticket": ""}, InvalidInput),
        ({"case_id": 10**9, "original_id": earlier.pk}, NotFound),
    ]:
        with pytest.raises(error):
            case_link_repeat(actor=org.clerk, **kwargs)
    with pytest.raises(NotAllowed):
        case_link_repeat(case_id=later.pk, original_id=earlier.pk, actor=org.leader)
    assert not CaseEvent.objects.filter(action=Action.LINK_REPEAT).exists()
    assert not Case.objects.filter(repeat_of__isnull=False).exists()


def test_the_case_page_offers_the_link_and_the_api_step_scopes(org, walk):
    earlier = walk.dispatched(title="楼道灯不亮", content="3号楼楼道灯坏了", compound="幸福里", received_at=_at(6))
    later = walk.registered(title="楼道灯不亮", content="3号楼楼道灯坏了，没人修", compound="幸福里")
    client = Client()
    client.force_login(org.clerk)
    html = client.get(reverse("case-detail", args=[later.pk])).content.decode()
    assert "疑似重复" in html and earlier.ticket_no in html
    response = client.post(reverse("case-step", args=[later.pk, "link_repeat"]), {"original": earlier.ticket_no})
    assert response.status_code == 302
    assert "重复诉求" in client.get(reverse("case-detail", args=[earlier.pk])).content.decode()
    other = walk.registered(title="x", content="y")
    api = APIClient()
    api.force_authenticate(org.clerk)
    answer = api.post(f"/api/cases/{other.pk}/link-repeat/", {"original": earlier.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["id"] == other.pk
    api.force_authenticate(org.officer_b)
    assert api.post(f"/api/cases/{other.pk}/link-repeat/", {"original": earlier.pk}).status_code == 404


def test_the_import_preview_names_the_case_a_new_order_likely_repeats(org, walk, tmp_path, settings):
    from cases.intake.samples import order_row, write_xlsx
    from cases.tests.intake_helpers import issues, preview

    settings.MEDIA_ROOT = tmp_path / "media"
    earlier = walk.dispatched(
        title="楼道灯不亮", content="3号楼楼道灯坏了，夜里摸黑上楼", compound="幸福里", received_at=_at(5)
    )
    when = timezone.localtime(_at(1)).replace(second=0, microsecond=0, tzinfo=None)
    path = write_xlsx(
        tmp_path / "orders.xlsx",
        [
            order_row(
                1,
                received_at=when,
                小区点位="幸福里",
                标题="楼道照明灯损坏",
                主要内容="3号楼楼道灯不亮，晚上走路看不见",
            ),
            order_row(2, received_at=when, 小区点位="幸福里", 标题="暖气不热", 主要内容="5号楼暖气不热，屋里才十五度"),
        ],
    )
    job = preview(org.clerk, path)
    similar = [i for i in issues(job) if "疑似重复" in i[2]]
    assert len(similar) == 1 and similar[0][0] == 2  # the first data row is row 2
    assert earlier.ticket_no in similar[0][2] and "同小区" in similar[0][2]
    assert Case.objects.count() == 1  # a preview writes no case
