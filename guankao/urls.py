from django.contrib.auth import views as auth_views
from django.urls import include, path

from guankao.api import api
from guankao.core import views

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
    path("departments/", views.departments, name="departments"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("roster/import/<str:kind>/", views.roster_import, name="roster_import"),
    path("roster/export/<str:kind>.<str:fmt>", views.roster_export, name="roster_export"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit_export"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
