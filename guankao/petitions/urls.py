from django.urls import path

from guankao.petitions import views, views_case

urlpatterns = [
    path("petitions/intake/", views.intake, name="petitions_intake"),
    path("petitions/inbox/", views.inbox, name="petitions_inbox"),
    path("petitions/overview/", views.overview, name="petitions_overview"),
    path("petitions/cases/<int:pk>/", views_case.case_detail, name="petitions_case"),
    path(
        "petitions/cases/<int:pk>/<str:action>/",
        views_case.case_action,
        name="petitions_case_action",
    ),
    path("petitions/survey/<str:token>/", views.survey, name="petitions_survey"),
]
