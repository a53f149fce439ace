from django.urls import path

from supervision import emergency_views, views

urlpatterns = [
    path("notifications/", views.notification_inbox, name="notification-inbox"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("emergencies/", emergency_views.emergency_list, name="emergency-list"),
    path("emergencies/banner/", emergency_views.emergency_banner, name="emergency-banner"),
    path("emergencies/case/<int:pk>/<slug:step>/", emergency_views.emergency_step, name="emergency-step"),
]
