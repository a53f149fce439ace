from django.urls import path

from governance import meetings_views
from governance import slips_views as views

urlpatterns = [
    # Public (no login): the slip page of a community, its receipt, the status look-up.
    path("slip/<int:community_id>/", views.slip_public, name="slip-public"),
    path("slip/receipt/", views.slip_receipt, name="slip-receipt"),
    path("slip/status/", views.slip_status, name="slip-status"),
    # Staff: the lead queue (线索), paper slips, posters.
    path("slips/", views.slip_queue, name="slip-queue"),
    path("slips/paper/", views.slip_paper_new, name="slip-paper-new"),
    path("slips/posters/", views.slip_posters, name="slip-posters"),
    path("slips/posters/<int:community_id>/<str:kind>/", views.slip_print, name="slip-print"),
    path("slips/<int:pk>/", views.slip_detail, name="slip-detail"),
    path("slips/<int:pk>/photos/<int:photo_id>/", views.slip_photo, name="slip-photo"),
    path(
        "slips/<int:pk>/photos/<int:photo_id>/thumbnail/",
        views.slip_photo,
        {"thumbnail": True},
        name="slip-photo-thumbnail",
    ),
    # 吹哨 meetings (governance.meetings_views): list, convene, a meeting, its 会议纪要 on A4, the decisions.
    path("meetings/", meetings_views.meeting_list, name="meeting-list"),
    path("meetings/new/", meetings_views.meeting_new, name="meeting-new"),
    path("meetings/decisions/", meetings_views.decision_list, name="decision-list"),
    path("meetings/<int:pk>/", meetings_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/minutes/", meetings_views.meeting_minutes, name="meeting-minutes"),
]
