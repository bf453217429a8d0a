"""Placeholder until this module is written (scaffold; replaced by the real views)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


board_export = _todo
import_view = _todo
meeting_document = _todo
agenda_export = _todo
