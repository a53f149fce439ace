from django.urls import path

from attachments import views

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path(
        "attachments/<int:pk>/thumbnail/",
        views.attachment_download,
        {"thumbnail": True},
        name="attachment-thumbnail",
    ),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment-remove"),
]
