"""The demo's resident councils: two councils with members, two sessions each,
one topic already a case; and they go again with the street."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.models import Case, Channel
from demo.governance_councils import demo_councils, demo_councils_delete
from governance.models import Council, CouncilTopic

pytestmark = pytest.mark.django_db


def test_two_councils_with_members_sessions_and_one_topic_made_a_case(org):
    units = [
        SimpleNamespace(community=org.a, secretary=org.secretary_a, officer=org.officer_a),
        SimpleNamespace(community=org.b, secretary=org.secretary_b, officer=org.officer_b),
    ]
    assert demo_councils(units=units, now=timezone.now()) == 1
    councils = list(Council.objects.order_by("community_id"))
    assert len(councils) == 2
    for council in councils:
        assert 6 <= council.members.count() <= 8
        assert council.sessions.count() == 2
        for session in council.sessions.all():
            assert 2 <= session.topics.count() <= 3
    topic = CouncilTopic.objects.get(case__isnull=False)
    assert topic.case.channel == Channel.COUNCIL and topic.case.reported_community == org.a
    demo_councils_delete(street=org.street)
    assert not Council.objects.exists() and not CouncilTopic.objects.exists()
    Case.objects.all().delete()  # the topic no longer holds on to its case
