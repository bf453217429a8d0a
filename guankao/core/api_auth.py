"""API auth classes: personal tokens, the session, and anonymous callers on public routes.

Every app's router takes `AUTH` (signed in) or `PUBLIC` (anyone; a sent token must be valid).
"""

from ninja.security import APIKeyHeader, HttpBearer, django_auth

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
