"""One answer to "what may this person do with this case now": for every role
(and a person of another community or pairing) × every action × every state
of a case, the one predicate, the case page's forms and buttons, the API's
`available_actions` and the service that takes the step agree.

The service is called for real with valid input inside a transaction that is
rolled back: it succeeds exactly when the predicate allows the step, and
otherwise raises exactly the predicate's refusal (403 NotAllowed for another
person's step, 409 Conflict for a step not possible now)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attachments.models import Label, OwnerKind, Part
from attachments.services import attachment_add
from attachments.tests.helpers import upload
from cases import services, similarity
from cases.models import Case, ExclusionReason, Satisfaction, text_sha256
from cases.permissions import case_action_refusal
from cases.progress import progress_note_add
from cases.tests.factories import signed_sha256
from cases.transitions import Action
from communities.selectors import person_for_user
from hotline.errors import DomainError

ROLES = (
    "clerk",
    "officer_a",
    "secretary_a",
    "chief_a",
    "leader",
    "supervisor",
    "display",
    # Persons of the other community and pairing: the case is not theirs.
    "officer_b",
    "secretary_b",
    "chief_b",
)

# The page's control of each step: a form (its id) or a link/form address.
PAGE_MARK: dict[Action, Callable[[Case], str]] = {
    Action.DISPATCH: lambda case: f'href="{reverse("case-dispatch", args=[case.pk])}"',
    Action.REDISPATCH: lambda case: f'href="{reverse("case-redispatch", args=[case.pk])}"',
    Action.RETURN: lambda case: 'id="step-return"',
    Action.RESPOND: lambda case: 'id="step-respond"',
    Action.REPLY: lambda case: 'id="step-reply"',
    Action.SIGN_REPLY: lambda case: 'id="step-sign_reply"',
    Action.RECORD_CALLBACK: lambda case: 'id="step-callback"',
    Action.WRITE_EXPLANATION: lambda case: 'id="step-explanation"',
    Action.SIGN_EXPLANATION: lambda case: 'id="step-sign_explanation"',
    Action.REQUEST_EXTENSION: lambda case: 'id="step-extension"',
    Action.DECIDE_EXTENSION: lambda case: 'class="extension-form"',
    Action.SUPERVISE: lambda case: 'id="step-supervise"',
    Action.EXCLUDE: lambda case: 'id="step-exclude"',
    Action.RESTORE: lambda case: 'id="step-restore"',
    Action.LINK_REPEAT: lambda case: 'id="step-link_repeat"',
    Action.RAISE_EMERGENCY: lambda case: 'id="emergency-raise"',
    Action.ARRIVE_ON_SCENE: lambda case: 'id="emergency-arrive"',
    Action.CLOSE_EMERGENCY: lambda case: 'id="emergency-close"',
    Action.PROGRESS_NOTE: lambda case: 'id="step-progress_note"',
    Action.ATTACH: lambda case: 'id="step-attach"',
}


def _decide(case: Case, user) -> None:
    request = case.extension_requests.latest("id")
    services.case_decide_extension(request_id=request.id, actor=user, approve=True, note="同意")


# Each step's service with valid input (None: no service of its own, or none that applies to one case).
SERVICE: dict[Action, Callable[[Case, Any, Any], object] | None] = {
    Action.REGISTER: None,
    Action.REGISTER_IN_COMMUNITY: None,  # no case yet: test_community_intake
    Action.LINK_REPEAT: lambda c, u, o: similarity.case_link_repeat(
        case_id=c.id,
        actor=u,
        original_id=services.case_register(
            actor=o.clerk, title="较早的诉求", content="同一问题", received_at=c.received_at - dt.timedelta(days=1)
        ).id,
    ),
    Action.DISPATCH: lambda c, u, o: services.case_dispatch(
        case_id=c.id, actor=u, pairing_id=o.pairing_a.id, handler_id=o.officer_a.id
    ),
    Action.REDISPATCH: lambda c, u, o: services.case_redispatch(
        case_id=c.id, actor=u, pairing_id=o.pairing_a.id, handler_id=o.secretary_a.id, reason="换人"
    ),
    Action.RETURN: lambda c, u, o: services.case_return(case_id=c.id, actor=u, reason="不属本社区"),
    Action.RESPOND: lambda c, u, o: services.case_respond(case_id=c.id, actor=u),
    Action.REPLY: lambda c, u, o: services.case_reply(case_id=c.id, actor=u, text="另一版办理结果"),
    Action.SIGN_REPLY: lambda c, u, o: services.case_sign_reply(
        case_id=c.id, actor=u, expected_sha256=text_sha256(c.reply_text)
    ),
    Action.CLOSE: lambda c, u, o: services.case_close(case_id=c.id, actor=u),
    Action.RECORD_CALLBACK: lambda c, u, o: services.case_record_callback(
        case_id=c.id, actor=u, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    ),
    Action.WRITE_EXPLANATION: lambda c, u, o: services.case_write_explanation(
        case_id=c.id, actor=u, text="另一版情况说明"
    ),
    Action.SIGN_EXPLANATION: lambda c, u, o: services.case_sign_explanation(
        case_id=c.id, actor=u, expected_sha256=text_sha256(c.explanation_text)
    ),
    Action.COMPLETE_EXPLANATION: None,
    Action.REQUEST_EXTENSION: lambda c, u, o: services.case_request_extension(
        case_id=c.id, actor=u, working_days=3, reason="需协调"
    ),
    Action.DECIDE_EXTENSION: lambda c, u, o: _decide(c, u),
    Action.SUPERVISE: lambda c, u, o: services.case_supervise(case_id=c.id, actor=u, kind="phone", note="电话督导"),
    Action.EXCLUDE: lambda c, u, o: services.case_exclude(
        case_id=c.id, actor=u, reason=ExclusionReason.values[0], note="核减说明"
    ),
    Action.RESTORE: lambda c, u, o: services.case_restore(case_id=c.id, actor=u, note="撤销"),
    Action.RECALCULATE_DEADLINES: None,
    Action.REMIND: None,
    Action.URGE: None,
    Action.URGE_NOTICE: None,
    Action.REPORT: None,
    # Supervision orders: written by supervision.orders, which checks its own roles.
    Action.ORDER_SUPERVISION: None,
    Action.CLOSE_SUPERVISION_ORDER: None,
    Action.SUPERVISION_ORDER_LATE: None,
    # The weekly meeting's steps (supervision.talks): system steps with their own services and tests.
    Action.MEETING_ANSWER: None,
    Action.FOLLOW_UP_LATE: None,
    # Governance (governance.projects, governance.meetings): system steps written
    # by those services, which check who may link; tested in governance/tests.
    Action.PROJECT_LINK: None,
    Action.PROJECT_UNLINK: None,
    Action.MEETING_LINK: None,
    Action.RAISE_EMERGENCY: lambda c, u, o: services.case_raise_emergency(case_id=c.id, actor=u, note="燃气泄漏"),
    Action.ARRIVE_ON_SCENE: lambda c, u, o: services.case_arrive_on_scene(case_id=c.id, actor=u),
    Action.CLOSE_EMERGENCY: lambda c, u, o: services.case_close_emergency(case_id=c.id, actor=u, note="已处置"),
    Action.PROGRESS_NOTE: lambda c, u, o: progress_note_add(case_id=c.id, actor=u, text="已约物业现场查看"),
    Action.ATTACH: lambda c, u, o: attachment_add(
        owner_kind=OwnerKind.CASE, owner_id=c.id, upload=upload(), actor=u, label=Label.BEFORE, part=Part.CASE
    ),
    # Needs a file on the case: attachments/tests/test_services.py takes it edge by edge.
    Action.DETACH: None,
}


def _sign(org, case, who, document="reply_text"):
    service = services.case_sign_reply if document == "reply_text" else services.case_sign_explanation
    return service(case_id=case.id, actor=getattr(org, who), expected_sha256=signed_sha256(case.id, document))


def _with_pending_extension(org, case):
    services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
    return case


def _excluded(org, case):
    services.case_exclude(case_id=case.id, actor=org.leader, reason=ExclusionReason.values[0], note="核减")
    return case


def _on_scene(org, case):
    # The service answers with the emergency; the matrix needs its case.
    services.case_arrive_on_scene(case_id=case.id, actor=org.officer_a)
    return case


def _emergency(org, case, then_close=False):
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="燃气泄漏")
    if then_close:
        services.case_close_emergency(case_id=case.id, actor=org.leader, note="已处置")
    return case


def _explained(org, walk):
    case = walk.explanation_written()
    _sign(org, case, "secretary_a", "explanation_text")
    return _sign(org, case, "chief_a", "explanation_text")


# Every status, and the states within a status that change what may be done.
STATES: dict[str, Callable] = {
    "registered": lambda org, walk: walk.registered(),
    "dispatched": lambda org, walk: walk.dispatched(),
    "dispatched_extension_pending": lambda org, walk: _with_pending_extension(org, walk.dispatched()),
    "dispatched_excluded": lambda org, walk: _excluded(org, walk.dispatched()),
    "returned": lambda org, walk: services.case_return(
        case_id=walk.dispatched().id, actor=org.officer_a, reason="错派"
    ),
    "responded": lambda org, walk: walk.responded(),
    "responded_extension_pending": lambda org, walk: _with_pending_extension(org, walk.responded()),
    "replied": lambda org, walk: walk.replied(),
    "replied_extension_pending": lambda org, walk: services.case_reply(
        case_id=_with_pending_extension(org, walk.responded()).id, actor=org.officer_a, text="已修复。"
    ),
    "replied_signed_by_secretary": lambda org, walk: _sign(org, walk.replied(), "secretary_a"),
    "replied_signed_by_chief": lambda org, walk: _sign(org, walk.replied(), "chief_a"),
    "closed": lambda org, walk: walk.closed(),
    "closed_excluded": lambda org, walk: _excluded(org, walk.closed()),
    "called_back": lambda org, walk: services.case_record_callback(
        case_id=walk.closed().id, actor=org.clerk, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    ),
    "needs_explanation": lambda org, walk: walk.needs_explanation(),
    "explanation_written": lambda org, walk: walk.explanation_written(),
    "explanation_signed_by_secretary": lambda org, walk: _sign(
        org, walk.explanation_written(), "secretary_a", "explanation_text"
    ),
    "explained": _explained,
    "dispatched_emergency": lambda org, walk: _emergency(org, walk.dispatched()),
    "responded_emergency_on_scene": lambda org, walk: _on_scene(org, _emergency(org, walk.responded())),
    "closed_emergency": lambda org, walk: _emergency(org, walk.replied(), then_close=True),
}


class Rollback(Exception):
    pass


def service_answer(action: Action, case: Case, user, org) -> DomainError | str | None:
    """The service's refusal, None when it took the step (then rolled back), 'n/a' without a service."""
    run = SERVICE[action]
    if run is None or (action == Action.DECIDE_EXTENSION and not case.extension_requests.exists()):
        return "n/a"
    try:
        with transaction.atomic():
            run(case, user, org)
            raise Rollback
    except Rollback:
        return None
    except DomainError as error:
        return error


def page_actions(html: str, case: Case) -> set[Action]:
    return {action for action, mark in PAGE_MARK.items() if mark(case) in html}


@pytest.mark.parametrize("state", list(STATES))
def test_predicate_page_api_and_service_agree_on_every_cell(org, walk, state):
    case = Case.objects.get(pk=STATES[state](org, walk).pk)
    disagreements = []
    for role in ROLES:
        user = getattr(org, role)
        page = Client()
        page.force_login(user)
        response = page.get(reverse("case-detail", args=[case.pk]))
        html = response.content.decode() if response.status_code == 200 else ""
        on_page = page_actions(html, case)
        api = APIClient()
        api.force_authenticate(user)
        answer = api.get(f"/api/cases/{case.pk}/")
        in_api = (
            {Action(a["action"]) for a in answer.json()["available_actions"]} if answer.status_code == 200 else set()
        )
        person = person_for_user(user)
        for action in Action:
            fresh = Case.objects.select_related("pairing").get(pk=case.pk)
            refusal = case_action_refusal(case=fresh, person=person, action=action)
            allowed = refusal is None
            cell = (state, role, action.value)
            if (action in in_api) != allowed:
                disagreements.append((*cell, "api", action in in_api, allowed))
            if action in PAGE_MARK and (action in on_page) != allowed:
                disagreements.append((*cell, "page", action in on_page, allowed))
            served = service_answer(action, fresh, user, org)
            if served == "n/a":
                continue
            if allowed and served is not None:
                disagreements.append((*cell, "service refused", served.code, served.message))
            if not allowed and (
                served is None
                or (type(served), served.code, served.message) != (type(refusal), refusal.code, refusal.message)
            ):
                disagreements.append((*cell, "service", getattr(served, "code", served), refusal.code))
        # Out of scope, the page and the API do not show the case at all.
        if role.endswith("_b"):
            assert (response.status_code, answer.status_code) == (404, 404), cell
    assert disagreements == []


def _available(org, user, case) -> list[str]:
    api = APIClient()
    api.force_authenticate(user)
    return [a["action"] for a in api.get(f"/api/cases/{case.pk}/").json()["available_actions"]]


def test_the_issues_three_disagreements_are_gone(org, walk):
    signed = _sign(org, walk.replied(), "secretary_a")
    assert "sign_reply" not in _available(org, org.secretary_a, signed)
    assert "sign_reply" in _available(org, org.chief_a, signed)

    pending = _with_pending_extension(org, walk.dispatched(ticket_no="T-PENDING"))
    assert "request_extension" not in _available(org, org.officer_a, pending)
    assert "decide_extension" in _available(org, org.leader, pending)

    excluded = _excluded(org, walk.dispatched(ticket_no="T-EXCLUDED"))
    leader = _available(org, org.leader, excluded)
    assert "exclude" not in leader and "restore" in leader


def test_a_refusal_is_403_for_another_persons_step_and_409_for_a_step_not_possible_now(org, walk):
    case = Case.objects.select_related("pairing").get(pk=walk.replied().pk)
    officer = person_for_user(org.officer_a)
    assert case_action_refusal(case=case, person=officer, action=Action.SIGN_REPLY).status_code == 403
    assert case_action_refusal(case=case, person=officer, action=Action.RESPOND).status_code == 409
    chief_b = person_for_user(org.chief_b)
    assert case_action_refusal(case=case, person=chief_b, action=Action.SIGN_REPLY).code == "not_allowed"
