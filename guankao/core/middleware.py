from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from guankao.core import audit
from guankao.core.models import Role


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Traditional Chinese unless the user chose otherwise (the language switch's cookie).

    The browser's Accept-Language is ignored: a Taiwanese government system speaks
    zh-Hant first, whatever language the workstation's browser was installed in."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_request_context(audit.RequestContext(ip=request.META.get("REMOTE_ADDR")))
        try:
            return self.get_response(request)
        finally:
            audit.reset_request_context(token)


class RequireTwoFactorMiddleware:
    """Administrators and 管考 officers must set up TOTP before they do anything else."""

    EXEMPT = ("/account/two-factor/", "/logout/", "/static/", "/i18n/", "/healthz", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.GUANKAO_REQUIRE_2FA
            and user.is_authenticated
            and (user.is_admin or user.has_role(Role.OFFICER))
            and not user.is_verified()
            and not request.path.startswith(self.EXEMPT)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "two-factor authentication required"}, status=403)
            return redirect(reverse("two_factor"))
        return self.get_response(request)
