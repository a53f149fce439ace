from django.urls import path

from knowledge import api

urlpatterns = [
    path("knowledge/", api.ArticleListView.as_view(), name="api-knowledge-list"),
    path("knowledge/<int:pk>/", api.ArticleDetailView.as_view(), name="api-knowledge-detail"),
    path("cases/<int:pk>/reply-templates/", api.CaseReplyTemplatesView.as_view(), name="api-case-reply-templates"),
]
