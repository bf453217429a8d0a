"""A case's files (附件): photos, PDF and ODF documents, through the core attachment service.

Only those who handle the case read its files (`access.handles`: the 管考 officer, the one
who filed it, the liaisons and heads of its lead and co-operating departments): not an
executive or a call-taker who reads a case without handling it, never another
department. A file out of reach is a 404, as the case is. The petitioner's photos are
stored without their metadata (a phone writes its GPS position into every photo), and
each download is written to the audit trail as a view of personal data: `register` tells
core so in AppConfig.ready.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guankao.core import attachments, validation
from guankao.core.errors import ServiceError
from guankao.core.models import Attachment, Department
from guankao.petitions import access
from guankao.petitions.models import OPEN_STATUSES, Case

OWNER = "petitions.case"
MAX_FILES = 5
ACCEPTED = frozenset({attachments.PDF, *attachments.IMAGE_FORMATS})


def readable_ids(user, owner_ids: list[str]) -> list[str]:
    """Those of `owner_ids` (case ids) whose files `user` may read: one query."""
    ids = [int(i) for i in owner_ids if str(i).isdigit() and 0 < int(i) < 2**63]
    rows = Case.objects.filter(access.handles_scope(user), pk__in=ids).values_list("pk", flat=True)
    return [str(pk) for pk in rows] if ids else []


def register() -> None:
    attachments.register_reader(OWNER, readable_ids, personal=True)


def _accepted(content_type: str) -> bool:
    return content_type in ACCEPTED or content_type.startswith(attachments.ODF_PREFIX)


def check(files, *, already: int = 0) -> list[attachments.Checked]:
    """Every file read and checked, nothing stored: a problem names the field `files` and
    the file."""
    files = list(files or [])
    if already + len(files) > MAX_FILES:
        message = _("at most %(n)d files per case (%(has)d already, %(more)d chosen)") % {
            "n": MAX_FILES,
            "has": already,
            "more": len(files),
        }
        raise ServiceError.field("files", message)
    checked = []
    for file in files:
        name = getattr(file, "name", "") or "—"
        try:
            one = attachments.attachment_check(file=file, owner_type=OWNER)
        except ServiceError as exc:
            problem = "; ".join(str(p.message) for p in exc.problems)
            raise ServiceError.field(
                "files", _("%(name)s: %(problem)s") % {"name": name, "problem": problem}
            ) from None
        if not _accepted(one.detected.content_type):
            raise ServiceError.field(
                "files",
                _(
                    "%(name)s: a case takes photos (JPEG, PNG, GIF, WebP), PDF and ODF "
                    "documents (.odt, .ods, .odp, .odg) only"
                )
                % {"name": name},
            )
        checked.append(one)
    return checked


def _department(case: Case) -> Department:
    """The lead department; before assignment, the receiving centre's (the filer's)."""
    return case.lead or case.created_by.department or case.category.department


def store(*, actor, case: Case, checked: list[attachments.Checked]) -> list[Attachment]:
    """Store files `check` passed (each upload is audited by the attachment service)."""
    department = _department(case)
    return [
        attachments.attachment_create(
            actor=actor, file=one, department=department, owner_type=OWNER, owner_id=case.pk
        )
        for one in checked
    ]


@transaction.atomic
def case_files_add(*, actor, case: Case, files) -> list[Attachment]:
    """A handler adds files to an open case (a liaison's site photo for the reply...)."""
    validation.require(access.handles(actor, case))
    case = Case.objects.select_for_update(of=("self",)).select_related("lead").get(pk=case.pk)
    if case.status not in OPEN_STATUSES:
        raise ServiceError.field("files", _("the case is closed"))
    if not files:
        raise ServiceError.field("files", _("is required: choose at least one file"))
    already = Attachment.objects.filter(owner_type=OWNER, owner_id=str(case.pk)).count()
    return store(actor=actor, case=case, checked=check(files, already=already))


def case_files_list(*, user, case: Case) -> QuerySet[Attachment]:
    """The case's files, oldest first, for those who handle it (NotAllowed for others)."""
    validation.require(access.handles(user, case))
    rows = attachments.attachments_for(actor=user, owner_type=OWNER, owner_id=case.pk)
    return rows.select_related("department")


@dataclass(frozen=True)
class FileStep:
    """A file's upload as a step of the case's timeline, beside the case's events."""

    at: dt.datetime
    actor: object
    department: Department | None
    note: str
    public: bool = False

    def get_kind_display(self) -> str:
        return _("File added")


def timeline(events, files) -> list:
    """The case's events and its files' uploads in the order they happened."""
    steps = [FileStep(f.uploaded_at, f.uploaded_by, f.department, f.original_name) for f in files]
    return sorted([*events, *steps], key=lambda step: step.at)
