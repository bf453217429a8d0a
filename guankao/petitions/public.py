"""The citizens' side of petitions: filing a report online (Open311 apps and the report
page) and the public view of street problems (Open311 GET requests, the public map, the
follow-up page).

A report becomes a real case through the filing service, on the Open311 or web channel,
with the category's deadline, in the name of the system's own account (no one signs in).
The citizen gets the case number and a follow-up code, once; only its hash is kept.

What the public sees of a case never carries a petitioner's name, phone, e-mail or contact
address, nor a confidential case, nor what the handlers wrote for themselves: the
description is the public summary (phone numbers, e-mails and ID numbers masked), the
notes are the reply's public part.
"""

import datetime as dt
import functools
import hmac
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import NotFound, ServiceError
from guankao.core.models import User
from guankao.lib import w3c
from guankao.lib.masking import mask_email, mask_name, mask_phone
from guankao.petitions import services
from guankao.petitions.models import (
    OPEN_STATUSES,
    Case,
    Category,
    Channel,
    ClientApp,
    PublicRequest,
    Reply,
    ServiceAttribute,
)

SYSTEM_USERNAME = "open311"
DESCRIPTION_MAX = 4000
WINDOW_DAYS = 90
LIMIT = 1000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 10

# Masking of free text: a Taiwanese phone (0 or +886 and 8–9 more digits, with the usual
# separators), an e-mail address, a national ID or resident certificate number.
_PHONE = re.compile(r"(?<![\d])(?:\+886|0)(?:[\s\-()]{0,2}\d){7,9}(?:\s?#\d{1,6})?(?![\d])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_NATIONAL_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][1289A-Da-d]\d{8}(?![0-9])")


def mask_text(text: str, name: str = "") -> str:
    """`text` with phone numbers, e-mails and ID numbers masked (and `name`, the
    petitioner's, where it appears)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text or "")
    text = _NATIONAL_ID.sub(lambda m: m.group(0)[0] + "*" * 9, text)
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    if name and len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def system_user() -> User:
    """The account online reports are filed in the name of: inactive, no password, no role,
    so no one signs in with it; created the first time it is needed."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "display_name": "網路陳情（系統）",
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


# Field checks -------------------------------------------------------------------------------


def public_category(code) -> Category:
    """A category citizens may file online, by its code (Open311's service_code)."""
    if isinstance(code, Category):
        if hasattr(code, "asks_questions"):  # this function's own answer: checked already
            return code
        code = code.code
    code = validation.text("service_code", code, 40)
    asks = ServiceAttribute.objects.filter(category=OuterRef("pk"), variable=True)
    category = (
        Category.objects.filter(code=code, public=True, active=True, department__isnull=False)
        .select_related("department")
        .annotate(asks_questions=Exists(asks))
        .first()
    )
    if category is None:
        raise ServiceError.field("service_code", _("is not a service citizens may report"))
    return category


def _coordinates(lat, long) -> tuple[Decimal | None, Decimal | None]:
    latitude = validation.coordinate("lat", lat, 90)
    longitude = validation.coordinate("long", long, 180)
    if (latitude is None) != (longitude is None):
        field = "long" if longitude is None else "lat"
        raise ServiceError.field(field, _("is required with the other coordinate"))
    if latitude is None:
        return None, None
    west, south, east, north = settings.GUANKAO_CITY_BBOX
    if not (south <= latitude <= north and west <= longitude <= east):
        field = "lat" if not south <= latitude <= north else "long"
        raise ServiceError.field(
            field,
            _("is outside the city (%(w)s to %(e)s east, %(s)s to %(n)s north)")
            % {"w": west, "e": east, "s": south, "n": north},
        )
    return latitude, longitude


def _number(field: str, value) -> str:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or abs(number) >= 10**12:
        raise ServiceError.field(field, _("must be a number"))
    return str(number)


def _answer(attribute: ServiceAttribute, value):
    field = f"attribute[{attribute.code}]"
    D = ServiceAttribute.Datatype
    if attribute.datatype == D.MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        keys = {str(v["key"]) for v in attribute.values}
        chosen = [validation.text(field, v, 100) for v in values if v not in (None, "")]
        wrong = [v for v in chosen if v not in keys]
        if wrong:
            raise ServiceError.field(field, _("%(v)s is not one of the choices") % {"v": wrong[0]})
        return sorted(set(chosen), key=chosen.index)
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ServiceError.field(field, _("takes one answer"))
        value = value[0]
    if attribute.datatype == D.TEXT:
        return validation.text(field, value, 2000, required=False, multiline=True)
    text = validation.text(field, value, 200, required=False)
    if not text:
        return ""
    if attribute.datatype == D.NUMBER:
        return _number(field, text)
    if attribute.datatype == D.DATETIME:
        try:
            return w3c.format(w3c.parse(text))
        except w3c.W3CFormatError:
            raise ServiceError.field(
                field, _("must be a date and time such as 2026-12-03T08:15:30+08:00")
            ) from None
    if attribute.datatype == D.SINGLE and text not in {str(v["key"]) for v in attribute.values}:
        raise ServiceError.field(field, _("%(v)s is not one of the choices") % {"v": text})
    return text


def answers(category: Category, given: dict | None) -> dict:
    """The category's questions answered: an unknown code or a missing required answer is
    refused, naming `attribute[code]`."""
    given = dict(given or {})
    questions = {}
    if getattr(category, "asks_questions", True):  # known when it came from public_category
        questions = {a.code: a for a in category.attributes.filter(variable=True)}
    for code in given:
        if code not in questions:
            raise ServiceError.field(f"attribute[{code}]", _("is not a question of this service"))
    out = {}
    for code, attribute in questions.items():
        value = _answer(attribute, given.get(code))
        if value in ("", []):
            if attribute.required:
                raise ServiceError.field(f"attribute[{code}]", _("is required"))
            continue
        out[code] = value
    return out


def _media_url(value) -> str:
    url = validation.text("media_url", value, 500, required=False)
    if url and (not url.startswith(("https://", "http://")) or " " in url):
        raise ServiceError.field("media_url", _("must be an http(s) address"))
    return url


def _name(first, last) -> str:
    first = validation.text("first_name", first, 50, required=False)
    last = validation.text("last_name", last, 50, required=False)
    if first.isascii() and last.isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"  # 王 + 小明


def _subject(category: Category, summary: str) -> str:
    line = summary.strip().splitlines()[0] if summary.strip() else category.name
    return line if len(line) <= 60 else line[:59] + "…"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# Filing -------------------------------------------------------------------------------------


def report_check(
    *,
    client: ClientApp | None,
    category,
    description: str,
    lat=None,
    long=None,
    address: str = "",
    address_id: str = "",
    zipcode: str = "",
    attributes: dict | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    media_url: str = "",
    device_id: str = "",
    account_id: str = "",
) -> dict:
    """A citizen's report checked as filing checks it, writing nothing: the fields to file
    (`report_file`), as JSON-ready values. Every refusal names the Open311 parameter.

    A place is required: `lat` and `long` inside the city, or an `address`, or an
    `address_id`."""
    if client is not None and not client.active:
        raise ServiceError.field("api_key", _("this app's key has been revoked"))
    category = public_category(category)
    description = validation.text("description", description, DESCRIPTION_MAX, multiline=True)
    latitude, longitude = _coordinates(lat, long)
    address = validation.text("address_string", address, 200, required=False)
    address_id = validation.text("address_id", address_id, 100, required=False)
    if latitude is None and not address and not address_id:
        raise ServiceError.field(
            "lat", _("a place is required: lat and long, address_string or address_id")
        )
    zipcode = validation.text("zipcode", zipcode, 10, required=False)
    answered = answers(category, attributes)
    name = _name(first_name, last_name)
    contact = services.petitioner_check({"name": name, "phone": phone, "email": email})
    return {
        "category": category.code,
        "description": description,
        "lat": None if latitude is None else str(latitude),
        "long": None if longitude is None else str(longitude),
        "address": address,
        "address_id": address_id,
        "zipcode": zipcode,
        "attributes": answered,
        "name": contact["name"],
        "email": contact["email"],
        "phone": contact["phone"],
        "media_url": _media_url(media_url),
        "device_id": validation.text("device_id", device_id, 100, required=False),
        "account_id": validation.text("account_id", account_id, 100, required=False),
    }


def file_public_request(
    *,
    client: ClientApp | None,
    channel: str | None = None,
    received_at: dt.datetime | None = None,
    **report,
) -> tuple[Case, str]:
    """File a citizen's report as a case; returns the case and its follow-up code (shown to
    the citizen once). `client` is the Open311 app (None for the report page, channel web);
    `report` the fields of `report_check`. Nothing is stored on a refusal. Photos are
    attached afterwards by the caller through core.attachments.

    The case number is taken first, once the report is checked, in a transaction of its
    own (`services.number_reserve`): apps file side by side instead of queueing on the
    day's counter for the whole filing. Should the filing still fail, the number is
    recorded as not used (`services.number_void`)."""
    category = public_category(report.pop("category", None))
    checked = report_check(client=client, category=category, **report)
    received = received_at or timezone.now()
    number = services.number_reserve(received)
    code = new_code()
    try:
        with transaction.atomic():
            case = report_file(
                checked,
                client=client,
                channel=channel,
                received_at=received,
                code=code,
                category=category,
                number=number,
            )
    except Exception as exc:
        services.number_void(number, exc)
        raise
    return case, code


def report_file(
    checked: dict,
    *,
    client: ClientApp | None,
    code: str,
    channel: str | None = None,
    received_at: dt.datetime | None = None,
    token: str = "",
    category: Category | None = None,
    number: str | None = None,
) -> Case:
    """File a report `report_check` passed, inside the caller's transaction: the case (in
    the system account's name, with the category's deadline) and its online extras."""
    channel = channel or (Channel.OPEN311 if client is not None else Channel.WEB)
    if channel not in (Channel.OPEN311, Channel.WEB):
        raise ServiceError.field("channel", _("is not an online channel"))
    category = category or public_category(checked["category"])
    name, description = checked["name"], checked["description"]
    summary = mask_text(description, name)
    case = services.case_file_checked(
        actor=system_user(),
        kind=Case.Kind.PETITION,
        channel=channel,
        subject=_subject(category, summary),
        text=description,
        category=category,
        received_at=received_at,
        anonymous=not name,
        name=name,
        email=checked["email"],
        phone=checked["phone"],
        location=checked["address"],
        latitude=checked["lat"],
        longitude=checked["long"],
        number=number,
    )
    PublicRequest.objects.create(
        case=case,
        code_digest=PublicRequest.digest_of(case.number, code),
        token=token or secrets.token_hex(16),
        summary=summary,
        client=client,
        address_id=checked["address_id"],
        zipcode=checked["zipcode"],
        attributes=checked["attributes"],
        media_url=checked["media_url"],
        device_id=checked["device_id"],
        account_id=checked["account_id"],
    )
    return case


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCase:
    """A case as the public sees it (Open311's service request)."""

    number: str
    status: str  # "open" or "closed"
    case_status: str  # the case's own status, for the follow-up page
    status_notes: str
    service_code: str
    service_name: str
    description: str
    agency_responsible: str
    requested: dt.datetime
    updated: dt.datetime
    expected: dt.datetime | None
    address: str
    address_id: str
    zipcode: str
    lat: Decimal | None
    long: Decimal | None
    media_url: str
    token: str
    attributes: dict


# What a public view reads: values, not model instances (a thousand rows of four joined
# models cost more to build than to fetch).
FIELDS = {
    "number": "number",
    "status": "status",
    "rule_173": "rule_173",
    "received_at": "received_at",
    "updated_at": "updated_at",
    "closed_at": "closed_at",
    "due_date": "due_date",
    "location": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "text": "text",
    "name": "name",
    "service_code": "category__code",
    "service_name": "category__name",
    "agency": "lead__name",
    "merged_number": "merged_into__number",
    "summary": "public_request__summary",
    "media_url": "public_request__media_url",
    "address_id": "public_request__address_id",
    "zipcode": "public_request__zipcode",
    "token": "public_request__token",
    "attributes": "public_request__attributes",
}


def _with_notes(rows: QuerySet[Case]) -> QuerySet:
    """The rows a public view is made of, one query: FIELDS, and the last sent reply's
    public part as `reply_notes`."""
    notes = (
        Reply.objects.filter(case=OuterRef("pk"), state=Reply.State.SENT)
        .order_by("-sent_at", "-pk")
        .values("public_text")[:1]
    )
    same = [name for name, path in FIELDS.items() if name == path]
    joined = {name: F(path) for name, path in FIELDS.items() if name != path}
    return rows.annotate(reply_notes=Subquery(notes)).values("reply_notes", *same, **joined)


@functools.cache
def _public_rows() -> QuerySet:
    rows = Case.objects.filter(confidential=False, category__public=True)
    rows = rows.exclude(kind=Case.Kind.CONSULTATION).order_by("-received_at", "-pk")
    return _with_notes(rows)


def _rows() -> QuerySet:
    """The public view's rows, newest first (a fresh copy of a query built once per
    process: building it costs more than running it for one case)."""
    return _public_rows().all()


def _notes(row: dict) -> str:
    if row["status"] == Case.Status.NOT_PROCESSED:
        return str(Case.Rule173(row["rule_173"]).label) if row["rule_173"] else ""
    if row["status"] == Case.Status.MERGED and row["merged_number"]:
        return _("Merged into case %(n)s.") % {"n": row["merged_number"]}
    return row["reply_notes"] or ""


def _expected(due: dt.date | None) -> dt.datetime | None:
    if due is None:
        return None
    return dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=w3c.TAIPEI)


def public_view(row: dict) -> PublicCase:
    """A row of `_rows()` as the public sees it: the online report's summary, or for a
    case filed by the staff its text masked."""
    online = row["token"] is not None
    moments = (row["received_at"], row["updated_at"], row["closed_at"])
    return PublicCase(
        number=row["number"],
        status="open" if row["status"] in OPEN_STATUSES else "closed",
        case_status=row["status"],
        status_notes=_notes(row),
        service_code=row["service_code"],
        service_name=row["service_name"],
        description=row["summary"] if online else mask_text(row["text"], row["name"]),
        agency_responsible=row["agency"] or "",
        requested=row["received_at"],
        updated=max(t for t in moments if t),
        expected=_expected(row["due_date"]),
        address=row["location"],
        address_id=row["address_id"] or "",
        zipcode=row["zipcode"] or "",
        lat=row["latitude"],
        long=row["longitude"],
        media_url=row["media_url"] or "",
        token=row["token"] or "",
        attributes=row["attributes"] or {},
    )


def public_case_get(number: str, code: str) -> PublicCase:
    """The citizen's own case by its number and follow-up code. NotFound, the same whatever
    was wrong (no such case, no code, the wrong code); the caller rate-limits attempts."""
    number = str(number or "").strip()[:20]
    code = str(code or "").strip().upper().replace("-", "").replace(" ", "")[:40]
    rows = _with_notes(Case.objects.filter(number=number))
    row = rows.annotate(code_digest=F("public_request__code_digest")).first()
    given = PublicRequest.digest_of(number, code)
    if row is None or not hmac.compare_digest(row["code_digest"] or "", given):
        raise NotFound()
    return public_view(row)


def public_request_get(number: str) -> PublicCase:
    """One case of the public view by its number (Open311 requests/{id}); NotFound for a
    case the public may not see."""
    case = _rows().filter(number=str(number or "").strip()[:20]).first()
    if case is None:
        raise NotFound()
    return public_view(case)


def public_cases(filters: dict | None = None) -> list[PublicCase]:
    """The public view of street problems, newest first, at most LIMIT (1,000).

    filters: `numbers` (a list: those cases only, every other filter ignored, as Open311
    says), `service_codes` (a list), `status` ("open" or "closed"), `start` and `end`
    (aware datetimes on the time of receipt; by default the last 90 days, and never a
    span longer than that: ServiceError names start_date or end_date)."""
    filters = filters or {}
    rows = _rows()
    if filters.get("numbers"):
        numbers = [str(n).strip()[:20] for n in filters["numbers"]][:LIMIT]
        return [public_view(c) for c in rows.filter(number__in=numbers)[:LIMIT]]
    start, end = filters.get("start"), filters.get("end")
    if start and end and end < start:
        raise ServiceError.field("end_date", _("is before start_date"))
    window = dt.timedelta(days=WINDOW_DAYS)
    if start and end and end - start > window:
        raise ServiceError.field("end_date", _("may be at most 90 days after start_date"))
    if end is None:
        end = start + window if start else None
    if start is None:
        start = (end or timezone.now()) - window
    rows = rows.filter(received_at__gte=start)
    if end is not None:
        rows = rows.filter(received_at__lte=end)
    if filters.get("service_codes"):
        rows = rows.filter(category__code__in=list(filters["service_codes"]))
    status = filters.get("status")
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        rows = rows.filter(~Q(status__in=OPEN_STATUSES))
    elif status:
        raise ServiceError.field("status", _("must be open or closed"))
    return [public_view(c) for c in rows[:LIMIT]]
