from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control

from guankao.core import audit, validation
from guankao.core.models import Role
from guankao.core.proxies import client_address, is_trusted_proxy


class QueryTextMiddleware:
    """A page's address may not carry control characters (a NUL in `?q=` reached PostgreSQL
    as a 500): refused here for every page with the 400 page naming the parameter, before
    any view reads it. Forms check their own fields (core.forms.SafeForm) and the API its
    parameters (core.api_types), which answer in their own shapes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API and Open311 check their own parameters and answer in their own shapes.
        if not request.path.startswith(("/api/", "/open311/")):
            for key, values in request.GET.lists():
                for text in (key, *values):
                    problem = validation.text_problem(text)
                    if problem:
                        raise BadRequest(f"{key[:40]}: {problem}")
        return self.get_response(request)


class TrustedProxyMiddleware:
    """First in line: the TLS proxy header counts only when a trusted proxy sent it.

    Django believes SECURE_PROXY_SSL_HEADER from anyone; a client talking to the app
    directly could claim HTTPS and get secure-only behaviour over plain HTTP. The header
    is dropped here unless the peer is in GUANKAO_TRUSTED_PROXIES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = settings.SECURE_PROXY_SSL_HEADER
        if header and header[0] in request.META:
            if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
                del request.META[header[0]]
        return self.get_response(request)


@lru_cache(maxsize=4)
def _tile_source(tiles: str) -> str:
    """The CSP source of the map tiles' host; a {s} subdomain placeholder becomes `*.`."""
    if not tiles:
        return ""
    parts = urlsplit(tiles)
    host = parts.netloc
    if "{" in host:
        first, _, rest = host.partition(".")
        if "{" in rest or not rest:
            return f"{parts.scheme}:"
        host = f"*.{rest}"
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    """Everything the pages use is served by the app itself (no CDN, no inline script or
    style); the only outside source is the map's tile server, for images."""
    images = " ".join(filter(None, ["'self'", "data:", _tile_source(settings.GUANKAO_MAP_TILES)]))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response, and `Cache-Control: no-store` on what a
    signed-in person receives (pages and files of their session must not be kept by the
    browser or a shared cache after they sign out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response


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
    """Makes the client's address (see guankao.core.proxies) available to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_request_context(audit.RequestContext(ip=client_address(request)))
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
