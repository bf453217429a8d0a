"""The worker's security jobs, training and SOC part (registered by security/jobs.py).

- Training reminders: in the year's last quarter, once a month, each person still short of
  a requirement gets one notice (claimed by a NoticeSent key per person and month, so two
  workers or a rerun never send it twice).
- Silent SOC points: a point in service that has not reported for 24 hours raises one
  notice to its agency's security officers (the CISO if it has none); the claim is a
  conditional UPDATE of the point's `silent_noticed_at`, which its next report clears.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core.jobs import insert_new
from guankao.core.models import NoticeSent, Role, User
from guankao.core.services import notify
from guankao.security import access, coverage
from guankao.security.models import Agency, SocPoint
from guankao.security.selectors_secops import silent_q

REMIND_FROM_MONTH = 10  # the last quarter


def training_reminders(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    if today.month < REMIND_FROM_MONTH:
        return 0
    rows = [r for r in coverage.shortfalls(today.year, as_of=today) if r["owed"]]
    keys = {f"security.training:{today.year}:{today.month}:{r['person'].pk}": r for r in rows}
    sent = 0
    with transaction.atomic():
        claimed = insert_new(
            NoticeSent, ["key", "sent_at"], [(k, now) for k in keys], returning="key"
        )
        groups = defaultdict(list)
        for key in claimed:
            row = keys[key]
            owed = "；".join(
                _("%(kind)s %(h)s hours short")
                % {"kind": o["rule"].get_kind_display(), "h": o["short"]}
                for o in row["owed"]
            )
            groups[owed].append(row["person"])
        for owed, people in groups.items():
            notify(
                recipients=people,
                subject=_("Security training: hours still owed this year"),
                body=_(
                    "By the training requirements you still owe: %(o)s. "
                    "Please take the courses before the year ends."
                )
                % {"o": owed},
                url="/security/training/",
            )
            sent += len(people)
    return sent


def _officers(agency: Agency, agencies: list[Agency]) -> list[User]:
    people = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.SECURITY,
        department__path__startswith=agency.department.path,
    ).select_related("department")
    mine = [p for p in people if access.agency_for_path(p.department.path, agencies) == agency]
    if mine:
        return mine
    return list(User.objects.filter(is_active=True, role_assignments__role=Role.CISO).distinct())


def silent_points(now: dt.datetime) -> int:
    agencies = list(Agency.objects.select_related("department"))
    sent = 0
    for point in SocPoint.objects.filter(silent_q(now), silent_noticed_at=None).select_related(
        "agency__department"
    ):
        with transaction.atomic():
            claimed = SocPoint.objects.filter(pk=point.pk, silent_noticed_at=None).update(
                silent_noticed_at=now
            )
            if not claimed:
                continue
            last = (
                timezone.localtime(point.last_seen_at).strftime("%Y-%m-%d %H:%M")
                if point.last_seen_at
                else _("never")
            )
            notify(
                recipients=_officers(point.agency, agencies),
                subject=_("SOC point silent: %(n)s") % {"n": point.name},
                body=_(
                    "The SOC monitoring point %(n)s (%(s)s) has not reported for 24 hours; "
                    "last report: %(t)s."
                )
                % {"n": point.name, "s": point.site, "t": last},
                url="/security/soc/?silent=on",
            )
            sent += 1
    return sent
