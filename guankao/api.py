"""The one JSON API: /api/v1/…, OpenAPI at /api/docs. Session or personal-token auth.

The plumbing every app's router uses (auth classes, error shapes, paging, safe text) lives
in guankao.core; this module only builds the API object. The names below stay importable
from here for code written before the move.
"""

from guankao.core import api_errors
from guankao.core.api_auth import AUTH, PUBLIC, AnonymousAllowed, TokenAuth, token_auth
from guankao.core.api_paging import Mapped

__all__ = ["AUTH", "PUBLIC", "AnonymousAllowed", "Mapped", "TokenAuth", "api", "token_auth"]

api = api_errors.DocumentedErrorsAPI(
    title="Guankao API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
)
api_errors.install(api)
