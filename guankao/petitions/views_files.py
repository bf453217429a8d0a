"""Petitions downloads: the monthly statistics (no personal data) and the case summary
(handlers only, a view of the petitioner whole, so logged)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from guankao.core.http import dated_filename, download
from guankao.core.tabular import ODS_MIME
from guankao.lib.roc import roc_year
from guankao.petitions import access, case_files, exports, selectors
from guankao.petitions.views import _year, may_read_figures
from guankao.petitions.views_case import _case_or_404
from guankao.reports.odf import ODT_MIME


@require_GET
@login_required
@never_cache
def statistics_ods(request):
    if not may_read_figures(request.user):
        raise PermissionDenied
    year = _year(request, timezone.localdate())
    content = exports.statistics_ods(user=request.user, year=year)
    name = dated_filename(f"案件統計月報_{roc_year(year)}年", "ods")
    return download(content, name, ODS_MIME, fallback=f"petitions-statistics-{roc_year(year)}.ods")


@require_GET
@login_required
@never_cache
def case_odt(request, pk):
    case = _case_or_404(request, pk)
    if not access.handles(request.user, case):
        raise PermissionDenied
    files = list(case_files.case_files_list(user=request.user, case=case))
    content = exports.case_odt(
        case=case,
        petitioner=selectors.petitioner(user=request.user, case=case, whole=True),
        events=case_files.timeline(selectors.timeline(case), files),
        replies=list(case.replies.all()),
        files=files,
    )
    name = f"陳情案件摘要_{case.number}.odt"
    return download(content, name, ODT_MIME, fallback=f"petition-{case.number}.odt")
