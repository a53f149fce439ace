from django.urls import path

from supervision import emergency_views, views, views_checks, views_ladder, views_talks

urlpatterns = [
    path("notifications/", views.notification_inbox, name="notification-inbox"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path(
        "notifications/settings/channels/<int:pk>/remove/",
        views.notification_channel_remove,
        name="notification-channel-remove",
    ),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("supervision/", views_ladder.ladder_home, name="supervision-ladder"),
    path("supervision/notices/<str:number>/", views_ladder.urge_notice, name="supervision-urge-notice"),
    path("supervision/checks/", views_checks.check_home, name="supervision-checks"),
    path("supervision/checks/start/", views_checks.check_start, name="supervision-check-start"),
    path("supervision/checks/<int:pk>/", views_checks.check_detail, name="supervision-check"),
    path("supervision/checks/<int:pk>/close/", views_checks.check_close, name="supervision-check-close"),
    path("supervision/checks/<int:pk>/print/", views_checks.check_print, name="supervision-check-print"),
    path("supervision/orders/", views_checks.order_list, name="supervision-orders"),
    path("supervision/orders/<int:pk>/close/", views_checks.order_close, name="supervision-order-close"),
    path("supervision/rechecks/", views_checks.recheck_home, name="supervision-rechecks"),
    path("supervision/rechecks/<int:pk>/", views_checks.recheck_draw, name="supervision-recheck-draw"),
    path("supervision/talks/", views_talks.talk_list, name="supervision-talks"),
    path("supervision/talks/new/", views_talks.talk_new, name="supervision-talk-new"),
    path("supervision/talks/<int:talk_id>/", views_talks.talk_detail, name="supervision-talk"),
    path("supervision/figures/<slug:figure>/", views_talks.figure_records, name="supervision-figure"),
    path("supervision/follow-ups/", views_talks.follow_up_list, name="supervision-follow-ups"),
    path(
        "supervision/follow-ups/<int:action_id>/complete/",
        views_talks.follow_up_complete,
        name="supervision-follow-up-complete",
    ),
    path(
        "supervision/meeting/<int:draw_id>/items/<int:item_id>/answer/",
        views_talks.meeting_answer,
        name="supervision-meeting-answer",
    ),
    path("emergencies/", emergency_views.emergency_list, name="emergency-list"),
    path("emergencies/banner/", emergency_views.emergency_banner, name="emergency-banner"),
    path("emergencies/case/<int:pk>/<slug:step>/", emergency_views.emergency_step, name="emergency-step"),
]
