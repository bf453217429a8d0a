"""The API's error shapes: every 4xx is `{"detail": ...}`, installed on an API by one call."""

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, ValidationError

from guankao.core.errors import NotAllowed, NotFound, ServiceError


def _loc_field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "request"


def install(api) -> None:
    """Register the handlers that turn validation, service and access errors into 4xx."""

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        problems = [
            {
                "field": _loc_field(e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": problems}, status=422)

    @api.exception_handler(ServiceError)
    def _service_error(request, exc: ServiceError):
        return api.create_response(
            request, {"detail": [p.as_dict() for p in exc.problems]}, status=exc.status
        )

    @api.exception_handler(NotAllowed)
    def _not_allowed(request, exc):
        return api.create_response(request, {"detail": _("Permission denied.")}, status=403)

    @api.exception_handler(NotFound)
    def _not_found(request, exc):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return api.create_response(
            request, {"detail": _("Sign in or send a valid token.")}, status=401
        )
