"""Who reads (and attaches) the files of the security registers: the incident's readers
(`access.agency_q`), never by the department rule."""

from guankao.security import access


def incident_files(user, owner_ids: list[str]) -> list[str]:
    from guankao.security.models import Incident

    ids = [int(i) for i in owner_ids if i.isdigit()]
    rows = Incident.objects.filter(access.agency_q(user), pk__in=ids).values_list("pk", flat=True)
    return [str(pk) for pk in rows]
