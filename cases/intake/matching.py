"""Finding an order's community from 村/社区, 小区点位 and address fragments,
so the clerk gets a suggested pairing. Loaded once per import: one query for
communities, one for aliases, then everything is in memory."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import cast

from communities.models import Community, CommunityAlias

_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会")


def community_key(value: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            if not key.endswith(("社区", "村")):
                key += "社区"
            break
    return key


class CommunityMatcher:
    def __init__(self) -> None:
        by_key: dict[str, set[int]] = defaultdict(set)
        self.street_of: dict[int, str] = {}
        self.communities: dict[int, Community] = {}
        for community in Community.objects.filter(is_active=True).select_related("street"):
            cid, name = community.id, community.name
            self.communities[cid] = community
            self.street_of[cid] = community.street.name
            key = community_key(name)
            by_key[key].add(cid)
            # "幸福" in the order for the community "幸福社区".
            short = key.removesuffix("社区")
            if short != key and len(short) >= 2:
                by_key[short].add(cid)
        alias_of: dict[str, set[int]] = defaultdict(set)
        for cid, alias in CommunityAlias.objects.filter(community__is_active=True).values_list("community_id", "alias"):
            key = community_key(alias)
            if len(key) >= 2:
                alias_of[key].add(cid)
                by_key[key].add(cid)
        self.by_key = by_key
        fragments = sorted(alias_of, key=len, reverse=True)
        self.alias_of = alias_of
        # One pass over a text finds every alias in it (longest first at each position).
        self.fragment_re = re.compile("|".join(re.escape(f) for f in fragments)) if fragments else None

    def community(self, community_id: int | None) -> Community | None:
        return self.communities.get(community_id) if community_id else None

    def match(self, *, community: str, compound: str, street: str = "", text: str = "") -> int | None:
        """The community id, or None when nothing (or more than one community) fits."""
        for value in (community, compound):
            if value:
                found = self._pick(self.by_key.get(community_key(value), set()), street)
                if found:
                    return found
        if self.fragment_re is None:
            return None
        for value in (compound, community, text):
            if value:
                found = self._fragment(value, street)
                if found:
                    return found
        return None

    def _fragment(self, value: str, street: str) -> int | None:
        hits = cast(re.Pattern[str], self.fragment_re).findall(unicodedata.normalize("NFKC", value))
        if not hits:
            return None
        longest = max(len(h) for h in hits)
        candidates = {cid for h in hits if len(h) == longest for cid in self.alias_of[h]}
        return self._pick(candidates, street)

    def _pick(self, candidates: set[int], street: str) -> int | None:
        if len(candidates) == 1:
            return next(iter(candidates))
        if len(candidates) > 1 and street:
            # Same name in two streets: the order's 街乡镇 decides.
            same_street = {cid for cid in candidates if self.street_of.get(cid) == street.strip()}
            if len(same_street) == 1:
                return next(iter(same_street))
        return None
