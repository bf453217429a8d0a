"""The error pages (400, 403, 404, 500) in zh-Hant inside the site's layout, with the
navigation and a way back. The 500 page renders without a request, so no context
processor (and no database query) runs while the site is failing."""

from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def _back_url(request) -> str:
    """Where the reader came from, when that is a page of this site (never elsewhere)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _render(request, template_name: str, exception=None) -> str:
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    context = {"back_url": _back_url(request), "message": message}
    return loader.get_template(template_name).render(context, request)


def bad_request(request, exception=None):
    return HttpResponseBadRequest(_render(request, "400.html", exception))


def permission_denied(request, exception=None):
    return HttpResponseForbidden(_render(request, "403.html", exception))


def page_not_found(request, exception=None):
    # The Resolver404's own text names URL patterns: never shown to the reader.
    return HttpResponseNotFound(_render(request, "404.html"))


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render({}))
