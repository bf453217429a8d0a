"""Open311 GeoReport v2 at /open311/v2/ (and the discovery document at /open311/).

Anyone reads the services, their definitions and the public view of street problems
(CORS open for GET); a registered app files a report with its `api_key` (POST
requests), within its per-minute limit. The views only read parameters and write
documents: filing, the public view and its rules are `petitions.public`'s, the apps
`petitions.clients`'.

Errors are the spec's: a list of {code, description} in the asked format, 400 for bad
input (naming the parameter), 403 for a missing or bad key, 404 for an unknown resource or
jurisdiction, and 429 when an app is over its limit; nothing is stored then.
"""

import functools
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from guankao.core import validation
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.lib import w3c
from guankao.petitions import clients, open311_deferred, public
from guankao.petitions import open311_out as out
from guankao.petitions.models import Category, ServiceAttribute

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00+08:00"
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,40})\](\[\])?")
POST_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "zipcode",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


class TooMany(Exception):
    pass


def _refusal(exc: Exception, fmt: str) -> HttpResponse:
    if isinstance(exc, ServiceError):
        problems = [(400, f"{p.field}: {p.message}") for p in exc.problems]
        return out.errors(problems, fmt, 400)
    if isinstance(exc, NotAllowed):
        return out.errors([(403, str(exc))], fmt, 403)
    if isinstance(exc, TooMany):
        response = out.errors([(429, str(exc))], fmt, 429)
        response["Retry-After"] = "60"
        return response
    return out.errors([(404, str(exc) or _("Not found."))], fmt, 404)


def _params(data) -> None:
    """No parameter may carry control characters (a NUL reached PostgreSQL as a 500)."""
    for key, values in data.lists():
        for text in (key, *values):
            multiline = key == "description" or key.startswith("attribute[")
            problem = validation.text_problem(text, multiline=multiline)
            if problem:
                raise ServiceError.field(key[:40], problem)


def _jurisdiction(data) -> None:
    given = data.get("jurisdiction_id")
    if given not in (None, "", settings.GUANKAO_OPEN311_JURISDICTION):
        raise NotFound(
            _("jurisdiction_id: %(j)s is not served here; this endpoint serves %(o)s")
            % {"j": given[:60], "o": settings.GUANKAO_OPEN311_JURISDICTION}
        )


def _client(data):
    """The app of the request's api_key (None without one); NotAllowed for a bad key,
    TooMany past the app's limit."""
    raw = data.get("api_key")
    if raw in (None, ""):
        return None
    client = clients.client_authenticate(raw)
    if client is None:
        raise NotAllowed(_("api_key: is not a valid key of a registered app"))
    if not clients.client_admit(client):
        raise TooMany(
            _("Too many requests: this app may make %(n)d a minute.") % {"n": client.per_minute}
        )
    return client


def endpoint(*methods: str):
    """An Open311 resource: the format from the address, the asked methods (405 otherwise),
    the spec's errors, CORS for reading, no CSRF (apps are not browsers with a session)."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, fmt: str, **kwargs):
            if request.method not in (*methods, "HEAD" if "GET" in methods else ""):
                response = out.errors([(405, _("Method not allowed."))], fmt, 405)
                response["Allow"] = ", ".join(methods)
                return response
            data = request.GET if request.method in ("GET", "HEAD") else request.POST
            try:
                _params(data)
                _jurisdiction(data)
                response = view(request, data, *args, fmt=fmt, **kwargs)
            except (ServiceError, NotAllowed, NotFound, TooMany) as exc:
                response = _refusal(exc, fmt)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
            response["X-Content-Type-Options"] = "nosniff"
            return response

        return inner

    return wrap


# Discovery and services ---------------------------------------------------------------------


@endpoint("GET")
def discovery(request, data, *, fmt):
    endpoint_url = settings.GUANKAO_BASE_URL + "/open311/v2/"
    content = {
        "changeset": CHANGESET,
        "contact": settings.GUANKAO_OPEN311_CONTACT,
        "key_service": _("Ask the city's 管考 officer to register your app: %(c)s")
        % {"c": settings.GUANKAO_OPEN311_CONTACT},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return out.document("discovery", content, fmt)


def _public_categories():
    asks = ServiceAttribute.objects.filter(category=OuterRef("pk"))
    return (
        Category.objects.filter(public=True, active=True, department__isnull=False)
        .select_related("parent")
        .annotate(has_attributes=Exists(asks))
        .order_by("order", "path")
    )


@endpoint("GET")
def services(request, data, *, fmt):
    content = [out.service(c, c.has_attributes) for c in _public_categories()]
    return out.document("services", content, fmt)


@endpoint("GET")
def service_definition(request, data, code: str, *, fmt):
    asks = Prefetch("attributes", queryset=ServiceAttribute.objects.order_by("order", "pk"))
    category = _public_categories().filter(code=code[:40]).prefetch_related(asks).first()
    if category is None:
        raise NotFound(_("service_code: %(c)s is not a service") % {"c": code[:40]})
    return out.document(
        "service_definition", out.service_definition(category, category.attributes.all()), fmt
    )


# Requests -----------------------------------------------------------------------------------


def _list(data, field: str, limit: int) -> list[str]:
    items = [item.strip() for item in (data.get(field) or "").split(",") if item.strip()]
    if len(items) > limit:
        raise ServiceError.field(field, _("at most %(n)d values") % {"n": limit})
    return items


def _date(data, field: str):
    raw = data.get(field)
    if raw in (None, ""):
        return None
    try:
        return w3c.parse(raw)
    except w3c.W3CFormatError:
        raise ServiceError.field(
            field, _("must be a W3C date and time such as 2026-12-03T08:15:30+08:00")
        ) from None


def _filters(data) -> dict:
    filters = {"numbers": _list(data, "service_request_id", public.LIMIT)}
    codes = _list(data, "service_code", 100)
    if codes:
        known = set(_public_categories().filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ServiceError.field(
                "service_code", _("%(c)s is not a service") % {"c": unknown[0][:40]}
            )
    filters["service_codes"] = codes
    filters["start"], filters["end"] = _date(data, "start_date"), _date(data, "end_date")
    statuses = set(_list(data, "status", 2))
    if statuses - {"open", "closed"}:
        raise ServiceError.field("status", _("must be open or closed"))
    filters["status"] = statuses.pop() if len(statuses) == 1 else None
    return filters


def _attributes(data) -> dict:
    given = {}
    for key in data:
        found = _ATTRIBUTE.fullmatch(key)
        if found:
            values = data.getlist(key)
            given[found.group(1)] = values if found.group(2) or len(values) > 1 else values[0]
        elif key.startswith("attribute"):
            raise ServiceError.field(key[:40], _("must be written attribute[code]"))
    return given


def _file(request, data, fmt):
    client = _client(data)
    if client is None:
        raise NotAllowed(_("api_key: a registered app's key is required to file a report"))
    for name in request.FILES:  # GeoReport v2 takes a photo as a link (media_url) only
        raise ServiceError.field(
            name[:40],
            _("files are not taken here: give the photo's address as media_url"),
        )
    fields = {f: data.get(f, "") for f in POST_FIELDS}
    report = {
        "category": fields["service_code"],
        "description": fields["description"],
        "lat": fields["lat"] or None,
        "long": fields["long"] or None,
        "address": fields["address_string"],
        "address_id": fields["address_id"],
        "zipcode": fields["zipcode"],
        "attributes": _attributes(data),
        "first_name": fields["first_name"],
        "last_name": fields["last_name"],
        "email": fields["email"],
        "phone": fields["phone"],
        "media_url": fields["media_url"],
        "device_id": fields["device_id"],
        "account_id": fields["account_id"],
    }
    if _later():
        waiting, code = open311_deferred.request_accept(client=client, **report)
        notice = _(
            "Received; the case number follows at tokens/%(t)s within minutes. Follow-up "
            "code: %(code)s (keep it to follow the case on the city's website)."
        ) % {"t": waiting.token, "code": code}
        content = {"token": waiting.token}
    else:
        case, code = public.file_public_request(client=client, **report)
        notice = _(
            "Case %(n)s is with %(d)s, reply due %(due)s. Follow-up code: %(code)s "
            "(keep it to follow the case on the city's website)."
        ) % {
            "n": case.number,
            "d": case.lead.name,
            "due": case.due_date.isoformat(),
            "code": code,
        }
        content = {"service_request_id": case.number, "token": case.public_request.token}
    content |= {
        "service_notice": notice,
        "account_id": fields["account_id"] or None,
        "follow_up_code": code,
    }
    return out.document("service_requests", [content], fmt, status=201)


def _later() -> bool:
    """Whether this report is answered with a token and filed by the worker: always with
    GUANKAO_OPEN311_DEFERRED, else once the minute's reports pass
    GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE (a burst is taken in at once, not queued here)."""
    if settings.GUANKAO_OPEN311_DEFERRED:
        return True
    limit = settings.GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE
    return bool(limit) and clients.requests_this_minute() > limit


# The list, as written, per query and format: the default window is asked most and changes
# slowly; GUANKAO_OPEN311_CACHE_SECONDS bounds how old an answer may be (0: always anew).
MAX_LISTS = 64
_lists_lock = threading.Lock()
_lists: OrderedDict = OrderedDict()


def _remembered(key: tuple, compute) -> HttpResponse:
    seconds = settings.GUANKAO_OPEN311_CACHE_SECONDS
    if not seconds:
        return compute()
    now = time.monotonic()
    with _lists_lock:
        hit = _lists.get(key)
        if hit is not None and now - hit[0] < seconds:
            _lists.move_to_end(key)
            return HttpResponse(hit[1], content_type=hit[2])
    response = compute()
    with _lists_lock:
        _lists[key] = (now, response.content, response["Content-Type"])
        _lists.move_to_end(key)
        while len(_lists) > MAX_LISTS:
            _lists.popitem(last=False)
    return response


def forget_lists() -> None:
    with _lists_lock:
        _lists.clear()


@endpoint("GET", "POST")
def requests(request, data, *, fmt):
    if request.method == "POST":
        return _file(request, data, fmt)
    _client(data)
    filters = _filters(data)
    key = (
        fmt,
        translation.get_language(),
        *sorted((k, v) for k, v in data.items() if k != "api_key"),
    )

    def compute():
        rows = public.public_cases(filters)
        return out.document("service_requests", [out.request(c) for c in rows], fmt)

    return _remembered(key, compute)


@endpoint("GET")
def request_one(request, data, number: str, *, fmt):
    _client(data)
    case = public.public_request_get(number)
    return out.document("service_requests", [out.request(case)], fmt)


@endpoint("GET")
def token(request, data, token: str, *, fmt):
    _client(data)
    number, token = open311_deferred.token_status(token)
    # While a deferred report waits, service_request_id is absent (as the spec says).
    content = {"service_request_id": number} if number else {}
    return out.document("service_requests", [content | {"token": token}], fmt)
