"""KPI sources offered by the plans app itself."""

from django.utils.translation import gettext_lazy as _

from guankao.plans.models import Submission
from guankao.plans.registry import Period, Record, ratio, register
from guankao.plans.rounds import is_on_time


def _submissions(period: Period, scope):
    rows = Submission.objects.filter(plan_round__year=period.year).select_related(
        "plan", "plan_round", "department"
    )
    if scope is not None:
        rows = rows.filter(department__path__startswith=scope.path)
    return rows.order_by("department__path")


def _round_records(period: Period, scope):
    for s in _submissions(period, scope):
        state = _("on time") if is_on_time(s) else s.plan.get_status_display()
        yield Record(
            "plans.submission", str(s.pk), f"{s.department.name}: {state}", f"/plans/{s.plan_id}/"
        )


@register(
    "plans.round_on_time",
    label=_("Annual plan round: on-time completion rate (依限完成率)"),
    formula=_(
        "Departments whose annual plan was first submitted by the deadline and accepted "
        "÷ departments in the round × 100%"
    ),
    unit="%",
    records=_round_records,
)
def round_on_time(period: Period, scope):
    rows = list(_submissions(period, scope))
    return ratio(sum(1 for s in rows if is_on_time(s)), len(rows))
