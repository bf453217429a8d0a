"""The security app's periodic work, run by `guankao worker`."""

import datetime as dt

from guankao.core.jobs import register

# secops: training reminders and silent SOC points --------------------------------------


@register("security.training_reminders", every=dt.timedelta(hours=6))
def training_reminders(now: dt.datetime) -> int:
    from guankao.security.jobs_secops import training_reminders as run

    return run(now)


@register("security.soc_silent_points", every=dt.timedelta(minutes=15))
def soc_silent_points(now: dt.datetime) -> int:
    from guankao.security.jobs_secops import silent_points as run

    return run(now)
