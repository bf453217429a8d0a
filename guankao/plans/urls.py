from django.urls import path

from guankao.plans import views, views_files, views_rounds

urlpatterns = [
    path("scorecard/", views.scorecard_view, name="scorecard"),
    path("scorecard/report.odt", views_files.performance_report, name="performance_report"),
    path("scorecard/publish/", views_rounds.scorecard_publish, name="scorecard_publish"),
    path("public/scorecards/", views_rounds.public_scorecards, name="public_scorecards"),
    path("public/scorecards/<int:pk>/", views_rounds.public_scorecard, name="public_scorecard"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path(
        "plans/<int:pk>/kpi-table.ods",
        views_files.kpi_table_export,
        {"fmt": "ods"},
        name="kpi_table_ods",
    ),
    path(
        "plans/<int:pk>/kpi-table.csv",
        views_files.kpi_table_export,
        {"fmt": "csv"},
        name="kpi_table_csv",
    ),
    path("plans/<int:pk>/kpi-table/import/", views_files.kpi_table_import, name="kpi_table_import"),
    path("plans/goals/<int:goal_id>/kpis/", views.kpi_create, name="kpi_create"),
    path("plans/kpis/<int:pk>/", views.kpi_detail, name="kpi_detail"),
    path("plans/my-updates/", views.my_updates, name="my_updates"),
    path("plans/rounds/", views_rounds.round_list, name="rounds"),
    path("plans/rounds/<int:pk>/", views_rounds.round_detail, name="round_detail"),
]
