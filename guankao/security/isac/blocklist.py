"""Protection rules out (規則派送): per member, the values to block from the indicators it
reads that are valid now, one per line, the plain-text form firewalls read as an external
threat feed. `?kind=ipv4|ipv6|domain|url|hash` narrows it; `?since=<time>` gives the
changes since then instead (`+value` added, `-value` to remove).

Authenticated like TAXII: the member's Basic credentials, an API token, or the session."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from guankao.security.isac import selectors, stix, taxii
from guankao.security.isac.models import IndicatorValue


def _text(body: str, status: int = 200, headers=None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _since(raw: str) -> dt.datetime:
    try:
        return stix.parse_timestamp(raw)
    except ValueError:
        pass
    parsed = dt.datetime.fromisoformat(raw)  # ValueError for the caller
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    return parsed


@csrf_exempt
def blocklist(request):
    if request.method != "GET":
        return _text(_("Method not allowed") + "\n", 405, {"Allow": "GET"})
    try:
        principal = taxii.authenticate(request)
    except taxii.TaxiiError as exc:
        return _text(exc.title + "\n", exc.status, exc.headers)
    if not principal.is_known:
        return _text(_("You are not a member of the ISAC.") + "\n", 403)
    kind = request.GET.get("kind", "all")
    if kind != "all" and kind not in IndicatorValue.Kind.values:
        return _text(_("kind must be all, ipv4, ipv6, domain, url or hash") + "\n", 400)
    kinds = IndicatorValue.Kind.values if kind == "all" else [kind]
    now = selectors.blocklist(principal)
    raw_since = request.GET.get("since", "").strip()
    if not raw_since:
        values = sorted(v for k in kinds for v in now[k])
        return _text("".join(f"{v}\n" for v in values))
    try:
        since = _since(raw_since[:40])
    except ValueError:
        return _text(_("since must be a date and time, e.g. 2026-12-01T00:00:00Z") + "\n", 400)
    before = selectors.blocklist(principal, at=since)
    added = sorted(v for k in kinds for v in now[k] - before[k])
    removed = sorted(v for k in kinds for v in before[k] - now[k])
    body = "".join(f"+{v}\n" for v in added) + "".join(f"-{v}\n" for v in removed)
    return _text(body, headers={"X-Changes-Since": stix.timestamp(since)})
