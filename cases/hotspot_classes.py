"""相似诉求 classes of the hotspot page: the window's cases grouped by
similar text (the character bigrams of cases.similarity), each class named by
the key words most of its cases share. A class is what a leader turns into a
governance project in one click ("立项治理"): its key words become the
project's problem class and its cases the project's linked cases."""

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from cases.hotspots import HotspotFilters, _hotspot_cases
from cases.similarity import BOILERPLATE, text_bigrams, text_similarity

# Two complaints are one class when their texts are at least this similar.
CLASS_MIN_SCORE = 0.45
# A class has at least this many cases.
CLASS_MIN_CASES = 2
# Key words: in the titles of at least this share of the class's cases; at most this
# many (any of them puts a case in the project's class: few and specific ones).
KEYWORD_SHARE = 0.6
KEYWORDS_MAX = 2
# The newest cases of the window that are grouped (the grouping is done in Python).
CLASS_MAX_CASES = 1500


@dataclass
class SimilarClass:
    key: str
    keywords: list[str]
    case_ids: list[int]
    category: str
    example: str
    first_at: dt.datetime
    last_at: dt.datetime
    categories: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.case_ids)


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
KEYWORD_MAX_LENGTH = 8


def _title_words(title: str, *, places: tuple[str, ...]) -> set[str]:
    """Every run of 2 to KEYWORD_MAX_LENGTH Chinese characters in a title, the
    place names and the words every order says taken out."""
    for place in sorted((p for p in places if p), key=len, reverse=True):
        title = title.replace(place, " ")
    for word in BOILERPLATE:
        title = title.replace(word, " ")
    words: set[str] = set()
    for run in _HAN_RUN.findall(title):
        for size in range(2, min(len(run), KEYWORD_MAX_LENGTH) + 1):
            words.update(run[i : i + size] for i in range(len(run) - size + 1))
    return words


def class_keywords(titles: list[set[str]]) -> list[str]:
    """The key words of a class: the words most of its titles share (at least
    KEYWORD_SHARE of them), the widest shared first and, among those, the
    longest; a word inside (or around) one already taken is not taken again."""
    needed = max(1, math.ceil(len(titles) * KEYWORD_SHARE))
    shared = Counter(word for words in titles for word in words)
    ranked = sorted(
        ((word, n) for word, n in shared.items() if n >= needed), key=lambda item: (-item[1], -len(item[0]), item[0])
    )
    chosen: list[str] = []
    for word, _ in ranked:
        if any(word in taken or taken in word for taken in chosen):
            continue
        chosen.append(word)
        if len(chosen) == KEYWORDS_MAX:
            break
    return chosen


def hotspot_similar_classes(
    *, user: AbstractBaseUser | AnonymousUser, filters: HotspotFilters, top: int = 10
) -> list[SimilarClass]:
    """The user's cases of the window (current period only) grouped into
    classes of similar text, largest first. Each case joins the first class
    whose first case it resembles (oldest first), so the grouping of the same
    cases is always the same. The key words: `class_keywords` of the titles."""
    rows = list(
        _hotspot_cases(user, filters)
        .filter(received_at__gte=filters.start)
        .order_by("-received_at", "-id")
        .values_list("id", "title", "content", "compound", "address", "category", "received_at")[:CLASS_MAX_CASES]
    )
    rows.reverse()
    seeds: list[Counter[str]] = []
    members: list[list[tuple]] = []
    texts: list[list[set[str]]] = []
    for row in rows:
        _, title, content, compound, address, _, _ = row
        grams = text_bigrams(f"{title} {content}", places=(compound, address))
        if not grams:
            continue
        title_words = _title_words(title, places=(compound, address))
        best, best_score = -1, CLASS_MIN_SCORE
        for index, seed in enumerate(seeds):
            score = text_similarity(grams, seed)
            if score >= best_score:
                best, best_score = index, score
                break
        if best < 0:
            seeds.append(grams)
            members.append([row])
            texts.append([title_words])
        else:
            members[best].append(row)
            texts[best].append(title_words)
    classes = []
    for rows_of, words_of in zip(members, texts, strict=True):
        if len(rows_of) < CLASS_MIN_CASES:
            continue
        keywords = class_keywords(words_of)
        if not keywords:
            continue
        categories = Counter(row[5] for row in rows_of if row[5])
        classes.append(
            SimilarClass(
                key="、".join(keywords),
                keywords=keywords,
                case_ids=sorted(row[0] for row in rows_of),
                category=categories.most_common(1)[0][0] if categories else "",
                example=rows_of[0][1],
                first_at=rows_of[0][6],
                last_at=rows_of[-1][6],
                categories=categories,
            )
        )
    classes.sort(key=lambda c: (-c.count, c.key))
    # Two classes with the same key words would be one project: keep the larger.
    unique: dict[str, SimilarClass] = {}
    for item in classes:
        unique.setdefault(item.key, item)
    return list(unique.values())[:top]


def hotspot_similar_class(
    *, user: AbstractBaseUser | AnonymousUser, filters: HotspotFilters, key: str
) -> SimilarClass | None:
    """The class with these key words among the user's classes of the window, or None."""
    for item in hotspot_similar_classes(user=user, filters=filters, top=10_000):
        if item.key == key:
            return item
    return None
