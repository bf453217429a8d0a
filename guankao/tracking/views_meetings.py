"""Placeholder until this module is written (scaffold; replaced by the real views)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


meeting_list = _todo
meeting_detail = _todo
decision_add = _todo
meeting_close = _todo
