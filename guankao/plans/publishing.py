"""Publishing a year's scorecard: a frozen copy without personal data, readable by anyone."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import access as core_access
from guankao.core import audit
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.lib import roc
from guankao.plans import selectors
from guankao.plans.models import PublishedScorecard

_Q = Decimal("0.01")


def scorecard_content(rows, *, year: int, as_of) -> dict:
    """The scorecard as plain data: goals, KPIs, targets, actuals, statuses. No people."""
    goals, index = [], {}
    for row in rows:
        kpi, result = row.kpi, row.result
        goal = kpi.goal
        if goal.pk not in index:
            index[goal.pk] = {
                "number": goal.number,
                "title": goal.title,
                "plan": goal.plan.title,
                "department": goal.plan.department.name,
                "kpis": [],
            }
            goals.append(index[goal.pk])
        index[goal.pk]["kpis"].append(
            {
                "id": kpi.pk,
                "number": kpi.number,
                "name": kpi.name,
                "measure": kpi.measure,
                "unit": kpi.unit,
                "target": row.target_text,
                "actual": None if result.actual is None else str(result.actual.quantize(_Q)),
                "status": result.status,
                "periods": result.periods,
                "per_year": kpi.periods_per_year,
                "due": result.due,
                "reported": result.reported,
                "missing": list(result.missing),
            }
        )
    return {"year": year, "as_of": as_of.isoformat(), "goals": goals}


@transaction.atomic
def publish(*, actor, year: int, department=None) -> PublishedScorecard:
    if not core_access.is_officer(actor):
        raise NotAllowed(_("Only 管考 officers publish scorecards."))
    if not roc.is_year(year):
        raise ServiceError.field("year", roc.year_range_message())
    as_of = timezone.localdate()
    rows = selectors.scorecard(user=actor, year=year, department=department, as_of=as_of)
    published = PublishedScorecard.objects.create(
        year=year,
        department=department,
        published_by=actor,
        content=scorecard_content(rows, year=year, as_of=as_of),
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=published,
        department=department,
        note=f"published scorecard {year}",
    )
    return published
