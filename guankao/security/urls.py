from django.urls import path

from guankao.security import views, views_incidents, views_registers

urlpatterns = [
    path("security/agencies/", views.agencies, name="security_agencies"),
    # seccore: dashboard, incidents, audits, core systems and outages --------------------
    path("security/", views_incidents.dashboard, name="security_dashboard"),
    path("security/rules/", views_incidents.rules, name="security_rules"),
    path("security/incidents/", views_incidents.incident_list, name="security_incidents"),
    path("security/incidents/new/", views_incidents.incident_new, name="security_incident_new"),
    path("security/incidents/<int:pk>/", views_incidents.incident_detail, name="security_incident"),
    path("security/audits/", views_registers.audits, name="security_audits"),
    path("security/audits/<int:pk>/", views_registers.audit_detail, name="security_audit"),
    path("security/outages/", views_registers.outages, name="security_outages"),
    path(
        "security/export/<str:register>.ods",
        views_registers.register_export,
        name="security_export",
    ),
    path("security/report.odt", views_registers.annual_report, name="security_report"),
    # end seccore ---------------------------------------------------------------------------
]
