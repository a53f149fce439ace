from django.urls import path

from governance import councils_views, figures_views
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
    # Resident councils (初心议事厅) and the governance figures (part "councils").
    path("councils/", councils_views.council_list, name="council-list"),
    path("councils/<int:pk>/", councils_views.council_detail, name="council-detail"),
    path("councils/<int:pk>/sessions/new/", councils_views.council_session_new, name="council-session-new"),
    path("governance/", figures_views.governance_overview, name="governance-overview"),
]
