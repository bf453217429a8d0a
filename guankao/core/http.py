"""Shared answers of the pages: a POST action's refusal, a file to download."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.lib.roc import roc_year

REFUSED = 400


def run_action(
    request, action, *, refused, done: str | None = None, success=None
) -> HttpResponse | None:
    """Call `action()`. A service's refusal answers `refused(exc)` — the page again, with
    the problems on its form — as a 400, so scripts and tests see the refusal; a denial
    is the 403 page, a record out of reach the 404 page. None means done: go on.

    The message of what happened: `success(result)` where given, else `done`, else
    "Saved."."""
    try:
        result = action()
    except ServiceError as exc:
        response = refused(exc)
        if response.status_code < 400:
            response.status_code = REFUSED
        return response
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except NotFound:
        raise Http404 from None
    else:
        messages.success(request, success(result) if success else done or _("Saved."))
    return None


def confirmed(request) -> bool:
    """True once the reader has said yes on the confirmation page (see `confirm_page`)."""
    return request.POST.get("confirmed") == "1"


def confirm_page(request, *, title, consequences, button, cancel_url) -> HttpResponse:
    """An irreversible action asks first, on a page of its own (no script needed): what
    will happen, in words; the same POST again with `confirmed=1`, or back."""
    fields = [(k, v) for k, values in request.POST.lists() for v in values]
    fields = [(k, v) for k, v in fields if k not in ("csrfmiddlewaretoken", "confirmed")]
    context = {
        "title": title,
        "consequences": consequences,
        "button": button,
        "cancel_url": cancel_url,
        "action": request.get_full_path(),
        "fields": fields,
    }
    return render(request, "core/confirm.html", context)


def import_refused(request, kind: str, problems) -> HttpResponse:
    """A refused roster or calendar import: every problem by row and column, 400."""
    context = {"problems": problems, "kind": kind}
    return render(request, "core/import_errors.html", context, status=REFUSED)


def dated_filename(stem: str, ext: str, day=None) -> str:
    """A download's name as a clerk files it: 「列管案件總表_1151203.ods」 (民國 date)."""
    day = day or timezone.localdate()
    return f"{stem}_{roc_year(day.year):03d}{day.month:02d}{day.day:02d}.{ext}"


def content_disposition(filename: str, fallback: str = "") -> str:
    """`attachment` with an ASCII fallback and the real (Chinese) name in RFC 5987
    `filename*`, which every current browser prefers."""
    fallback = fallback or filename
    fallback = fallback.encode("ascii", "replace").decode("ascii").replace("?", "_")
    fallback = fallback.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, filename: str, content_type: str, fallback: str = "") -> HttpResponse:
    """A generated file (export, report) offered for saving, never sniffed as another type.
    `fallback`: the ASCII name for the few clients that ignore `filename*`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. A list that can reach millions (cases, the audit trail,
    notices) would otherwise count them all, a scan of every row, on each page: past the
    cap the page says "more than 10,000" and offers the pages up to it; filters narrow it."""

    def __init__(self, object_list, per_page, cap: int = 10_000, **kwargs):
        self.cap = cap
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def _found(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # the count needs no order; LIMIT stops the scan
            return rows.order_by()[: self.cap + 1].count()
        return len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def capped(self) -> bool:
        return self._found > self.cap

    @property
    def cap_text(self) -> str:
        return f"{self.cap:,}"
