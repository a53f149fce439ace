from django.urls import path

from cases.views import community, hotspots, pages, reply_sheet, steps
from communities import views as accounts

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("", accounts.home, name="home"),
    path("cases/queue/", pages.case_queue, name="case-queue"),
    path("cases/new/", pages.case_register, name="case-register"),
    path("cases/community/new/", community.community_register, name="case-community-register"),
    path("cases/similar/", community.similar_preview, name="case-similar-preview"),
    path("cases/deadlines/", pages.case_deadlines, name="case-deadlines"),
    path("cases/search/", pages.case_search, name="case-search"),
    path("cases/inbox/", pages.case_inbox, name="case-inbox"),
    path("cases/signatures/", pages.signature_waiting, name="signature-waiting"),
    path("cases/extensions/", pages.extension_list, name="extension-list"),
    path("cases/overview/", pages.street_overview, name="street-overview"),
    path("cases/overdue/", pages.case_overdue, name="case-overdue"),
    path("cases/hotspots/", hotspots.hotspots, name="case-hotspots"),
    path("cases/hotspots/classes/", hotspots.hotspot_classes, name="case-hotspot-classes"),
    path("cases/reply-sheet/", reply_sheet.reply_sheet_page, name="reply-sheet"),
    path("cases/handlers/", pages.handler_options, name="case-handler-options"),
    path("cases/<int:pk>/", pages.case_detail, name="case-detail"),
    path("cases/<int:pk>/dispatch/", pages.case_dispatch, name="case-dispatch"),
    path("cases/<int:pk>/redispatch/", pages.case_redispatch, name="case-redispatch"),
    path("cases/<int:pk>/extensions/<int:request_id>/decide/", steps.extension_decide, name="case-extension-decide"),
    path("cases/<int:pk>/<slug:step>/", steps.case_step, name="case-step"),
]
