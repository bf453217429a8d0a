"""What the security app puts on the home page: incident clocks running and follow-ups
due."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from guankao.core import todo
from guankao.security import access
from guankao.security.models import Finding, FollowUp, Incident


def _incident_tasks(user, today) -> list[todo.Task]:
    if not access.is_security_officer(user) and not access.is_ciso(user):
        return []
    url = reverse("security_dashboard")
    incidents = Incident.objects.filter(access.agency_q(user)).exclude(
        status=Incident.Status.CLOSED
    )
    follow = FollowUp.objects.filter(
        access.agency_q(user, "incident__agency"), done_at=None
    ).aggregate(due=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    findings = Finding.objects.filter(
        access.agency_q(user, "audit__agency"), closed_at=None, due_date__lt=today
    ).count()
    out = []
    running = incidents.count()
    if running:
        out.append(
            todo.Task(todo.DUE, _("Security incidents on the statutory clock"), running, url)
        )
    late = follow["overdue"] + findings
    if late:
        out.append(
            todo.Task(todo.OVERDUE, _("Security follow-ups overdue"), late, url + "#follow-ups")
        )
    if follow["due"] - follow["overdue"]:
        label = _("Prevention measures to follow up")
        out.append(
            todo.Task(todo.DUE, label, follow["due"] - follow["overdue"], url + "#follow-ups")
        )
    return out


todo.register_tasks("security.incidents", _incident_tasks)
