"""Who reads (and attaches) the files of the security registers: the readers of the record
they belong to (`access.agency_q` on its agency), never by the department rule."""

from guankao.security import access


def _ids(owner_ids: list[str]) -> list[int]:
    return [int(i) for i in owner_ids if i.isdigit() and len(i) < 19]


def incident_files(user, owner_ids: list[str]) -> list[str]:
    from guankao.security.models import Incident

    rows = Incident.objects.filter(access.agency_q(user), pk__in=_ids(owner_ids))
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def audit_files(user, owner_ids: list[str]) -> list[str]:
    from guankao.security.models import Audit

    rows = Audit.objects.filter(access.agency_q(user), pk__in=_ids(owner_ids))
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def finding_files(user, owner_ids: list[str]) -> list[str]:
    from guankao.security.models import Finding

    rows = Finding.objects.filter(access.agency_q(user, "audit__agency"), pk__in=_ids(owner_ids))
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def register() -> None:
    from guankao.core.attachments import register_reader

    register_reader("security.incident", incident_files)
    register_reader("security.audit", audit_files)
    register_reader("security.finding", finding_files)
