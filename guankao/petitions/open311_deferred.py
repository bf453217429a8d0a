"""Open311's deferred reports (GeoReport v2 `token`), on with GUANKAO_OPEN311_DEFERRED.

POST requests checks a report in full (`public.report_check`: the category, the place,
the questions, the contact details, as filing checks them) and keeps it in one INSERT;
the app gets a `token` and the citizen the follow-up code at once. `guankao worker` files
each waiting report as a case (`file_waiting`, the job petitions.open311_file) with the
moment it was received, so its deadline is the one an immediate filing would have given;
`GET tokens/{token}` gives the case number from then on.

Filing claims a report by deleting its row in the transaction that files it: a second
worker that picked the same row deletes nothing and files nothing (PostgreSQL's row lock,
SQLite's write lock), and a filing that fails leaves the row as it was. A report that can
no longer be filed (its category closed meanwhile) keeps its reason on the row.
"""

import logging
import secrets

from django.db import transaction
from django.utils import timezone

from guankao.core.errors import NotFound, ServiceError
from guankao.petitions import public
from guankao.petitions.models import Channel, ClientApp, DeferredRequest, PublicRequest

log = logging.getLogger("guankao.worker")
BATCH = 500  # reports a job run files at most; the next run files the rest


def request_accept(*, client: ClientApp, **report) -> tuple[DeferredRequest, str]:
    """Check the report and keep it to be filed: the waiting row and the follow-up code."""
    checked = public.report_check(client=client, **report)
    code = public.new_code()
    waiting = DeferredRequest.objects.create(
        token=secrets.token_hex(16),
        client=client,
        received_at=timezone.now(),
        report=checked | {"code": code},
    )
    return waiting, code


def token_status(token: str) -> tuple[str | None, str]:
    """(the case number or None while it waits, the token); NotFound for an unknown token
    or a report that could not be filed."""
    token = str(token or "").strip()[:40]
    filed = PublicRequest.objects.filter(token=token, case__confidential=False)
    number = filed.values_list("case__number", flat=True).first()
    if number is not None:
        return number, token
    if DeferredRequest.objects.filter(token=token, failed_at=None).exists():
        return None, token
    raise NotFound()


def _file_one(pk: int) -> str | None:
    """File one waiting report; its case number, or None when another worker had it."""
    waiting = DeferredRequest.objects.select_related("client").filter(pk=pk).first()
    if waiting is None:
        return None
    with transaction.atomic():
        if not DeferredRequest.objects.filter(pk=pk, failed_at=None).delete()[0]:
            return None  # claimed by another worker meanwhile
        report = dict(waiting.report)
        code = report.pop("code")
        case = public.report_file(
            report,
            client=waiting.client,
            code=code,
            channel=Channel.OPEN311,
            received_at=waiting.received_at,
            token=waiting.token,
        )
    return case.number


def file_waiting(*, limit: int = BATCH) -> int:
    """File the waiting reports, oldest first: how many became cases."""
    waiting = DeferredRequest.objects.filter(failed_at=None).order_by("pk")
    pks = list(waiting.values_list("pk", flat=True)[:limit])
    filed = 0
    for pk in pks:
        try:
            filed += _file_one(pk) is not None
        except ServiceError as exc:
            reason = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)[:300]
            DeferredRequest.objects.filter(pk=pk).update(failed_at=timezone.now(), failure=reason)
            log.warning("Open311 report %s not filed: %s", pk, reason)
    return filed
