"""KPI sources offered by controlled cases: the seed plan's KPI 三-1 and 三-2."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.lib.roc import roc_year
from guankao.plans.registry import Period, Record, ratio, register
from guankao.tracking import services
from guankao.tracking.meetings import months_reviewed
from guankao.tracking.models import GRANT_KINDS, Item, Meeting, Report


def _review_records(period: Period, scope):
    first, last = period.months
    held = {
        m.month: m
        for m in Meeting.objects.filter(year=period.year, month__gte=first, month__lte=last)
    }
    for month in range(first, last + 1):
        meeting = held.get(month)
        state = meeting.get_status_display() if meeting else _("no meeting")
        url = f"/tracking/meetings/{meeting.pk}/" if meeting else ""
        yield Record(
            "tracking.meeting",
            str(meeting.pk if meeting else ""),
            f"{roc_year(period.year)}/{month:02d}: {state}",
            url,
        )


@register(
    "tracking.monthly_review",
    label=_("Monthly review of major projects and works held (按月清查)"),
    formula=_(
        "Months whose control meeting was held ÷ months in the period × 100% (年度清查次數/12×100%)"
    ),
    unit="%",
    records=_review_records,
)
def monthly_review(period: Period, scope):
    """City-wide: the meeting is the city's; a department scope counts the same meetings."""
    first, last = period.months
    return ratio(len(months_reviewed(period.year, first, last)), last - first + 1)


def grant_months(period: Period, scope, today=None):
    """(item, year, month, due, on_time) for each grant item-month whose report fell due in
    the period by `today`. On time: a report of the month (any revision, not refused) was
    filed on or before the due day. Items under control by the month's end and not yet
    released by its due day owe it."""
    today = today or timezone.localdate()
    first, last = period.months
    months = [(period.year, m) for m in range(first, last + 1)]
    dues = {ym: services.report_due(*ym) for ym in months}
    months = [ym for ym in months if dues[ym] < today]
    if not months:
        return []
    items = Item.objects.filter(kind__in=GRANT_KINDS).select_related("lead").order_by("number")
    if scope is not None:
        items = items.filter(lead__path__startswith=scope.path)
    items = list(items.filter(created_at__date__lte=services.month_end(*months[-1])))
    on_time = set(
        Report.objects.filter(
            item__in=[i.pk for i in items],
            year=period.year,
            month__in=[m for _y, m in months],
            late=False,
        )
        .filter(~Q(state=Report.State.REFUSED))
        .values_list("item_id", "month")
    )
    rows = []
    for item in items:
        for year, month in months:
            due = dues[(year, month)]
            owed = item.created_at.date() <= services.month_end(year, month) and (
                item.released_at is None or timezone.localdate(item.released_at) > due
            )
            if owed:
                rows.append((item, year, month, due, (item.pk, month) in on_time))
    return rows


def _grant_records(period: Period, scope):
    for item, year, month, _due, ok in grant_months(period, scope):
        state = _("on time") if ok else _("late or missing")
        yield Record(
            "tracking.item",
            str(item.pk),
            f"{item.number} {roc_year(year)}/{month:02d}: {state}",
            f"/tracking/items/{item.pk}/",
        )


@register(
    "tracking.grant_reports_on_time",
    label=_("General-grant items reported on time (一般性補助款 列管追蹤)"),
    formula=_(
        "Monthly reports of centrally funded items filed by the due day ÷ reports due × 100%"
    ),
    unit="%",
    records=_grant_records,
)
def grant_reports_on_time(period: Period, scope):
    rows = grant_months(period, scope)
    return ratio(sum(1 for r in rows if r[4]), len(rows))


# Milestones of tagged cases (KPI 五-2 強化資安防護縱深及創新服務整合) ------------------------

# The tag whose cases the KPI counts: the metric's own data, so security never imports
# tracking (a case joins the KPI by carrying the tag on its form).
TAGGED_MILESTONES_TAG = "資安防護"


def tagged_milestones(period: Period, scope, today=None):
    """Milestones of cases tagged TAGGED_MILESTONES_TAG that fell due in the period by
    `today`, with whether each was done by its due date."""
    from guankao.tracking.models import Milestone

    today = today or timezone.localdate()
    first, last = period.months
    start = services.month_end(period.year, first).replace(day=1)
    end = min(services.month_end(period.year, last), today)
    rows = Milestone.objects.filter(
        item__tags__name=TAGGED_MILESTONES_TAG, due__gte=start, due__lte=end
    ).select_related("item")
    if scope is not None:
        rows = rows.filter(item__lead__path__startswith=scope.path)
    return [(m, m.done_on is not None and m.done_on <= m.due) for m in rows.order_by("due", "pk")]


def _tagged_records(period: Period, scope):
    for milestone, ok in tagged_milestones(period, scope):
        state = _("done on time") if ok else _("late or not done")
        yield Record(
            "tracking.milestone",
            str(milestone.pk),
            f"{milestone.item.number} {milestone.title}: {state}",
            f"/tracking/items/{milestone.item_id}/",
        )


@register(
    "tracking.tagged_milestones_on_time",
    label=_("Milestones of cases tagged 資安防護 done on time (依限完成率)"),
    formula=_(
        "Milestones of the controlled cases tagged 資安防護 done by their due date ÷ "
        "milestones due in the period × 100%"
    ),
    unit="%",
    records=_tagged_records,
)
def tagged_milestones_on_time(period: Period, scope):
    rows = tagged_milestones(period, scope)
    return ratio(sum(1 for _m, ok in rows if ok), len(rows))
