"""社区自行登记 (the community registers what it learns itself) and the
likely duplicates shown while a case is being typed in (cases.similarity)."""

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cases import forms, services, similarity
from communities.models import Role
from hotline.errors import DomainError
from hotline.web import role_required, signed_in, staff_required


@role_required(Role.OFFICER, Role.SECRETARY)
def community_register(request: HttpRequest):
    form = forms.CommunityIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register_in_community(actor=signed_in(request.user), **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"已登记案件 {case.ticket_no}，已派至本社区，由您承办。")
            return redirect("case-detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/community_register.html", {"form": form}, status=status)


@require_GET
@staff_required
def similar_preview(request: HttpRequest):
    """htmx: the likely duplicates of the complaint being typed in (the
    registration forms send their title, content, compound and address)."""
    params = request.GET
    text = f"{params.get('title', '')} {params.get('content', '')}"[:4000]
    compound, address = params.get("compound", "")[:128], params.get("address", "")[:255]
    found = []
    if text.strip() and (compound.strip() or address.strip()):
        found = similarity.case_similar_list(text=text, compound=compound, address=address, user=request.user)
    context = {"similar_cases": found, "asked": bool(text.strip()), "has_place": bool(compound or address)}
    return render(request, "cases/_similar_preview.html", context)
