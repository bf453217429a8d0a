from django.urls import path

from guankao.tracking import (
    views,
    views_baseline,
    views_board,
    views_files,
    views_meetings,
    views_reasons,
)

urlpatterns = [
    path("tracking/", views_board.board, name="tracking_board"),
    path("tracking/behind/", views_board.behind, name="tracking_behind"),
    path("tracking/map/", views_board.map_view, name="tracking_map"),
    path("tracking/rules/", views_board.rules, name="tracking_rules"),
    path("tracking/reasons/", views_reasons.reasons_page, name="tracking_reasons"),
    path("tracking/board.ods", views_files.board_export, name="tracking_board_ods"),
    path("tracking/import/", views_files.import_view, name="tracking_import"),
    path("tracking/my/", views.my_reports, name="tracking_my"),
    path("tracking/items/", views.item_list, name="tracking_items"),
    path("tracking/items/new/", views.item_edit, name="tracking_item_new"),
    path("tracking/items/<int:pk>/", views.item_detail, name="tracking_item"),
    path("tracking/items/<int:pk>/edit/", views.item_edit, name="tracking_item_edit"),
    path("tracking/items/<int:pk>/milestones/", views.milestone_add, name="tracking_milestone_add"),
    path(
        "tracking/milestones/<int:pk>/done/", views.milestone_done, name="tracking_milestone_done"
    ),
    path(
        "tracking/items/<int:pk>/baseline/",
        views_baseline.baseline_propose,
        name="tracking_baseline_propose",
    ),
    path(
        "tracking/items/<int:pk>/baseline/decide/",
        views_baseline.baseline_decide,
        name="tracking_baseline_decide",
    ),
    path("tracking/items/<int:pk>/report/", views.report_file, name="tracking_report_file"),
    path("tracking/reports/<int:pk>/review/", views.report_review, name="tracking_report_review"),
    path("tracking/items/<int:pk>/release/", views.release_request, name="tracking_release"),
    path(
        "tracking/items/<int:pk>/release/decide/",
        views.release_decide,
        name="tracking_release_decide",
    ),
    path("tracking/meetings/", views_meetings.meeting_list, name="tracking_meetings"),
    path("tracking/meetings/<int:pk>/", views_meetings.meeting_detail, name="tracking_meeting"),
    path(
        "tracking/meetings/<int:pk>/decisions/",
        views_meetings.decision_add,
        name="tracking_decision_add",
    ),
    path(
        "tracking/meetings/<int:pk>/agenda/refresh/",
        views_meetings.agenda_refresh,
        name="tracking_agenda_refresh",
    ),
    path(
        "tracking/meetings/<int:pk>/close/",
        views_meetings.meeting_close,
        name="tracking_meeting_close",
    ),
    path(
        "tracking/meetings/<int:pk>/agenda.odt",
        views_files.meeting_document,
        {"part": "agenda"},
        name="tracking_agenda_odt",
    ),
    path(
        "tracking/meetings/<int:pk>/minutes.odt",
        views_files.meeting_document,
        {"part": "minutes"},
        name="tracking_minutes_odt",
    ),
    path(
        "tracking/meetings/<int:pk>/agenda.ods",
        views_files.agenda_export,
        name="tracking_agenda_ods",
    ),
]
