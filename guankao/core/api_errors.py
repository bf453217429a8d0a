"""The API's error shapes: every 4xx is `{"detail": ...}`, installed on an API by one call,
and documented on every operation of its OpenAPI schema (DocumentedErrorsAPI)."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
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


PROBLEM = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "the field at fault, dotted"},
        "message": {"type": "string"},
        "type": {"type": "string", "description": "the rule broken (validation errors)"},
        "row": {"type": "integer", "description": "the row of an import"},
    },
    "required": ["field", "message"],
}
ERROR = {
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
            ]
        }
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "Bad input: each problem names the field and the rule; nothing was changed.",
    "401": "No valid credentials (a wrong, expired or revoked token is never anonymous).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such record, or not one the caller may see.",
    "422": "A parameter or body field breaks its schema: each problem names it.",
}


class DocumentedErrorsAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI lists, on every operation, the error answers it can give."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"], components["Error"] = PROBLEM, ERROR
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                takes_input = operation.get("parameters") or "requestBody" in operation
                responses = operation.setdefault("responses", {})
                for code, description in ERRORS.items():
                    if code == "422" and not takes_input:
                        continue
                    responses.setdefault(code, {"description": description, "content": error})
        return schema
