"""Serving attachments: only through these views, after the access check, never from a
public media URL.

Every answer says what the content is (the type detected at upload), forbids the
browser to guess otherwise (nosniff), and runs whatever it shows in a sandbox with
nothing allowed, so a file can never act as a page of this site.
"""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from guankao.core import attachments
from guankao.core.errors import NotFound

SANDBOX_CSP = "default-src 'none'; sandbox"
# Chrome and Safari refuse to run their PDF viewers in a sandboxed document, so an
# inline PDF gets everything but the sandbox. The viewers run a PDF's own scripts
# away from the site's origin, and nosniff keeps the PDF from being read as a page.
PDF_CSP = "default-src 'none'"


def _content_disposition(disposition: str, name: str) -> str:
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _serve(stored, content_type: str, name: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = attachments.base_type(content_type) in attachments.INLINE_TYPES
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = _content_disposition(
        "inline" if inline else "attachment", name
    )
    response["X-Content-Type-Options"] = "nosniff"
    is_pdf = attachments.base_type(content_type) == attachments.PDF
    response["Content-Security-Policy"] = PDF_CSP if is_pdf else SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _attachment(request, pk, *, thumbnail: bool = False):
    try:
        return attachments.attachment_get_for_download(
            actor=request.user, pk=pk, thumbnail=thumbnail
        )
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
@never_cache
def file_download(request, pk: int):
    attachment = _attachment(request, pk)
    return _serve(attachment.file, attachment.content_type, attachments.download_name(attachment))


@login_required
@require_GET
@never_cache
def file_thumbnail(request, pk: int):
    attachment = _attachment(request, pk, thumbnail=True)
    if not attachment.thumbnail:
        raise Http404
    extension = attachment.thumbnail.name.rsplit(".", 1)[-1].lower()
    content_type = attachments.PNG if extension == "png" else attachments.JPEG
    stem = attachment.original_name.rsplit(".", 1)[0] or "attachment"
    return _serve(attachment.thumbnail, content_type, f"{stem}-thumbnail.{extension}")
