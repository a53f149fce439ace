"""The lifecycle steps taken on the case page. Each is a form posted to
`case-step`: parse the form, call one service, redirect (POST-redirect-GET).

A second submit of the same form is refused by the service's state check
(or by a unique constraint) and its Conflict message is shown at the top of
the case page; an error about one field is shown next to that field."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from attachments import forms as attachment_forms
from attachments.models import OwnerKind
from attachments.services import attachment_add_many
from cases import forms, permissions, services, similarity
from cases.models import Case, Signature
from cases.progress import progress_note_add
from cases.transitions import Action, Status
from cases.views.base import case_or_404
from cases.vocabulary import signed_sha256
from governance.meetings_selectors import meeting_whistle_facts_for_case
from hotline.errors import DomainError, NotFound
from hotline.web import next_url, signed_in, staff_required


@dataclass(frozen=True)
class Step:
    action: Action
    form: type[forms.WorkbenchForm]
    run: Callable[..., object]
    done: Callable[[Case], str]
    initial: Callable[[Case], dict] = field(default=lambda case: {})


def _after_sign(case: Case) -> str:
    if case.status == Status.CLOSED:
        return "已签字。双签完成，案件已办结。"
    if case.status == Status.EXPLAINED:
        return "已签字。情况说明双签完成。"
    return "已签字，等待另一位签字人签字。"


def _after_callback(case: Case) -> str:
    if case.status == Status.NEEDS_EXPLANATION:
        return f"已录入回访（{case.callback_outcome_label}），已转社区填写未解决案件情况说明。"
    return "已录入回访。"


def _progress_note(case: Case, user, data: dict) -> object:
    return progress_note_add(
        case_id=case.id, actor=user, text=data["text"], done_at=data["done_at"], uploads=data["uploads"]
    )


def _attach(case: Case, user, data: dict) -> object:
    return attachment_add_many(
        owner_kind=OwnerKind.CASE, owner_id=case.id, uploads=data["uploads"], actor=user, part=data["part"]
    )


def _files_done(case: Case) -> str:
    return "附件已上传。"


def _reply_initial(case: Case) -> dict:
    """The reply form as the case stands; while its 吹哨 fields are not filled
    yet, they come from the latest 吹哨 meeting held about the case (governance)."""
    initial = forms.reply_form_initial(case)
    if case.reply_whistle is not True:
        whistle = meeting_whistle_facts_for_case(case.pk)
        if whistle is not None:
            initial.update(whistle="yes", whistle_parties=whistle.parties, whistle_result=whistle.result)
    return initial


STEPS: dict[str, Step] = {
    "respond": Step(
        Action.RESPOND,
        forms.RespondForm,
        lambda case, user, data: services.case_respond(case_id=case.id, actor=user, note=data["note"]),
        lambda case: "已记录：已联系来电人。",
    ),
    "return": Step(
        Action.RETURN,
        forms.ReturnForm,
        lambda case, user, data: services.case_return(case_id=case.id, actor=user, reason=data["reason"]),
        lambda case: "已退单，等待诉求处置中心改派。",
    ),
    "reply": Step(
        Action.REPLY,
        forms.ReplyForm,
        lambda case, user, data: services.case_reply(
            case_id=case.id, actor=user, text=data["text"], facts=forms.reply_facts_of_form(data)
        ),
        lambda case: "办理结果已提交，等待社区书记和包片科长签字。",
        _reply_initial,
    ),
    "sign_reply": Step(
        Action.SIGN_REPLY,
        forms.SignForm,
        lambda case, user, data: services.case_sign_reply(
            case_id=case.id, actor=user, expected_sha256=data["expected_sha256"]
        ),
        _after_sign,
        lambda case: {"expected_sha256": signed_sha256(case, Signature.Document.REPLY)},
    ),
    "callback": Step(
        Action.RECORD_CALLBACK,
        forms.CallbackForm,
        lambda case, user, data: services.case_record_callback(
            case_id=case.id,
            actor=user,
            contacted=data["contacted"],
            resolved=data["resolved"],
            satisfaction=data["satisfaction"],
            valid=data["valid"],
            called_at=data["called_at"],
            note=data["note"],
        ),
        _after_callback,
    ),
    "explanation": Step(
        Action.WRITE_EXPLANATION,
        forms.ExplanationForm,
        lambda case, user, data: services.case_write_explanation(case_id=case.id, actor=user, text=data["text"]),
        lambda case: "情况说明已提交，等待社区书记和包片科长签字。",
        lambda case: {"text": case.explanation_text},
    ),
    "sign_explanation": Step(
        Action.SIGN_EXPLANATION,
        forms.SignForm,
        lambda case, user, data: services.case_sign_explanation(
            case_id=case.id, actor=user, expected_sha256=data["expected_sha256"]
        ),
        _after_sign,
        lambda case: {"expected_sha256": signed_sha256(case, Signature.Document.EXPLANATION)},
    ),
    "extension": Step(
        Action.REQUEST_EXTENSION,
        forms.ExtensionRequestForm,
        lambda case, user, data: services.case_request_extension(
            case_id=case.id, actor=user, working_days=data["working_days"], reason=data["reason"]
        ),
        lambda case: "延期申请已提交，等待街道领导审批。",
    ),
    "progress_note": Step(
        Action.PROGRESS_NOTE,
        attachment_forms.ProgressNoteForm,
        _progress_note,
        lambda case: "办理进展已记录。",
    ),
    "attach": Step(Action.ATTACH, attachment_forms.AttachForm, _attach, _files_done),
    "supervise": Step(
        Action.SUPERVISE,
        forms.SuperviseForm,
        lambda case, user, data: services.case_supervise(
            case_id=case.id, actor=user, kind=data["kind"], note=data["note"]
        ),
        lambda case: "督办情况已记录。",
    ),
    "exclude": Step(
        Action.EXCLUDE,
        forms.ExcludeForm,
        lambda case, user, data: services.case_exclude(
            case_id=case.id, actor=user, reason=data["reason"], note=data["note"]
        ),
        lambda case: "已核减：该案件不计入三率。",
    ),
    "restore": Step(
        Action.RESTORE,
        forms.RestoreForm,
        lambda case, user, data: services.case_restore(case_id=case.id, actor=user, note=data["note"]),
        lambda case: "已撤销核减，该案件重新计入三率。",
    ),
    "link_repeat": Step(
        Action.LINK_REPEAT,
        forms.LinkRepeatForm,
        lambda case, user, data: similarity.case_link_repeat(
            case_id=case.id, actor=user, original_ticket=data["original"], note=data["note"]
        ),
        lambda case: "已关联为重复诉求，原案件的承办人已收到通知。",
    ),
}


def make_form(step: str, case: Case, data=None, files=None) -> forms.WorkbenchForm:
    """Several forms share a page: give each its own element ids."""
    spec = STEPS[step]
    if data is not None:
        form = spec.form(data, files, auto_id=f"id_{step}_%s")
    else:
        form = spec.form(initial=spec.initial(case), auto_id=f"id_{step}_%s")
    if isinstance(form, attachment_forms.AttachForm):
        form.set_case(case)
    return form


@require_POST
@staff_required
def case_step(request: HttpRequest, pk: int, step: str):
    from cases.views.pages import case_detail_context

    spec = STEPS.get(step)
    case = case_or_404(request, pk)
    if spec is None:
        raise Http404("没有这个办理环节。")
    form = make_form(step, case, request.POST, request.FILES)
    if not form.is_valid() and spec.action not in permissions.case_available_actions(case=case, user=request.user):
        # A step this user may not take now (another role's, or a stale page):
        # say so instead of showing that step's form with field errors.
        messages.error(
            request,
            f"您现在不能{spec.action.label}：案件处于“{case.get_status_display()}”环节，或此操作不属于您的职责。",
        )
        return redirect("case-detail", pk=case.pk)
    if form.is_valid():
        try:
            result = spec.run(case, request.user, form.cleaned_data)
        except NotFound as error:
            messages.error(request, error.message)
            return redirect("home")
        except DomainError as error:
            if error.field is None or error.field not in form.fields:
                # A state conflict (often a second submit): say so on the refreshed page.
                messages.error(request, error.message)
                return redirect(next_url(request, reverse("case-detail", args=[case.pk])))
            form.add_domain_error(error)
        else:
            updated = result if isinstance(result, Case) else case_or_404(request, pk)
            messages.success(request, spec.done(updated))
            return redirect(next_url(request, reverse("case-detail", args=[case.pk])))
    context = case_detail_context(request, case, bound=(step, form))
    return render(request, "cases/detail.html", context, status=400)


@require_POST
@staff_required
def extension_decide(request: HttpRequest, pk: int, request_id: int):
    case = case_or_404(request, pk)
    form = forms.ExtensionDecisionForm(request.POST)
    target = next_url(request, reverse("case-detail", args=[case.pk]))
    if not form.is_valid():
        if "decision" in form.errors:
            messages.error(request, "请选择批准或不批准。")
        else:
            messages.error(request, str(form.errors["note"][0]))  # the message names the field
        return redirect(target)
    if not case.extension_requests.filter(pk=request_id).exists():
        messages.error(request, "延期申请不存在。")
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.case_decide_extension(
            request_id=request_id, actor=signed_in(request.user), approve=approve, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已批准延期，办结时限已顺延。" if approve else "已不批准该延期申请。")
    return redirect(target)
