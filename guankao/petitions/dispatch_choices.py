"""What the person chose against the smart dispatch's suggestion (DispatchChoice), recorded
wherever a case is filed or assigned: the intake and assign pages and the API's filing and
assignment; and the 併案 a call-taker chose on the intake screen for a possible duplicate.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.petitions import access, dispatch, selectors, services, suggest
from guankao.petitions.models import OPEN_STATUSES, Case, DispatchChoice


def record(*, actor, case: Case, stage: str, shown: bool = False, duplicate_of=None):
    """Record the suggestion for the filed (or assigned) case beside what the person chose.

    The suggestion is worked out again here from the case as filed, not taken from the
    browser or the API client, so the share of suggestions taken is counted from what the
    city's own model said. `shown` says whether suggestions were shown while the case was
    typed (the pages know; an API client says so with `suggested`)."""
    stage = validation.choice("stage", stage, DispatchChoice.Stage)
    scored = suggest.score(dispatch.case_words(case.subject, case.text), top=1)
    best = scored.categories[0] if scored.categories else None
    department = scored.departments[0]["code"] if scored.departments else None
    chosen_department = case.lead or case.category.department
    # The suggested category and department from the tree `score` keeps (no query).
    leaves = suggest.leaves()
    owners = {c.department.code: c.department for c in leaves.values()}
    return DispatchChoice.objects.create(
        case=case,
        stage=stage,
        actor=actor,
        shown=bool(shown),
        model_version=scored.model["version"],
        suggested_category=leaves.get(best["code"]) if best else None,
        suggested_department=owners.get(department),
        score=Decimal(str(best["score"])) if best else None,
        chosen_category=case.category,
        chosen_department=chosen_department,
        category_taken=(best["code"] == case.category.code) if best else None,
        department_taken=(department == chosen_department.code) if department else None,
        duplicate_of=duplicate_of,
    )


@transaction.atomic
def file_case(*, actor, suggested: str = "", merge_into: str = "", **data) -> tuple[Case, bool]:
    """File a case as the intake page or the API does and record the choice against the
    suggestion; with `merge_into` (a possible duplicate's number), 併案: an officer's case
    is merged into it at once, anyone else's is filed with the duplicate noted and the
    officer is offered that merge first on the assign page. Returns (case, merged). With
    any problem (an unknown number, a closed case) nothing is filed."""
    duplicate = None
    if merge_into:
        duplicate = selectors.case_by_number(user=actor, number=merge_into, field="merge_into")
        if duplicate.status not in OPEN_STATUSES:
            message = _("the case is closed: nothing can be merged into it")
            raise ServiceError.field("merge_into", message)
    case = services.case_file(actor=actor, **data)
    record(actor=actor, case=case, stage="intake", shown=bool(suggested), duplicate_of=duplicate)
    if duplicate is None or not access.manages(actor):
        return case, False
    return services.case_merge(actor=actor, case=case, into=duplicate), True


def marked_duplicate(case: Case) -> Case | None:
    """The open case the call-taker marked this one a duplicate of, if any."""
    choice = (
        DispatchChoice.objects.filter(case=case, duplicate_of__isnull=False)
        .select_related("duplicate_of")
        .order_by("-at")
        .first()
    )
    if choice is None or choice.duplicate_of.status not in OPEN_STATUSES:
        return None
    return choice.duplicate_of
