"""Protection rules out (規則派送): per member, the values to block from the indicators it
reads that are valid now, one per line, the plain-text form firewalls read as an external
threat feed. `?kind=ipv4|ipv6|domain|url|hash` narrows it.

`?since=<time>` gives the changes since then instead, exactly, from the change log
(blocklog.py): `+value` for each value that was not on this member's list at `since` and
is on it now, `-value` for each that was and is not (expired, revoked, superseded, deleted,
or no longer readable by this member: a grant or a TLP:RED recipient list), additions
first, each sorted; a value that came and went in between is not named. Every answer
carries `X-Changes-Until` (the server's time of the answer): a firewall passes it as the
next `since` and so misses nothing and reads nothing twice. `X-Changes-Since` echoes
`since`.

Authenticated like TAXII: the member's Basic credentials, an API token, or the session."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from guankao.security.isac import blocklog, selectors, stix, taxii
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
    raw_since = request.GET.get("since", "").strip()
    if not raw_since:
        with blocklog.frozen() as until:
            now = selectors.blocklist(principal, at=until)
        values = sorted(v for k in kinds for v in now[k])
        return _text("".join(f"{v}\n" for v in values), headers=_until(until))
    try:
        since = _since(raw_since[:40])
    except ValueError:
        return _text(_("since must be a date and time, e.g. 2026-12-01T00:00:00Z") + "\n", 400)
    audience = principal.member.pk if principal.member is not None else None
    with blocklog.frozen() as until:
        added, removed = blocklog.changes(audience, kinds, since, until)
    body = "".join(f"+{v}\n" for v in added) + "".join(f"-{v}\n" for v in removed)
    return _text(body, headers={"X-Changes-Since": stix.timestamp(since), **_until(until)})


def _until(until) -> dict:
    return {"X-Changes-Until": stix.timestamp(until)}
