"""Periodic work: each app's jobs.py registers jobs here; `guankao worker` runs them.

Every job must be idempotent and claim its work atomically (a unique key, or a
conditional UPDATE), so that two workers, or a rerun, never do a thing twice.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.module_loading import autodiscover_modules

from guankao.core.models import NoticeSent

log = logging.getLogger("guankao.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[dt.datetime], int]  # returns how many things it did


_jobs: dict[str, Job] = {}


def register(name: str, *, every: dt.timedelta) -> Callable:
    def decorator(func):
        _jobs[name] = Job(name, every, func)
        return func

    return decorator


def all_jobs() -> list[Job]:
    autodiscover_modules("jobs")
    return sorted(_jobs.values(), key=lambda j: j.name)


def claim(key: str) -> bool:
    """True the first time any worker claims `key`; False ever after."""
    try:
        with transaction.atomic():
            NoticeSent.objects.create(key=key[:200])
        return True
    except IntegrityError:
        return False


def insert_new(model, columns: list[str], rows: list[tuple], returning: str) -> set:
    """Insert `rows` into `model`'s table, skipping those its unique constraints already
    hold, and return `returning` of the rows this call inserted: a batch of claims in one
    statement each 500 rows (INSERT … ON CONFLICT DO NOTHING RETURNING, on SQLite and
    PostgreSQL alike). Run inside the transaction that acts on the claims."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    claimed: set = set()
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
        sql = (
            f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608 - names from the model
            f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(returning)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in batch for value in row])
            claimed.update(row[0] for row in cursor.fetchall())
    return claimed


def run_once(now: dt.datetime, names: list[str] | None = None) -> dict[str, int]:
    done = {}
    for job in all_jobs():
        if names and job.name not in names:
            continue
        try:
            done[job.name] = job.run(now)
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", job.name)
            done[job.name] = -1
    return done


@register("core.sweep_orphan_files", every=dt.timedelta(hours=6))
def sweep_orphan_files(now: dt.datetime) -> int:
    from guankao.core.attachments import sweep_orphans  # the registry stays import-light

    return sweep_orphans()


@register("core.retry_email", every=dt.timedelta(minutes=1))
def retry_email(now: dt.datetime) -> int:
    """E-mail of notices that failed, or whose on-commit send never ran, again."""
    from guankao.core.notices import email_retry, outbound

    return email_retry(now) + outbound.retry(now)
