"""Smart dispatch on the pages: the suggestions beside the officer's assign form (rendered by
the server; the intake page asks the API as the call-taker types, petitions/suggest.js) and
the officer's page of measures."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from guankao.core.errors import ServiceError
from guankao.petitions import dispatch, dispatch_choices, dispatch_measures, suggest
from guankao.petitions.models import Case


def for_case(user, case: Case) -> dict | None:
    """The suggestions for an existing case (the assign page): its own category's open cases
    nearby count as duplicates; a position outside the city is left out, not refused."""
    place = {"latitude": case.latitude, "longitude": case.longitude}
    try:
        suggest.place(case.latitude, case.longitude)
    except ServiceError:
        place = {}
    try:
        answer = suggest.suggest(
            user=user,
            text=case.text,
            subject=case.subject,
            category=case.category.code,
            exclude=case.pk,
            **place,
        )
    except ServiceError:
        return None
    # The duplicate the call-taker chose 併案 with, offered first (if not already among them).
    marked = dispatch_choices.marked_duplicate(case)
    answer["marked"] = marked
    if marked is not None:
        answer["duplicates"] = [d for d in answer["duplicates"] if d["case"].pk != marked.pk]
    return answer


@require_GET
@login_required
def measures(request):
    from guankao.petitions.views import may_read_figures

    if not may_read_figures(request.user):
        raise PermissionDenied
    context = {
        "m": dispatch_measures.measures(user=request.user),
        "history": dispatch.notes()[:20],
    }
    return render(request, "petitions/dispatch.html", context)
