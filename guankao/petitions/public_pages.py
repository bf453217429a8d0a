"""What the citizens' report pages (/report/, no sign-in) do beyond petitions.public: the
per-address limits, the photos, the e-mail with the follow-up code, the case as its
petitioner follows it, and the survey link on the follow-up page.

- Limits count rows of the audit trail, which every process shares and which already has
  the client's address (guankao.core.proxies, via the request context): the cases the
  system account filed from an address in the last hour, and the refused follow-up
  attempts from it (recorded as failed sign-ins to `petitions.tracking`: a case number and
  its code are what a citizen signs in with). An address over a limit is refused before
  anything is read or written, so a flood adds nothing to the trail.
- Photos are read and checked by content (core.attachments) before the case is filed, and
  stored re-encoded from their pixels: no EXIF, GPS position, XMP or comments from the
  phone; a refused photo leaves nothing behind. They are the case's files
  (`petitions.case`), uploaded in the name of the system account.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, audit, links
from guankao.core import services as core_services
from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry
from guankao.lib.roc import format_roc
from guankao.petitions import mail, public
from guankao.petitions.models import Case, Event, Reply, Rules, Survey

A = AuditEntry.Action
WINDOW = dt.timedelta(hours=1)
TRACKING = "petitions.tracking"
CASE_FILES = "petitions.case"
MAX_PHOTOS = 3
TRACK_URL = "/report/track/"


# Limits -------------------------------------------------------------------------------------


def _since():
    return timezone.now() - WINDOW


def filing_limited(ip: str | None) -> bool:
    """The address filed GUANKAO_REPORT_LIMIT_PER_HOUR reports in the last hour."""
    filed = AuditEntry.objects.filter(
        at__gte=_since(),
        ip=ip,
        action=A.CREATE,
        object_type="petitions.case",
        actor_name=public.SYSTEM_USERNAME,
    )
    return filed.count() >= settings.GUANKAO_REPORT_LIMIT_PER_HOUR


def tracking_limited(ip: str | None) -> bool:
    """The address gave GUANKAO_TRACK_FAILURE_LIMIT_PER_HOUR wrong numbers or codes."""
    failed = AuditEntry.objects.filter(
        at__gte=_since(), ip=ip, action=A.LOGIN_FAILED, object_type=TRACKING
    )
    return failed.count() >= settings.GUANKAO_TRACK_FAILURE_LIMIT_PER_HOUR


def tracking_failed(number: str) -> None:
    """A refused follow-up attempt, kept with the client's address (the request context)."""
    audit.record(
        actor=None,
        action=A.LOGIN_FAILED,
        object_type=TRACKING,
        object_repr=str(number or "")[:20],
        note="follow-up code refused",
    )


# Photos -------------------------------------------------------------------------------------


def photo_check(file) -> attachments.Checked:
    """Read and check one photo by its content, as a case file (core.attachments strips a
    personal record's photo of everything but its pixels: EXIF with the GPS position, XMP,
    comments); problems are raised on the field "file" (the page names its own field)."""
    checked = attachments.attachment_check(file=file, owner_type=CASE_FILES)
    if checked.detected.content_type not in attachments.IMAGE_FORMATS:
        raise ServiceError.field("file", _("is not a photo: choose a JPEG, PNG, GIF or WebP image"))
    return checked


def _store_photos(case: Case, photos: list, uploader) -> None:
    for photo in photos:
        attachments.attachment_create_public(
            file=photo,
            uploader=uploader,
            department=case.lead or case.category.department,
            owner_type=CASE_FILES,
            owner_id=case.pk,
        )


# Filing -------------------------------------------------------------------------------------


def _mail_code(case: Case, code: str, address: str) -> None:
    body = "\n\n".join(
        [
            _("Dear citizen,"),
            _("Thank you for your report (%(s)s). Your case number is %(n)s.")
            % {"s": case.category.name, "n": case.number},
            _(
                "Your follow-up code is %(c)s. Keep it: with the case number it shows "
                "how your case is going at %(u)s"
            )
            % {"c": code, "u": links.absolute(TRACK_URL)},
            _("The city replies by %(d)s.") % {"d": format_roc(case.due_date)},
        ]
    )
    core_services.mail_outside(
        address=address,
        subject=_("Your report %(n)s has been received") % {"n": case.number},
        body=body,
        url=TRACK_URL,
        about=f"petitions.case:{case.pk}",
    )


@transaction.atomic
def report_file(*, photos: list = (), **report) -> tuple[Case, str]:
    """File the report page's report (petitions.public, channel web), attach its photos
    (checked by `photo_check` beforehand) and e-mail the case number and follow-up code
    when an address was given. Returns the case and the code (shown once)."""
    if len(photos) > MAX_PHOTOS:
        raise ServiceError.field("photos", _("at most %(n)d photos") % {"n": MAX_PHOTOS})
    case, code = public.file_public_request(client=None, **report)
    if case.email:
        _mail_code(case, code, case.email)
    _store_photos(case, list(photos), public.system_user())
    return case, code


# Following a case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyOffer:
    url: str = ""
    replaces_mail: bool = False
    answered: bool = False
    closed_on: str = ""


@dataclass(frozen=True)
class Tracked:
    case: public.PublicCase
    status_label: str
    due: str
    received: str
    steps: list  # [(民國 date, what happened)]
    survey: SurveyOffer | None


def _steps(number: str) -> list[tuple[str, str]]:
    events = Event.objects.filter(case__number=number, public=True).order_by("at", "id")
    return [
        (format_roc(timezone.localdate(e.at)), str(Event.Kind(e.kind).label))
        for e in events
        if e.kind in Event.Kind.values
    ]


@transaction.atomic
def _survey(number: str) -> SurveyOffer | None:
    """The satisfaction survey of a replied case for the one who followed it with its code:
    a fresh link (the survey's earlier link, e-mailed with the reply, stops working), or
    that it was answered, or the day it closed."""
    case = Case.objects.select_for_update(of=("self",)).filter(number=number).first()
    if case is None or case.status != Case.Status.REPLIED:
        return None
    reply = case.replies.filter(state=Reply.State.SENT).order_by("-sent_at", "-pk").first()
    if reply is None:
        return None
    survey = Survey.objects.filter(case=case, reply=reply).order_by("-sent_at", "-pk").first()
    if survey is not None and survey.answered_at is not None:
        return SurveyOffer(answered=True)
    sent = reply.sent_at or timezone.now()
    expires = survey.expires_at if survey else sent + dt.timedelta(days=Rules.current().survey_days)
    if timezone.now() > expires:
        return SurveyOffer(closed_on=format_roc(timezone.localdate(expires)))
    token = secrets.token_urlsafe(24)
    digest = hashlib.sha256(token.encode()).hexdigest()
    if survey is not None:
        survey.token_hash = digest
        survey.save(update_fields=["token_hash"])
    else:
        Survey.objects.create(
            case=case, reply=reply, token_hash=digest, sent_at=timezone.now(), expires_at=expires
        )
    return SurveyOffer(url=mail.survey_url(token), replaces_mail=survey is not None)


def case_track(*, number: str, code: str) -> Tracked:
    """The citizen's case by its number and follow-up code (NotFound, the same whatever was
    wrong: the caller records the failure and keeps the address's count)."""
    seen = public.public_case_get(number, code)
    due = seen.expected.date() if seen.expected else None
    return Tracked(
        case=seen,
        status_label=str(Case.Status(seen.case_status).label),
        due=format_roc(due) if due else "",
        received=format_roc(timezone.localdate(seen.requested)),
        steps=_steps(seen.number),
        survey=_survey(seen.number),
    )
