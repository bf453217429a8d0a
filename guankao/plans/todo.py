"""What plans puts on the home page: KPI values to enter, to correct and to approve; the
year's scorecard statuses for the city summary. A fixed number of queries each."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core import todo
from guankao.core.models import Role
from guankao.lib.roc import format_roc, roc_year
from guankao.plans import cache, selectors
from guankao.plans import status as st
from guankao.plans.templatetags.plans import STATUS_LABELS

DUE_HORIZON_DAYS = 14  # the same window as "My updates"


def tasks(user, today) -> list[todo.Task]:
    """A liaison enters and corrects the department's values; its head approves them and
    sees what is overdue (to chase), not the liaison's whole list."""
    out = []
    url = reverse("my_updates")
    if user.department_id is None:
        return out
    liaison, head = user.has_role(Role.LIAISON), user.has_role(Role.HEAD)
    if liaison or head:
        # A returned value is counted once, as returned, not again as due.
        returned = set(
            selectors.returned_measurements(user=user).values_list("kpi_id", "year", "period")
        )
        due = [
            d
            for kpi, y, p, d in selectors.periods_due(
                today=today, horizon_days=DUE_HORIZON_DAYS, user=user
            )
            if (kpi.pk, y, p) not in returned
        ]
        late = [d for d in due if d < today]
        soon = sorted(d for d in due if d >= today)
        if late:
            out.append(todo.Task(todo.OVERDUE, _("KPI values overdue"), len(late), url))
    if liaison:
        if soon:
            detail = _("the first due %(date)s") % {"date": format_roc(soon[0])}
            out.append(todo.Task(todo.DUE, _("KPI values to enter"), len(soon), url, detail))
        if returned:
            label = _("KPI values returned for correction")
            out.append(todo.Task(todo.RETURNED, label, len(returned), url))
    if head:
        waiting = selectors.pending_approvals(user=user).exclude(entered_by=user).count()
        if waiting:
            out.append(todo.Task(todo.APPROVE, _("KPI values to approve"), waiting, url))
    return out


def summary(user, today) -> list[todo.Figure]:
    rows = cache.remembered(
        user,
        ("page", today.year, None, today),
        lambda: selectors.scorecard(user=user, year=today.year, as_of=today),
    )
    counts = dict.fromkeys(st.ALL, 0)
    for row in rows:
        counts[row.result.status] += 1
    group = gettext_lazy("KPIs, year %(y)d") % {"y": roc_year(today.year)}
    url = reverse("scorecard") + f"?year={roc_year(today.year)}"
    figures = []
    for status in (st.OFF_TRACK, st.AT_RISK, st.ON_TRACK, st.NOT_MET, st.MET, st.NO_DATA):
        if counts[status] or status in (st.OFF_TRACK, st.AT_RISK, st.ON_TRACK):
            symbol, label = STATUS_LABELS[status]
            figures.append(todo.Figure(group, label, counts[status], url, status, symbol))
    return figures


todo.register_tasks("plans", tasks)
todo.register_summary("plans", summary)
