"""Shared answers of the pages: a POST action's service errors, a file to download."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, NotFound, ServiceError


def run_action(request, action, success=None) -> HttpResponse | None:
    """Call `action()`; say what went wrong as a message (or 403/404). None means go on.

    `success(result)` words the message of what happened (default: "Saved.")."""
    try:
        result = action()
    except ServiceError as exc:
        messages.error(request, "; ".join(f"{p.field}: {p.message}" for p in exc.problems))
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return HttpResponse(status=403)
    except NotFound:
        raise Http404 from None
    else:
        messages.success(request, success(result) if success else _("Saved."))
    return None


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A generated file (export, report) offered for saving, never sniffed as another type."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
