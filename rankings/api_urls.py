from django.urls import path

from rankings import api

urlpatterns = [
    path("boards/", api.BoardListView.as_view(), name="api-rankings-boards"),
    path("boards/latest/", api.BoardLatestView.as_view(), name="api-rankings-board-latest"),
    path("boards/<int:board_id>/", api.BoardDetailView.as_view(), name="api-rankings-board"),
]
