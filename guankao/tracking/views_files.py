"""Files into and out of controlled cases: the PCMS import, the board as .ods, and the
control meeting's agenda (.ods, .odt) and minutes (.odt)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.forms import UploadForm
from guankao.core.http import dated_filename, download
from guankao.core.tabular import ODS_MIME
from guankao.lib.roc import roc_year
from guankao.reports.odf import ODT_MIME
from guankao.tracking import exports, imports
from guankao.tracking.views_meetings import follow, meeting_or_404

IMPORT_TEMPLATE = "tracking/import.html"


def _stem(meeting) -> str:
    return f"{roc_year(meeting.year)}年{meeting.month}月工程進度控管會報"


def _ascii(meeting, part: str, ext: str) -> str:
    return f"meeting-{roc_year(meeting.year)}{meeting.month:02d}-{part}.{ext}"


PART_NAMES = {"agenda": "議程", "minutes": "會議紀錄"}


@login_required
@require_GET
@never_cache
def board_export(request):
    filters = exports.board_filters(request.GET)
    content = exports.board_ods(user=request.user, filters=filters)
    name = dated_filename("列管案件總表", "ods")
    return download(content, name, ODS_MIME, fallback="tracking-board.ods")


@login_required
@require_GET
@never_cache
def agenda_export(request, pk: int):
    meeting = meeting_or_404(request, pk)
    follow(request, meeting, say=False)
    return download(
        exports.agenda_ods(meeting=meeting),
        dated_filename(f"{_stem(meeting)}_議程", "ods"),
        ODS_MIME,
        fallback=_ascii(meeting, "agenda", "ods"),
    )


@login_required
@require_GET
@never_cache
def meeting_document(request, pk: int, part: str):
    meeting = meeting_or_404(request, pk)
    follow(request, meeting, say=False)
    build = {"agenda": exports.agenda_odt, "minutes": exports.minutes_odt}.get(part)
    if build is None:
        raise Http404
    name = dated_filename(f"{_stem(meeting)}_{PART_NAMES[part]}", "odt")
    return download(build(meeting=meeting), name, ODT_MIME, fallback=_ascii(meeting, part, "odt"))


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def import_view(request):
    if not imports.can_import(request.user):
        raise PermissionDenied
    context = {"columns": imports.column_help(), "form": UploadForm()}
    if request.method == "GET":
        return render(request, IMPORT_TEMPLATE, context)
    form = UploadForm(request.POST, request.FILES)
    dry_run = request.POST.get("action") != "import"  # checking is the default
    if not form.is_valid():
        return render(request, IMPORT_TEMPLATE, {**context, "form": form}, status=400)
    upload = form.cleaned_data["file"]
    context.update(filename=upload.name, dry_run=dry_run)
    try:
        result = imports.pcms_import(
            actor=request.user,
            content=upload.read(settings.GUANKAO_MAX_UPLOAD_BYTES + 1),
            filename=upload.name,
            dry_run=dry_run,
        )
    except ServiceError as exc:
        return render(request, IMPORT_TEMPLATE, {**context, "problems": exc.problems}, status=400)
    except NotAllowed:
        raise PermissionDenied from None
    if dry_run:
        return render(request, IMPORT_TEMPLATE, {**context, "result": result})
    message = _(
        "Imported %(name)s: rows %(rows)d, new items %(items_created)d, items changed "
        "%(items_updated)d, reports filed %(reports_filed)d, months already reported "
        "%(reports_unchanged)d."
    )
    messages.success(request, message % {**result, "name": upload.name})
    if result["ignored_columns"]:
        messages.info(
            request,
            _("Columns not read: %(cols)s") % {"cols": "、".join(result["ignored_columns"])},
        )
    return redirect("tracking_import")
