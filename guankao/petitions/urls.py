from django.urls import path

from guankao.petitions import (
    views,
    views_case,
    views_dispatch,
    views_files,
    views_more,
    views_open311,
)

urlpatterns = [
    path("petitions/intake/", views.intake, name="petitions_intake"),
    path("petitions/inbox/", views.inbox, name="petitions_inbox"),
    path("petitions/overview/", views.overview, name="petitions_overview"),
    path("petitions/dispatch/", views_dispatch.measures, name="petitions_dispatch"),
    path("petitions/cases/<int:pk>/", views_case.case_detail, name="petitions_case"),
    path("petitions/cases/<int:pk>/files/", views_case.case_files_add, name="petitions_case_files"),
    path(
        "petitions/cases/<int:pk>/<str:action>/",
        views_case.case_action,
        name="petitions_case_action",
    ),
    path("petitions/map/", views_more.map_view, name="petitions_map"),
    path("petitions/knowledge/", views_more.knowledge_list, name="petitions_knowledge"),
    path("petitions/knowledge/new/", views_more.knowledge_edit, name="petitions_knowledge_new"),
    path(
        "petitions/knowledge/<int:pk>/",
        views_more.knowledge_edit,
        name="petitions_knowledge_edit",
    ),
    path("petitions/categories/", views_more.category_list, name="petitions_categories"),
    path("petitions/categories/new/", views_more.category_edit, name="petitions_category_new"),
    path(
        "petitions/categories/<int:pk>/",
        views_more.category_edit,
        name="petitions_category_edit",
    ),
    path("petitions/rules/", views_more.rules_view, name="petitions_rules"),
    path("petitions/checks/", views_more.checks_view, name="petitions_checks"),
    path("petitions/statistics.ods", views_files.statistics_ods, name="petitions_statistics"),
    path("petitions/cases/<int:pk>/summary.odt", views_files.case_odt, name="petitions_case_odt"),
    path("petitions/survey/<str:token>/", views.survey, name="petitions_survey"),
    # Open311: the officer's apps and each category's questions
    path("petitions/open311/", views_open311.client_list, name="petitions_open311_clients"),
    path(
        "petitions/open311/<int:pk>/",
        views_open311.client_edit,
        name="petitions_open311_client",
    ),
    path(
        "petitions/open311/<int:pk>/revoke/",
        views_open311.client_revoke,
        name="petitions_open311_client_revoke",
    ),
    path(
        "petitions/categories/<int:pk>/questions/",
        views_open311.attributes,
        name="petitions_attributes",
    ),
    path("petitions/questions/<int:pk>/", views_open311.attribute_edit, name="petitions_attribute"),
    path(
        "petitions/questions/<int:pk>/remove/",
        views_open311.attribute_delete,
        name="petitions_attribute_delete",
    ),
]
