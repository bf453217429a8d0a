"""The one JSON API: /api/v1/…, OpenAPI at /api/docs. Session or personal-token auth."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class AnonymousAllowed(APIKeyHeader):
    """Lets a handler run for visitors who send no credentials; they see only public data.

    A request that does send an Authorization header must pass token auth: a wrong or
    revoked token is a 401, never a silent downgrade to anonymous.
    """

    param_name = "X-Guankao-Anonymous"

    def __call__(self, request):
        return "HTTP_AUTHORIZATION" not in request.META

    def authenticate(self, request, key):
        return True


token_auth = TokenAuth()
AUTH = [token_auth, django_auth]
PUBLIC = [token_auth, django_auth, AnonymousAllowed()]

api = NinjaAPI(
    title="Guankao API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
)


def _loc_field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "request"


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
    return api.create_response(request, {"detail": _("Sign in or send a valid token.")}, status=401)


class Mapped:
    """A queryset the paginator can count and slice, mapped to output one page at a time."""

    def __init__(self, rows, to_out):
        self.rows, self.to_out = rows, to_out

    def count(self):
        return self.rows.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.to_out(row) for row in self.rows[item]]
