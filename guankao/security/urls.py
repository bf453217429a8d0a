from django.urls import path

from guankao.security import (
    views,
    views_audits,
    views_duties,
    views_incidents,
    views_registers,
    views_soc,
    views_training,
)

urlpatterns = [
    path("security/agencies/", views.agencies, name="security_agencies"),
    path("security/", views_incidents.dashboard, name="security_dashboard"),
    path("security/rules/", views_incidents.rules, name="security_rules"),
    path("security/incidents/", views_incidents.incident_list, name="security_incidents"),
    path("security/incidents/new/", views_incidents.incident_new, name="security_incident_new"),
    path("security/incidents/<int:pk>/", views_incidents.incident_detail, name="security_incident"),
    path("security/audits/", views_audits.audits, name="security_audits"),
    path("security/audits/<int:pk>/", views_audits.audit_detail, name="security_audit"),
    path("security/audits/<int:pk>/edit/", views_audits.audit_edit, name="security_audit_edit"),
    path("security/findings/<int:pk>/", views_audits.finding_detail, name="security_finding"),
    path("security/outages/", views_registers.outages, name="security_outages"),
    path("security/outages/<int:pk>/", views_registers.outage_detail, name="security_outage"),
    path("security/services/<int:pk>/", views_registers.service_detail, name="security_service"),
    path(
        "security/export/<str:register>.ods",
        views_registers.register_export,
        name="security_export",
    ),
    path("security/report.odt", views_registers.annual_report, name="security_report"),
]

urlpatterns += [
    path("security/training/", views_training.training_page, name="security_training"),
    path(
        "security/training/import/",
        views_training.training_import_page,
        name="security_training_import",
    ),
    path("security/training/short/", views_training.training_short, name="security_training_short"),
    path(
        "security/training/people/<int:pk>/",
        views_training.training_person,
        name="security_training_person",
    ),
    path(
        "security/training/requirements/",
        views_training.training_requirements,
        name="security_training_requirements",
    ),
    path(
        "security/training/records/<int:pk>/delete/",
        views_training.training_delete,
        name="security_training_delete",
    ),
    path("security/training/it-staff/", views_training.it_staff, name="security_it_staff"),
    path("security/training.ods", views_training.training_export, name="security_training_ods"),
    path("security/duties/", views_duties.duty_page, name="security_duties"),
    path("security/duties/<int:pk>/", views_duties.duty_detail, name="security_duty"),
    path("security/duties/levels/", views_duties.duty_levels, name="security_duty_levels"),
    path("security/duties/levels/<int:pk>/", views_duties.duty_def, name="security_duty_def"),
    path("security/duties.ods", views_duties.duty_export, name="security_duties_ods"),
    path("security/soc/", views_soc.soc_page, name="security_soc"),
    path("security/soc/<int:pk>/", views_soc.soc_point, name="security_soc_point"),
    path("security/soc/<int:pk>/token/", views_soc.soc_token, name="security_soc_token"),
    path("security/soc.ods", views_soc.soc_export, name="security_soc_ods"),
]
