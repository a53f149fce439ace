"""The 相似诉求 classes a project is opened from: grouping by similar text and
the key words that name a class (and become the project's problem class)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.hotspot_classes import _title_words, class_keywords, hotspot_similar_classes
from cases.hotspots import hotspot_filters
from governance.tests.projects_support import case_at


def words(*titles: str) -> list[set[str]]:
    return [_title_words(title, places=()) for title in titles]


def test_the_key_words_are_the_longest_words_most_titles_share():
    assert class_keywords(words("路灯不亮", "路灯不亮", "东门路灯不亮")) == ["路灯不亮"]
    assert set(class_keywords(words("小区电梯经常停运", "电梯停运", "电梯经常停运困人"))) == {"电梯", "停运"}
    assert class_keywords(words("甲乙", "丙丁", "戊己")) == []  # nothing shared by most


def test_the_place_and_boilerplate_do_not_name_a_class():
    assert class_keywords([_title_words(t, places=("幸福里",)) for t in ("幸福里噪音", "幸福里噪音扰民")]) == ["噪音"]


@pytest.mark.django_db
def test_classes_are_the_users_cases_of_the_window_largest_first(org, walk):
    now = timezone.now()
    for i in range(3):
        case_at(org, at=now - dt.timedelta(days=i + 1), title="楼道堆物", content=f"{i + 2}号楼楼道堆满杂物")
    for i in range(2):
        case_at(org, at=now - dt.timedelta(days=i + 1), title="路灯不亮", content="东门路灯不亮，晚上很黑")
    case_at(org, at=now - dt.timedelta(days=40), title="楼道堆物", content="1号楼楼道堆满杂物")  # previous window
    classes = hotspot_similar_classes(user=org.leader, filters=hotspot_filters())
    assert [(c.key, c.count) for c in classes] == [("楼道堆物", 3), ("路灯不亮", 2)]
    assert hotspot_similar_classes(user=org.officer_a, filters=hotspot_filters()) == []  # none dispatched to A
