"""The control meeting's agenda follows the register while the meeting is open: a case that
falls seriously behind (or gets an overdue milestone, an overdue report, a release request)
after the meeting was opened joins it; one that no longer needs the meeting leaves it,
unless a decision was already recorded on it. Each entry carries the case's lag, its lag
reasons and countermeasures, its last decision and who must act. Closing the meeting
freezes the agenda as it was.

Refreshed by the worker every hour, when a 管考 officer opens the meeting page, and with
the page's "refresh agenda" button, which says what changed.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.tracking import access
from guankao.tracking.models import AgendaEntry, Decision, Item, Meeting, Milestone, Report
from guankao.tracking.services import A, _record

R = AgendaEntry.Reason
OPEN_STATES = [Item.Status.ACTIVE, Item.Status.RETURNED, Item.Status.RELEASE_REQUESTED]
REASON_ORDER = {R.SERIOUS: 0, R.OVERDUE: 1, R.MILESTONE: 2, R.AT_RISK: 3, R.RELEASE: 4}
SNAPSHOT = (
    "reason",
    "lag",
    "planned",
    "actual",
    "reasons",
    "countermeasures",
    "milestones_overdue",
    "last_decision",
    "act_by",
)


def _overdue_milestones(today: dt.date):
    return Milestone.objects.filter(item=OuterRef("pk"), done_on__isnull=True, due__lt=today)


def candidates(today: dt.date) -> list[tuple[Item, str]]:
    """City-controlled open items the meeting must look at, with the first reason that
    applies (seriously behind, report overdue, milestone overdue, at risk, asks release)."""
    needs = (
        Q(lag=Item.Lag.SERIOUS)
        | Q(report_overdue=True)
        | Q(lag=Item.Lag.BEHIND)
        | Q(forecast_late=True)
        | Q(money_behind=True)
        | Q(status=Item.Status.RELEASE_REQUESTED)
        | Q(Exists(_overdue_milestones(today)))
    )
    rows = (
        Item.objects.filter(level=Item.Level.CITY, status__in=OPEN_STATES)
        .annotate(late_milestones=Exists(_overdue_milestones(today)))
        .filter(needs)
        .select_related("lead")
    )
    out = []
    for item in rows:
        if item.lag == Item.Lag.SERIOUS:
            reason = R.SERIOUS
        elif item.report_overdue:
            reason = R.OVERDUE
        elif item.late_milestones:
            reason = R.MILESTONE
        elif item.status == Item.Status.RELEASE_REQUESTED and item.lag != Item.Lag.BEHIND:
            reason = R.RELEASE
        else:
            reason = R.AT_RISK
        out.append((item, reason))
    return sorted(out, key=lambda e: (REASON_ORDER[e[1]], e[0].lead.path, e[0].number))


def _snapshots(items: list[Item], today: dt.date) -> dict[int, dict]:
    """What each entry shows, in a fixed number of queries for any number of items."""
    ids = [i.pk for i in items]
    current = {
        r.item_id: r
        for r in Report.objects.filter(_latest_q(items), state__in=["submitted", "approved"])
        .prefetch_related("lag_categories")
        .order_by("item_id", "year", "month")
    }
    late = dict(
        Milestone.objects.filter(item_id__in=ids, done_on__isnull=True, due__lt=today)
        .values_list("item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    decided = {}
    for d in (
        Decision.objects.filter(entry__item_id__in=ids)
        .select_related("department", "entry")
        .order_by("created_at", "pk")
    ):
        decided[d.entry.item_id] = d
    out = {}
    for item in items:
        report, decision = current.get(item.pk), decided.get(item.pk)
        reasons = ""
        if report is not None:
            kinds = "、".join(c.name for c in report.lag_categories.all())
            reasons = "；".join(x for x in (kinds, report.lag_reason) if x)
        out[item.pk] = {
            "lag": item.lag,
            "planned": item.last_planned,
            "actual": item.last_actual,
            "reasons": reasons,
            "countermeasures": report.countermeasures if report else "",
            "milestones_overdue": late.get(item.pk, 0),
            "last_decision": decision.text if decision else "",
            "act_by": (decision.department.name if decision else item.lead.name)[:200],
        }
    return out


def _latest_q(items: list[Item]) -> Q:
    q = Q(pk__in=[])
    for item in items:
        if item.last_year:
            q |= Q(item_id=item.pk, year=item.last_year, month=item.last_month)
    return q


def build(meeting: Meeting, today: dt.date | None = None) -> dict[str, list[str]]:
    """Bring the open meeting's agenda in line with the register; returns the case numbers
    added, removed and updated."""
    today = today or timezone.localdate()
    wanted = candidates(today)
    snaps = _snapshots([item for item, _reason in wanted], today)
    entries = {
        e.item_id: e
        for e in meeting.agenda.select_related("item").annotate(decided=Count("decisions"))
    }
    changes = {"added": [], "removed": [], "updated": []}
    keep, added, changed = set(), [], []
    for order, (item, reason) in enumerate(wanted, 1):
        keep.add(item.pk)
        values = {**snaps[item.pk], "reason": reason}
        entry = entries.get(item.pk)
        if entry is None:
            added.append(AgendaEntry(meeting=meeting, item=item, order=order, **values))
            changes["added"].append(item.number)
            continue
        if any(getattr(entry, f) != values[f] for f in SNAPSHOT):
            changes["updated"].append(item.number)
        elif entry.order == order:
            continue
        for field, value in values.items():
            setattr(entry, field, value)
        entry.order = order
        changed.append(entry)
    gone, tail = [], len(wanted)
    for item_id, entry in sorted(entries.items(), key=lambda e: e[1].order):
        if item_id in keep:
            continue
        if entry.decided:  # a decision was recorded on it: it stays, at the end
            tail += 1
            if entry.order != tail:
                entry.order = tail
                changed.append(entry)
            continue
        gone.append(entry.pk)
        changes["removed"].append(entry.item.number)
    if gone:
        AgendaEntry.objects.filter(pk__in=gone).delete()
    if changed:
        AgendaEntry.objects.bulk_update(changed, [*SNAPSHOT, "order"])
    if added:
        AgendaEntry.objects.bulk_create(added)
    return changes


@transaction.atomic
def agenda_refresh(*, actor, meeting: Meeting, today: dt.date | None = None) -> dict:
    """Refresh an open meeting's agenda from the register (actor None: the worker)."""
    if actor is not None:
        validation.require(access.can_manage(actor))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.OPEN:
        raise ServiceError.field("status", _("this meeting is closed; its agenda is frozen"))
    changes = build(meeting, today)
    if changes["added"] or changes["removed"]:
        after = {"added": changes["added"], "removed": changes["removed"]}
        _record(actor, A.UPDATE, meeting, {}, after, None, note=_("agenda refreshed"))
    return changes


def refresh_open(today: dt.date | None = None) -> int:
    """The worker: refresh every open meeting's agenda; returns how many changed."""
    changed = 0
    for meeting in Meeting.objects.filter(status=Meeting.Status.OPEN):
        result = agenda_refresh(actor=None, meeting=meeting, today=today)
        changed += bool(result["added"] or result["removed"] or result["updated"])
    return changed
