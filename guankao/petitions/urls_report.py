from django.urls import path

from guankao.petitions import views_report

# The citizens' pages: no sign-in.
urlpatterns = [
    path("report/", views_report.report, name="report"),
    path("report/filed/", views_report.filed, name="report_filed"),
    path("report/track/", views_report.track, name="report_track"),
    path("report/map/", views_report.public_map, name="report_map"),
]
