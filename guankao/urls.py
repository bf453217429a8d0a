from django.contrib.auth import views as auth_views
from django.urls import include, path

from guankao.api import api
from guankao.core import views, views_errors, views_files, views_ops, views_org
from guankao.core.api import router as core_router
from guankao.petitions.api import router as petitions_router
from guankao.plans.api import router as plans_router
from guankao.security.api_incidents import router as security_incidents_router  # seccore
from guankao.security.api_secops import router as security_secops_router  # secops
from guankao.tracking.api import router as tracking_router

api.add_router("/v1/", core_router)
api.add_router("/v1/", plans_router)
api.add_router("/v1/", tracking_router)
api.add_router("/v1/", petitions_router)
api.add_router("/v1/", security_incidents_router)  # seccore
api.add_router("/v1/", security_secops_router)  # secops

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("notifications/", views.notifications, name="notifications"),
    path("departments/", views_org.departments, name="departments"),
    path("departments/new/", views_org.department_edit, name="department_new"),
    path("departments/<str:code>/edit/", views_org.department_edit, name="department_edit"),
    path("staff/", views_org.staff, name="staff"),
    path("staff/new/", views_org.staff_edit, name="staff_new"),
    path("staff/<int:pk>/edit/", views_org.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/", views_org.staff_detail, name="staff_detail"),
    path("roster/import/<str:kind>/", views_org.roster_import, name="roster_import"),
    path("roster/export/<str:kind>.<str:fmt>", views_org.roster_export, name="roster_export"),
    path("calendar/", views_ops.calendar_view, name="calendar"),
    path("calendar/import/", views_ops.calendar_import, name="calendar_import"),
    path("audit/", views_ops.audit_view, name="audit"),
    path("audit/export.<str:fmt>", views_ops.audit_export, name="audit_export"),
    path("files/<int:pk>/", views_files.file_download, name="file_download"),
    path("files/<int:pk>/thumbnail/", views_files.file_thumbnail, name="file_thumbnail"),
    path("", include("guankao.plans.urls")),
    path("", include("guankao.tracking.urls")),
    path("", include("guankao.petitions.urls")),
    path("", include("guankao.petitions.urls_open311")),
    path("", include("guankao.petitions.urls_report")),
    path("", include("guankao.security.urls")),
    path("", include("guankao.security.isac.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

handler400 = views_errors.bad_request
handler403 = views_errors.permission_denied
handler404 = views_errors.page_not_found
handler500 = views_errors.server_error
