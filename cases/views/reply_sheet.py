"""The clerks' page for the 12345 platform's reply sheet: pick a period,
see how many orders it holds, download the .xlsx (cases.reply_sheet)."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import forms, reply_sheet
from communities.models import Role
from hotline.errors import DomainError
from hotline.web import role_required
from hotline.xlsx import xlsx_streaming_response


@require_GET
@role_required(Role.CLERK)
def reply_sheet_page(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    start, end = reply_sheet.reply_sheet_default_period()
    form = forms.ReplySheetForm(request.GET or None, initial={"start": start, "end": end})
    count, status = None, 200
    if form.is_bound:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            try:
                if request.GET.get("download") == "1":
                    sheet = reply_sheet.reply_sheet_xlsx(user=request.user, start=start, end=end)
                    return xlsx_streaming_response(sheet.filename, sheet.chunks)
                count = reply_sheet.reply_sheet_cases(user=request.user, start=start, end=end).count()
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        if form.errors:
            status = 400
    else:
        count = reply_sheet.reply_sheet_cases(user=request.user, start=start, end=end).count()
    context = {
        "form": form,
        "count": count,
        "start": start,
        "end": end,
        "columns": reply_sheet.reply_sheet_columns(),
    }
    return render(request, "cases/reply_sheet.html", context, status=status)
