"""What may this person do with this case now — the one predicate.

`case_action_refusal` is the only answer. The service that takes a step asks
it (with the case row locked) and raises what it returns; the API's
`available_actions`, the case page's forms and buttons and the navigation
offer exactly the actions it lets through (`case_available_actions`).

A refusal is a domain error: NotAllowed (403) when the step is not this
person's (role, community, pairing), Conflict (409) when it is theirs but the
case is not in a state that allows it (status, a signature already standing,
an extension already pending, a case already excluded...)."""

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from cases.models import Case, ExtensionRequest, Signature
from cases.transitions import TRANSITIONS, Action
from cases.vocabulary import signature_standing_slots, signed_text
from communities.models import COMMUNITY_ROLES, Person, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, DomainError, NotAllowed

# The signature slot each signing role fills.
SIGNING_SLOT: dict[str, str] = {Role.SECRETARY: Signature.Slot.SECRETARY, Role.CHIEF: Signature.Slot.CHIEF}
BOTH_SLOTS = frozenset(Signature.Slot.values)


def _standing(case: Case, document: str) -> set[str]:
    # case.signatures.all() uses the detail page's prefetch when there is one.
    return signature_standing_slots(case.signatures.all(), document=document, text=signed_text(case, document))


def _has_pending_extension(case: Case) -> bool:
    return any(r.decision == ExtensionRequest.Decision.PENDING for r in case.extension_requests.all())


def _not_signed_by(document: str) -> Callable[[Case, Person | None], DomainError | None]:
    def check(case: Case, person: Person | None) -> DomainError | None:
        slot = SIGNING_SLOT.get(person.role) if person is not None else None
        if slot is not None and slot in _standing(case, document):
            return Conflict(f"{Signature.Slot(slot).label}已签字，无需重复签字。", code="already_signed")
        return None

    return check


def _signed_by_both(document: str, message: str) -> Callable[[Case, Person | None], DomainError | None]:
    def check(case: Case, person: Person | None) -> DomainError | None:
        if _standing(case, document) != BOTH_SLOTS:
            return Conflict(message, code="signatures_missing")
        return None

    return check


def _no_pending_extension(case: Case, person: Person | None) -> DomainError | None:
    if _has_pending_extension(case):
        return Conflict("该案件已有待审批的延期申请。", code="extension_pending")
    return None


def _a_pending_extension(case: Case, person: Person | None) -> DomainError | None:
    if not _has_pending_extension(case):
        return Conflict("该延期申请已审批，案件没有待审批的延期申请。", code="already_decided")
    return None


def _not_excluded(case: Case, person: Person | None) -> DomainError | None:
    if case.exclusion_reason:
        return Conflict("该案件已核减。", code="already_excluded")
    return None


def _excluded(case: Case, person: Person | None) -> DomainError | None:
    if not case.exclusion_reason:
        return Conflict("该案件未被核减。", code="not_excluded")
    return None


def _emergency_in(*statuses: str, message: str, code: str) -> Callable[[Case, Person | None], DomainError | None]:
    """The case's emergency under way must be in one of `statuses` ("" for none under way)."""

    def check(case: Case, person: Person | None) -> DomainError | None:
        from supervision.emergencies import emergency_open_status  # supervision builds on cases

        if emergency_open_status(case=case) not in statuses:
            return Conflict(message, code=code)
        return None

    return check


def _not_linked(case: Case, person: Person | None) -> DomainError | None:
    if case.repeat_of_id is not None:
        return Conflict("该案件已关联为重复诉求。", code="already_linked")
    return None


# Beyond the status: what else about the case must hold for the step.
STATE_CHECKS: dict[Action, Callable[[Case, Person | None], DomainError | None]] = {
    Action.SIGN_REPLY: _not_signed_by(Signature.Document.REPLY),
    Action.CLOSE: _signed_by_both(Signature.Document.REPLY, "办理结果须经社区书记和包片科长双签字后才能办结。"),
    Action.SIGN_EXPLANATION: _not_signed_by(Signature.Document.EXPLANATION),
    Action.COMPLETE_EXPLANATION: _signed_by_both(
        Signature.Document.EXPLANATION, "情况说明须经社区书记和包片科长双签字后才能完成。"
    ),
    Action.REQUEST_EXTENSION: _no_pending_extension,
    Action.DECIDE_EXTENSION: _a_pending_extension,
    Action.EXCLUDE: _not_excluded,
    Action.RESTORE: _excluded,
    Action.RAISE_EMERGENCY: _emergency_in("", message="该案件已在应急处置中。", code="emergency_open"),
    Action.ARRIVE_ON_SCENE: _emergency_in("raised", message="该案件没有待到场的应急事件。", code="no_emergency"),
    Action.CLOSE_EMERGENCY: _emergency_in(
        "raised", "on_scene", message="该案件没有进行中的应急事件。", code="no_emergency"
    ),
    Action.LINK_REPEAT: _not_linked,
}


def role_may_take(role: str, action: Action) -> bool:
    """The role part of the predicate: whether the role takes this kind of
    step at all (the navigation offers a role the pages of its steps)."""
    return role in TRANSITIONS[action].roles


def case_action_refusal(*, case: Case, person: Person | None, action: Action) -> DomainError | None:
    """None when `person` may take `action` on `case` now; otherwise the error
    that says why. `person` None is the system itself (an import of the
    platform's data): only the state is checked."""
    transition = TRANSITIONS[action]
    if person is not None:
        if not role_may_take(person.role, action):
            return NotAllowed(f"{person.get_role_display()}不能执行“{action.label}”。")
        if person.role in COMMUNITY_ROLES and case.community_id != person.community_id:
            return NotAllowed("只能办理本社区的案件。")
        if person.role == Role.CHIEF and (case.pairing is None or case.pairing.chief_id != person.user_id):
            return NotAllowed("只能办理您包片的案件。")
    if case.status not in transition.sources:
        return Conflict(
            f"案件当前状态为“{case.get_status_display()}”，不能{action.label}。",
            code="invalid_transition",
        )
    check = STATE_CHECKS.get(action)
    return check(case, person) if check is not None else None


def case_action_allowed(*, case: Case, person: Person | None, action: Action) -> bool:
    return case_action_refusal(case=case, person=person, action=action) is None


def case_available_actions(*, case: Case, user: AbstractBaseUser | AnonymousUser) -> list[Action]:
    """The steps this user may take on this case now, in the order of the
    lifecycle: exactly the actions `case_action_refusal` lets through."""
    person = person_for_user(user)
    if person is None:
        return []
    return [action for action in Action if case_action_allowed(case=case, person=person, action=action)]
