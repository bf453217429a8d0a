"""Placeholder until this module is written (scaffold; replaced by the real views)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


my_reports = _todo
item_list = _todo
item_edit = _todo
item_detail = _todo
milestone_add = _todo
milestone_done = _todo
report_file = _todo
report_review = _todo
release_request = _todo
release_decide = _todo
