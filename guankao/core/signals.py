"""Sign-in events go to the audit trail (they are not domain changes, so a signal is fine)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from guankao.core import audit
from guankao.core.models import AuditEntry

A = AuditEntry.Action


def _logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=A.LOGIN, obj=user, department=user.department)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=A.LOGOUT, obj=user, department=user.department)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, action=A.LOGIN_FAILED, object_type="core.user", object_repr=username)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="guankao_login")
    user_logged_out.connect(_logged_out, dispatch_uid="guankao_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="guankao_login_failed")
