"""Who is told what about a KPI value, and when a notice's work is done.

Task keys (guankao.core.services.notices_done):
- plans.review:<kpi>:<year>:<period>  the head is asked to approve; done when decided
  (or when a newer revision replaces the value);
- plans.refile:<kpi>:<year>:<period>  a returned value to correct; done when re-entered;
- plans.due:<kpi>:<year>:<period>     the worker's reminders; done when a value is entered.
"""

from django.utils.translation import gettext as _

from guankao.core import services as core_services
from guankao.core.models import Role, User
from guankao.lib.roc import roc_year
from guankao.plans.models import Frequency, Measurement


def period_label(kpi, year: int, period: int) -> str:
    """111年第3季, 111年3月, 111年 (as a plan names a KPI's period)."""
    values = {"y": roc_year(year), "p": period}
    if kpi.frequency == Frequency.QUARTERLY:
        return _("%(y)d Q%(p)d") % values
    if kpi.frequency == Frequency.MONTHLY:
        return _("%(y)d/%(p)d") % values
    return _("year %(y)d") % values


def key(kind: str, m: Measurement) -> str:
    return f"plans.{kind}:{m.kpi_id}:{m.year}:{m.period}"


def value_named(m: Measurement) -> str:
    name = f"{m.kpi.goal.number}{'-' + m.kpi.number if m.kpi.number else ''} {m.kpi.name}"
    return _("KPI %(kpi)s, %(period)s") % {
        "kpi": name.strip()[:80],
        "period": period_label(m.kpi, m.year, m.period),
    }


def value_entered(m: Measurement) -> list:
    """A value (or a correction) waits for the head: earlier asks about it are done."""
    for kind in ("review", "refile", "due"):
        core_services.notices_done(task=key(kind, m))
    return core_services.notify_roles(
        departments=[m.kpi.goal.plan.department],
        roles=(Role.HEAD,),
        subject=_("To approve: %(what)s") % {"what": value_named(m)},
        body=_("Value %(value)s entered by %(who)s.")
        % {"value": _number(m.value), "who": _name(m.entered_by)},
        url=f"/plans/kpis/{m.kpi_id}/?year={roc_year(m.year)}",
        task=key("review", m),
    )


def value_decided(m: Measurement) -> list[User]:
    """The head approved or returned a value: the person who entered it is told, and on a
    return the department's liaisons too (any of them may correct it). Returns who."""
    core_services.notices_done(task=key("review", m))
    recipients = {m.entered_by_id: m.entered_by} if m.entered_by_id else {}
    url = f"/plans/kpis/{m.kpi_id}/?year={roc_year(m.year)}"
    if m.status == Measurement.Status.APPROVED:
        subject = _("Approved: %(what)s") % {"what": value_named(m)}
        body, task = _("Approved by %(who)s.") % {"who": _name(m.decided_by)}, ""
    else:
        liaisons = User.objects.filter(
            is_active=True,
            department=m.kpi.goal.plan.department,
            role_assignments__role=Role.LIAISON,
        ).distinct()
        recipients.update({u.pk: u for u in liaisons})
        subject = _("Returned for correction: %(what)s") % {"what": value_named(m)}
        body = _("Returned by %(who)s: %(reason)s") % {
            "who": _name(m.decided_by),
            "reason": m.decision_note,
        }
        task = key("refile", m)
    people = [u for pk, u in sorted(recipients.items()) if pk != m.decided_by_id]
    core_services.notify(recipients=people, subject=subject, body=body, url=url, task=task)
    return people


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


def _number(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""
