"""Placeholder until this module is written (scaffold; replaced by the real views)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


board = _todo
behind = _todo
map_view = _todo
rules = _todo
