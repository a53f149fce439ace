from django.urls import path

from governance import councils_views, figures_views, meetings_views, projects_views
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
    # Governance projects (主动治理, 每月一题): the board, a project, its steps.
    path("projects/", projects_views.project_list, name="project-list"),
    path("projects/new/", projects_views.project_new, name="project-new"),
    path("projects/from-hotspot/", projects_views.project_from_hotspot, name="project-from-hotspot"),
    path("projects/<int:pk>/", projects_views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects_views.project_edit, name="project-edit"),
    path("projects/<int:pk>/transition/", projects_views.project_transition, name="project-transition"),
    path("projects/<int:pk>/milestones/", projects_views.project_milestone_add, name="project-milestone-add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone_id>/<str:action>/",
        projects_views.project_milestone_step,
        name="project-milestone-step",
    ),
    path("projects/<int:pk>/notes/", projects_views.project_note_add, name="project-note-add"),
    path("projects/<int:pk>/cases/", projects_views.project_link_cases, name="project-link-cases"),
    path(
        "projects/<int:pk>/cases/<int:case_id>/remove/",
        projects_views.project_unlink_case,
        name="project-unlink-case",
    ),
    path("projects/<int:pk>/photos/<int:photo_id>/", projects_views.project_note_photo, name="project-note-photo"),
    path(
        "projects/<int:pk>/photos/<int:photo_id>/thumbnail/",
        projects_views.project_note_photo,
        {"thumbnail": True},
        name="project-note-photo-thumbnail",
    ),
    # 吹哨 meetings (governance.meetings_views): list, convene, a meeting, its 会议纪要 on A4, the decisions.
    path("meetings/", meetings_views.meeting_list, name="meeting-list"),
    path("meetings/new/", meetings_views.meeting_new, name="meeting-new"),
    path("meetings/decisions/", meetings_views.decision_list, name="decision-list"),
    path("meetings/<int:pk>/", meetings_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/minutes/", meetings_views.meeting_minutes, name="meeting-minutes"),
    # Resident councils (初心议事厅) and the governance figures (part "councils").
    path("councils/", councils_views.council_list, name="council-list"),
    path("councils/<int:pk>/", councils_views.council_detail, name="council-detail"),
    path("councils/<int:pk>/sessions/new/", councils_views.council_session_new, name="council-session-new"),
    path("governance/", figures_views.governance_overview, name="governance-overview"),
]
