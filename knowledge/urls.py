from django.urls import path

from knowledge import views

urlpatterns = [
    path("knowledge/", views.article_list, name="knowledge-list"),
    path("knowledge/new/", views.article_edit, name="knowledge-new"),
    path("knowledge/<int:pk>/", views.article_detail, name="knowledge-detail"),
    path("knowledge/<int:pk>/edit/", views.article_edit, name="knowledge-edit"),
]
