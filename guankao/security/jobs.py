"""Periodic work of the security app: the incidents' statutory clock, the training reminders
and the silent SOC points."""

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import services as core_services
from guankao.core.jobs import insert_new, register
from guankao.core.models import Role, User
from guankao.security import clock
from guankao.security.models import ClockRule, Escalation, Incident

log = logging.getLogger("guankao.worker")


@register("security.incident_clock", every=dt.timedelta(minutes=5))
def incident_clock(now: dt.datetime) -> int:
    """Escalate each clock step found late to the CISO, once per incident, step and
    notification round: the Escalation row is the claim (INSERT … ON CONFLICT DO NOTHING),
    made in the transaction that sends the notice, so two workers or a rerun never send
    it twice. Returns the escalations made."""
    rule = ClockRule.current()
    rows = Incident.objects.exclude(status=Incident.Status.CLOSED).select_related(
        "agency__department"
    )
    late = [(i, step) for i in rows for step in clock.overdue(i, rule, now)]
    if not late:
        return 0
    cisos = list(
        User.objects.filter(is_active=True, role_assignments__role=Role.CISO)
        .distinct()
        .order_by("pk")
    )
    made = 0
    with transaction.atomic():
        claimed = insert_new(
            Escalation,
            ["incident_id", "step", "round", "at"],
            [(i.pk, step, i.round, now) for i, step in late],
            returning="id",
        )
        fresh = Escalation.objects.filter(pk__in=claimed).select_related(
            "incident__agency__department"
        )
        for esc in fresh:
            incident = esc.incident
            subject = _("Late: %(step)s of incident %(number)s (%(agency)s, level %(level)d)") % {
                "step": clock.LABELS[esc.step],
                "number": incident.number,
                "agency": incident.agency,
                "level": incident.level,
            }
            core_services.notify(
                recipients=cisos, subject=subject, url=f"/security/incidents/{incident.pk}/"
            )
            made += 1
    if made:
        log.info("security: %d incident step(s) escalated", made)
    return made


# The training reminders and the silent SOC points (their work is in jobs_secops.py).


@register("security.training_reminders", every=dt.timedelta(hours=6))
def training_reminders(now: dt.datetime) -> int:
    from guankao.security.jobs_secops import training_reminders as run

    return run(now)


@register("security.soc_silent_points", every=dt.timedelta(minutes=15))
def soc_silent_points(now: dt.datetime) -> int:
    from guankao.security.jobs_secops import silent_points as run

    return run(now)
