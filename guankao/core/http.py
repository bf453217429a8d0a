"""Shared answers of the pages: a POST action's refusal, a file to download."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, NotFound, ServiceError

REFUSED = 400


def run_action(request, action, *, refused, done: str | None = None) -> HttpResponse | None:
    """Call `action()`. A service's refusal answers `refused(exc)` — the page again, with
    the problems on its form — as a 400, so scripts and tests see the refusal; a denial
    is the 403 page, a record out of reach the 404 page. None means done: go on."""
    try:
        action()
    except ServiceError as exc:
        response = refused(exc)
        if response.status_code < 400:
            response.status_code = REFUSED
        return response
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except NotFound:
        raise Http404 from None
    messages.success(request, done or _("Saved."))
    return None


def import_refused(request, kind: str, problems) -> HttpResponse:
    """A refused roster or calendar import: every problem by row and column, 400."""
    context = {"problems": problems, "kind": kind}
    return render(request, "core/import_errors.html", context, status=REFUSED)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the real (Chinese) name in RFC 5987
    `filename*`, which every current browser prefers."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    fallback = fallback.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A generated file (export, report) offered for saving, never sniffed as another type."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
