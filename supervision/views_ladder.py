"""Pages of the 催办 ladder: the supervision page (each level's cases per
unit, every figure opening its cases) and the printable 催办通知书."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.models import Role
from governance.figures import governance_late_work
from hotline.errors import InvalidInput, NotFound
from hotline.web import paginate, role_required
from supervision import ladder
from supervision.views_talks import supervision_page_context

LADDER_ROLES = (Role.SUPERVISOR, Role.LEADER)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
@role_required(*LADDER_ROLES)
def ladder_home(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    context = {
        "board": ladder.ladder_board_for_user(user=request.user),
        "level": level,
        # Late governance milestones and meeting decisions join the ladder's picture.
        "governance_late": governance_late_work(user=request.user),
    }
    context.update(supervision_page_context(request))  # 约谈, meeting grades, figures per unit
    if level:
        community_id, department_id = _int(request.GET.get("community")), _int(request.GET.get("department"))
        try:
            cases = ladder.ladder_case_list_for_user(
                user=request.user, level=level, community_id=community_id, department_id=department_id
            )
        except InvalidInput:
            raise Http404("催办级别无效。") from None
        page = paginate(request, cases)
        context.update(
            {
                "level_label": ladder.ladder_level_label(level),
                "page": page,
                "notices": ladder.ladder_notices_for_cases(case_ids=[case.pk for case in page.object_list])
                if level == "notice"
                else [],
                "query": "&".join(
                    part
                    for part in (
                        f"level={level}",
                        f"community={community_id}" if community_id else "",
                        f"department={department_id}" if department_id else "",
                    )
                    if part
                ),
            }
        )
    return render(request, "supervision/ladder.html", context)


@require_GET
@role_required(Role.SUPERVISOR, Role.LEADER, Role.SECRETARY, Role.CHIEF)
def urge_notice(request: HttpRequest, number: str) -> HttpResponse:
    try:
        step = ladder.ladder_notice_get_for_user(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {"step": step, "case": step.case, "leaders": ladder.ladder_notice_leaders(step=step)}
    return render(request, "supervision/urge_notice.html", context)
