"""Reads of the agencies, scoped to what the user may see."""

from django.db.models import QuerySet

from guankao.core.access import NOTHING
from guankao.security import access
from guankao.security.models import Agency


def agency_list(*, user) -> QuerySet[Agency]:
    """Agencies with their levels: everyone who works with the security pages reads the list
    (a security officer needs to know the levels of the agencies around theirs)."""
    if not access.works_here(user):
        return Agency.objects.filter(NOTHING)
    return Agency.objects.select_related("department", "department__parent").order_by(
        "department__path"
    )
