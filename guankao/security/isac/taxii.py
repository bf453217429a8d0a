"""The TAXII 2.1 server (OASIS TAXII Version 2.1, sections 4 and 5): discovery, API roots,
status, collections, objects (GET, POST), one object (GET, DELETE), its versions and the
manifest. Plain Django views: TAXII has its own media type, headers and error shape.

Auth: HTTP Basic with a member's TAXII credentials, a Bearer API token of the platform, or
the signed-in session (for the CISO's and security officers' browsers; writes through the
session must carry the CSRF token)."""

import base64
import binascii
import functools
import hashlib
import hmac
import json

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from guankao.core.errors import NotAllowed
from guankao.core.services import token_authenticate
from guankao.security.isac import access, paging, selectors, stix
from guankao.security.isac.ingest import objects_add
from guankao.security.isac.models import ApiRoot, Collection, Member, Status

MEDIA_TYPE = "application/taxii+json;version=2.1"
VERSIONS = [MEDIA_TYPE]
REALM = 'Basic realm="Guankao ISAC TAXII 2.1"'


class TaxiiError(Exception):
    def __init__(self, status: int, title: str, description: str = "", headers=None):
        super().__init__(title)
        self.status, self.title, self.description = status, title, description
        self.headers = headers or {}


def respond(data, status: int = 200, headers=None) -> HttpResponse:
    body = data if isinstance(data, str | bytes) else json.dumps(data, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error(exc: TaxiiError) -> HttpResponse:
    data = {"title": exc.title, "http_status": str(exc.status)}
    if exc.description:
        data["description"] = exc.description
    return respond(data, exc.status, exc.headers)


def _accepts(request) -> bool:
    header = request.META.get("HTTP_ACCEPT", "").strip()
    if not header:
        return True
    for item in header.split(","):
        parts = [p.strip().lower().replace(" ", "") for p in item.split(";")]
        kind, params = parts[0], [p for p in parts[1:] if not p.startswith("q=")]
        if kind in ("*/*", "application/*"):
            return True
        if kind == "application/taxii+json" and (not params or "version=2.1" in params):
            return True
    return False


def _member_by_basic(raw: str):
    try:
        decoded = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, secret = decoded.partition(":")
    if not sep or len(decoded) > 300:
        return None
    member = Member.objects.filter(username=username, active=True).first()
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if member is None or not hmac.compare_digest(member.secret_digest, digest):
        return None
    return member


def authenticate(request) -> access.Principal:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, credentials = header.partition(" ")
    unknown = TaxiiError(401, _("Authentication required"), headers={"WWW-Authenticate": REALM})
    if header:
        if scheme.lower() == "basic":
            member = _member_by_basic(credentials.strip())
            if member is None:
                raise unknown
            return access.Principal(member=member)
        if scheme.lower() == "bearer":
            try:
                user = token_authenticate(credentials.strip())
            except NotAllowed as exc:
                raise TaxiiError(403, str(exc)) from None
            if user is None:
                raise unknown
            return access.principal_for_user(user)
        raise unknown
    user = request.user
    if not user.is_authenticated:
        raise unknown
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if reason is not None:
            raise TaxiiError(403, _("The CSRF token is missing or wrong."))
    return access.principal_for_user(user)


def endpoint(*methods):
    """TAXII plumbing around a view: methods, Accept, auth, errors in the spec's shape."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise TaxiiError(
                        405, _("Method not allowed"), headers={"Allow": ", ".join(methods)}
                    )
                if not _accepts(request):
                    raise TaxiiError(
                        406,
                        _("Not acceptable"),
                        _("This server answers %(m)s only.") % {"m": MEDIA_TYPE},
                    )
                principal = authenticate(request)
                if not principal.is_known:
                    raise TaxiiError(403, _("You are not a member of the ISAC."))
                return view(request, principal, *args, **kwargs)
            except TaxiiError as exc:
                return error(exc)

        return inner

    return wrap


def _root(principal, slug: str) -> ApiRoot:
    root = selectors.roots_for(principal).filter(slug=slug).first()
    if root is None:
        raise TaxiiError(404, _("No such API root"))
    return root


def _collection(principal, slug: str, collection_id: str, *, read=True) -> Collection:
    root = _root(principal, slug)
    collection = Collection.objects.select_related("api_root").filter(
        api_root=root, pk=paging.uuid_or_none(collection_id)
    )
    collection = collection.first()
    if collection is None or not principal.sees(collection):
        raise TaxiiError(404, _("No such collection"))
    if read and not principal.can_read(collection):
        raise TaxiiError(403, _("You may not read this collection."))
    return collection


@endpoint("GET")
def discovery(request, principal):
    roots = list(selectors.roots_for(principal))
    base = request.build_absolute_uri("/taxii2/")
    data = {
        "title": _("Chiayi City regional ISAC"),
        "description": _("Threat intelligence shared by the city's agencies and neighbours"),
        "contact": "isac@chiayi.gov.tw",
        "api_roots": [f"{base}{r.slug}/" for r in roots],
    }
    default = next((r for r in roots if r.is_default), None)
    if default is not None:
        data["default"] = f"{base}{default.slug}/"
    return respond(data)


@endpoint("GET")
def api_root(request, principal, root):
    root = _root(principal, root)
    data = {"title": root.title, "versions": VERSIONS}
    data["max_content_length"] = root.max_content_length
    if root.description:
        data["description"] = root.description
    return respond(data)


def status_resource(status: Status) -> dict:
    return {
        "id": str(status.id),
        "status": "complete" if status.pending_count == 0 else "pending",
        "request_timestamp": stix.timestamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "successes": status.successes,
        "failure_count": status.failure_count,
        "failures": status.failures,
        "pending_count": status.pending_count,
        "pendings": [],
    }


@endpoint("GET")
def status(request, principal, root, status_id):
    root = _root(principal, root)
    found = Status.objects.filter(api_root=root, pk=paging.uuid_or_none(status_id)).first()
    mine = found is not None and (
        principal.operator
        or (principal.member is not None and found.member_id == principal.member.pk)
    )
    if not mine:
        raise TaxiiError(404, _("No such status"))
    return respond(status_resource(found))


def collection_resource(principal, c: Collection) -> dict:
    data = {
        "id": str(c.id),
        "title": c.title,
        "alias": c.alias,
        "can_read": principal.can_read(c),
        "can_write": principal.can_write(c),
        "media_types": [stix.MEDIA_TYPE_STIX],
    }
    if c.description:
        data["description"] = c.description
    return data


@endpoint("GET")
def collections(request, principal, root):
    root = _root(principal, root)
    found = selectors.collections_for(principal, root)
    return respond({"collections": [collection_resource(principal, c) for c in found]})


@endpoint("GET")
def collection(request, principal, root, collection_id):
    c = _collection(principal, root, collection_id, read=False)
    return respond(collection_resource(principal, c))


def _page_response(key: str, rows: list, more: bool, token: str, render) -> HttpResponse:
    parts = [f'"more":{"true" if more else "false"}']
    if more:
        parts.append(f'"next":{json.dumps(token)}')
    parts.append(f'"{key}":[' + ",".join(render(r) for r in rows) + "]")
    headers = {}
    if rows:
        headers["X-TAXII-Date-Added-First"] = stix.timestamp(rows[0][1])
        headers["X-TAXII-Date-Added-Last"] = stix.timestamp(rows[-1][1])
    return respond("{" + ",".join(parts) + "}", headers=headers)


def _page(request, principal, c, qs, key, fields, render, *, object_id=None):
    query = paging.Query.from_request(request, c, object_id=object_id)
    rows, more, token = query.page(qs, fields)
    return _page_response(key, rows, more, token, render)


@endpoint("GET", "POST")
def objects(request, principal, root, collection_id):
    if request.method == "POST":
        return _post(request, principal, root, collection_id)
    c = _collection(principal, root, collection_id)
    qs = selectors.objects_in(principal, c)
    return _page(request, principal, c, qs, "objects", ("body",), lambda r: r[2])


def _post(request, principal, root_slug, collection_id):
    c = _collection(principal, root_slug, collection_id, read=False)
    if not principal.can_write(c):
        raise TaxiiError(403, _("You may not write to this collection."))
    kind = request.META.get("CONTENT_TYPE", "").replace(" ", "").lower().split(";")
    if kind[0] != "application/taxii+json" or any(
        p.startswith("version=") and p != "version=2.1" for p in kind[1:]
    ):
        raise TaxiiError(
            415,
            _("Unsupported media type"),
            _("Send the envelope as %(m)s.") % {"m": MEDIA_TYPE},
        )
    limit = c.api_root.max_content_length
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > limit:
        raise TaxiiError(413, _("Request too large"), _("At most %(n)d bytes.") % {"n": limit})
    body = request.read(limit + 1)
    if len(body) > limit:
        raise TaxiiError(413, _("Request too large"), _("At most %(n)d bytes.") % {"n": limit})
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, _("The body is not JSON"), _("Send a TAXII envelope.")) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(
            400,
            _("Not an envelope"),
            _("The body must be a JSON object with an objects list (a TAXII envelope)."),
        )
    done = objects_add(principal=principal, collection=c, objects=envelope["objects"])
    return respond(status_resource(done), status=202)


@endpoint("GET", "DELETE")
def one_object(request, principal, root, collection_id, object_id):
    c = _collection(principal, root, collection_id)
    qs = selectors.objects_in(principal, c).filter(stix_id=object_id)
    if request.method == "DELETE":
        return _delete(request, principal, c, qs)
    if not qs.exists():
        raise TaxiiError(404, _("No such object"))
    return _page(
        request, principal, c, qs, "objects", ("body",), lambda r: r[2], object_id=object_id
    )


def _delete(request, principal, c, qs):
    from guankao.security.isac import services

    if not principal.can_write(c):
        raise TaxiiError(403, _("You may not delete from this collection."))
    query = paging.Query.from_request(request, c, deleting=True)
    rows = query.filter(qs)
    if not rows.exists():
        raise TaxiiError(404, _("No such object"))
    if not principal.operator and rows.exclude(member=principal.member).exists():
        raise TaxiiError(403, _("A member deletes only what it shared."))
    services.objects_delete(principal=principal, collection=c, rows=rows)
    return respond("", status=200)


@endpoint("GET")
def versions(request, principal, root, collection_id, object_id):
    c = _collection(principal, root, collection_id)
    qs = selectors.objects_in(principal, c).filter(stix_id=object_id)
    if not qs.exists():
        raise TaxiiError(404, _("No such object"))
    query = paging.Query.from_request(request, c, object_id=object_id, versions=True)
    rows, more, token = query.page(qs, ("version",))
    return _page_response("versions", rows, more, token, lambda r: f'"{stix.timestamp(r[2])}"')


@endpoint("GET")
def manifest(request, principal, root, collection_id):
    c = _collection(principal, root, collection_id)
    qs = selectors.objects_in(principal, c)

    def render(row):
        return json.dumps(
            {
                "id": row[2],
                "date_added": stix.timestamp(row[1]),
                "version": stix.timestamp(row[3]),
                "media_type": stix.MEDIA_TYPE_STIX,
            }
        )

    return _page(request, principal, c, qs, "objects", ("stix_id", "version"), render)
