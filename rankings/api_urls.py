from django.urls import path

from rankings import api, meeting_api

urlpatterns = [
    path("boards/", api.BoardListView.as_view(), name="api-rankings-boards"),
    path("boards/latest/", api.BoardLatestView.as_view(), name="api-rankings-board-latest"),
    path("boards/<int:board_id>/", api.BoardDetailView.as_view(), name="api-rankings-board"),
    path("meeting-draws/", meeting_api.MeetingDrawListView.as_view(), name="api-rankings-meeting-draws"),
    path("meeting-draws/<int:draw_id>/", meeting_api.MeetingDrawDetailView.as_view(), name="api-rankings-meeting-draw"),
]
