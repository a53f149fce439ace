from django.urls import path

from rankings import meeting_views, views

urlpatterns = [
    path("board/", views.board_display, name="board-display"),
    path("board/data/", views.board_display_data, name="board-display-data"),
    path("rankings/", views.rankings_home, name="rankings-home"),
    path("rankings/boards/<int:board_id>/", views.board_detail, name="rankings-board"),
    path("rankings/boards/<int:board_id>/export.xlsx", views.board_export, name="rankings-board-export"),
    path("rankings/drilldown/", views.drilldown, name="rankings-drilldown"),
    path("rankings/trends/<str:unit_kind>/<int:unit_id>/", views.unit_trends, name="rankings-unit-trends"),
    path("rankings/meeting/", meeting_views.meeting_home, name="rankings-meeting"),
    path("rankings/meeting/<int:draw_id>/", meeting_views.meeting_draw_detail, name="rankings-meeting-draw"),
]
