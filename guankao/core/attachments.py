"""The one way in for uploaded files: evidence, photos and imports.

The type is decided from the content, never from the name or the browser's claim:
PDF, PNG, JPEG, GIF, WebP, ODF and OOXML (docx, xlsx) documents, and UTF-8 or Big5
text. Everything else is refused, in particular programs, HTML and SVG (both can
carry script) and zip bombs. Images must decode and get a re-encoded thumbnail
without metadata (no EXIF GPS). The original is stored unchanged, as evidence, except
for the records of an app that declares its files personal (see `register_reader`).

Files are stored through Django's default storage under a random name and are only
served by views that ask `attachment_get_for_download` first. Who may read them is the
department rule, unless the app owning the record registered its own reader.
"""

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import access, audit
from guankao.core.attachment_images import (  # noqa: F401 - the image names stay importable here
    GIF,
    IMAGE_FORMATS,
    JPEG,
    MAX_IMAGE_PIXELS,
    PNG,
    THUMBNAIL_SIZE,
    WEBP,
    make_thumbnail,
    strip_metadata,
)
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import Attachment, AuditEntry, Department
from guankao.core.tabular import decode_text

PDF = "application/pdf"
ODF_PREFIX = "application/vnd.oasis.opendocument."
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TEXT = "text/plain"

# The file name extensions that agree with each type; the first is the one used when
# the uploaded name has none of them (a PDF called "x.html" downloads as "x.html.pdf").
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    GIF: (".gif",),
    WEBP: (".webp",),
    ODF_PREFIX + "text": (".odt",),
    ODF_PREFIX + "spreadsheet": (".ods",),
    ODF_PREFIX + "presentation": (".odp",),
    ODF_PREFIX + "graphics": (".odg",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    CSV: (".csv",),
    TEXT: (".txt", ".text", ".tsv", ".log", ".md"),
}
INLINE_TYPES = frozenset({PDF, *IMAGE_FORMATS})

# A zip-based document may unpack to this many times the upload limit, no more
# (the same bound as the table reader's); the sizes checked are the declared ones,
# which zipfile also enforces when a member is read.
MAX_INFLATION = 20
MAX_ZIP_MEMBERS = 10_000
MAX_NAME_LENGTH = 255
OWNER_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
MARKUP_RE = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b", re.IGNORECASE
)
# Text may hold tabs, line ends and form feeds; other control characters mean binary.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What zipfile raises on a damaged archive: RuntimeError is an encrypted member,
# NotImplementedError a compression method it does not support.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
)
# Control, format (direction overrides) and lone surrogate characters. Private-use
# characters stay: Taiwanese offices use them for 造字 in people's and places' names.
NAME_DROP_CATEGORIES = {"Cc", "Cf", "Cs"}

AUDIT_FIELDS = [
    "original_name",
    "content_type",
    "size",
    "sha256",
    "department",
    "owner_type",
    "owner_id",
]
A = AuditEntry.Action


@dataclass
class Detected:
    content_type: str
    charset: str = ""

    @property
    def served_type(self) -> str:
        return f"{self.content_type}; charset={self.charset}" if self.charset else self.content_type


def _reject(message) -> ServiceError:
    return ServiceError.field("file", message)


def _not_accepted() -> ServiceError:
    return _reject(
        _(
            "is not an accepted file type: upload a PDF, an image (PNG, JPEG, GIF, WebP), "
            "an ODF or Word/Excel document (.odt, .ods, .docx, .xlsx) or a CSV/text file"
        )
    )


# Names ------------------------------------------------------------------------------------


def clean_name(name) -> str:
    """The last part of the uploaded name, without control or direction-override characters.

    Invisible format characters (U+202E RIGHT-TO-LEFT OVERRIDE...) can make
    "evidence‮fdp.exe" look like "evidenceexe.pdf", so they go.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in NAME_DROP_CATEGORIES)
    name = name.strip().strip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        raise _reject(
            _("has a name that is too long (at most %(n)d characters)") % {"n": MAX_NAME_LENGTH}
        )
    return name


def base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip()


def download_name(attachment: Attachment) -> str:
    """The original name, with an extension added if it disagrees with the detected type.

    Saved to disk as "x.html", a PDF that is also valid HTML would open in a browser
    as a page; as "x.html.pdf" it opens as what it was checked to be.
    """
    name = attachment.original_name or "attachment"
    extensions = EXTENSIONS.get(base_type(attachment.content_type), ())
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]
    return name


# Detection --------------------------------------------------------------------------------


def _read_limited(file) -> bytes:
    limit = settings.GUANKAO_MAX_UPLOAD_BYTES
    too_large = _reject(_("is too large (at most %(limit)s)") % {"limit": filesizeformat(limit)})
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise too_large
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise _reject(_("is empty"))
    return data


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:
        raise _not_accepted()
    return archive.read(info)


def _detect_zip(data: bytes) -> Detected:
    """An ODF (by its `mimetype` member) or an OOXML docx/xlsx; any other zip is refused."""
    limit = settings.GUANKAO_MAX_UPLOAD_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _reject(_("is an archive with too many members"))
            if sum(m.file_size for m in members) > MAX_INFLATION * limit:
                raise _reject(
                    _("is a compressed file that unpacks to more than %(limit)s")
                    % {"limit": filesizeformat(MAX_INFLATION * limit)}
                )
            names = {m.filename for m in members}
            if members and members[0].filename == "mimetype":
                return _detect_odf(_zip_member(archive, members[0], 200), names)
            if "[Content_Types].xml" in names:
                types = _zip_member(archive, archive.getinfo("[Content_Types].xml"), limit)
                return _detect_ooxml(types, names)
    except ZIP_ERRORS:
        raise _reject(_("is a damaged zip-based document")) from None
    raise _reject(_("is a zip archive that is not an ODF or Word/Excel (docx, xlsx) document"))


def _detect_odf(mimetype: bytes, names: set[str]) -> Detected:
    value = mimetype.decode("ascii", "replace").strip()
    if value not in EXTENSIONS or not value.startswith(ODF_PREFIX):
        raise _reject(
            _("is an ODF file of a kind that is not accepted (%(kind)s)") % {"kind": value[:80]}
        )
    if "META-INF/manifest.xml" not in names:
        raise _reject(_("is a damaged ODF document (it has no manifest)"))
    return Detected(value)


def _detect_ooxml(types: bytes, names: set[str]) -> Detected:
    lowered = {n.lower() for n in names}
    if b"macroEnabled" in types or any(n.endswith("vbaproject.bin") for n in lowered):
        raise _reject(
            _("contains macros, which are not accepted: save it as .docx or .xlsx without macros")
        )
    if "word/document.xml" in names:
        return Detected(DOCX)
    if "xl/workbook.xml" in names:
        return Detected(XLSX)
    raise _reject(_("is an Office document other than Word (.docx) or Excel (.xlsx)"))


def _detect_text(data: bytes, name: str) -> Detected:
    head = data[:4096]
    if MARKUP_RE.search(head) or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _reject(
            _(
                "is a web page or SVG/XML markup, which cannot be uploaded "
                "because it can carry scripts"
            )
        )
    if b"\x00" in data:
        raise _not_accepted()
    text = decode_text(data)
    if CONTROL_RE.search(text):
        raise _not_accepted()
    try:
        data.decode("utf-8-sig")
        charset = "utf-8"
    except UnicodeDecodeError:
        charset = "big5"
    kind = CSV if name.lower().endswith(EXTENSIONS[CSV]) else TEXT
    return Detected(kind, charset)


def detect(data: bytes, name: str) -> Detected:
    """The type of `data` by its content. `name` only tells CSV from other plain text."""
    if data.startswith(b"%PDF-"):
        return Detected(PDF)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return Detected(JPEG)
    if data.startswith((b"GIF87a", b"GIF89a")):
        return Detected(GIF)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return Detected(WEBP)
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    if data.startswith(EXECUTABLE_MAGIC) or data.startswith(b"#!"):
        raise _reject(_("is a program or script, which cannot be uploaded"))
    return _detect_text(data, name)


# Who reads which files --------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    readable: Callable[[object, list[str]], Collection[str]]
    personal: bool


_readers: dict[str, Reader] = {}


def register_reader(
    owner_type: str, readable: Callable[[object, list[str]], Collection[str]], *, personal=False
) -> None:
    """Let the app owning `owner_type` say who may read the files of its records, in place
    of the department rule (core never imports the app: it calls this from its
    AppConfig.ready).

    `readable(user, owner_ids)` returns those of `owner_ids` (strings) whose files the
    active user `user` may read, in a fixed number of queries. It also decides who may
    attach files (the app's service checks first who may change the record).
    `personal=True` says the files carry a citizen's personal data: images are stored
    re-encoded without their metadata (`strip_metadata`) instead of as uploaded, and each
    download is written to the audit trail as a view of personal data."""
    if not OWNER_TYPE_RE.match(owner_type):
        raise ValueError(f"not a record type: {owner_type!r}")
    _readers[owner_type] = Reader(readable, personal)


def _readable_ids(actor, owner_type: str, owner_ids: list[str]) -> set[str]:
    """Those of `owner_ids` whose files `actor` may read, by the app's registered reader."""
    if not access.is_active_user(actor) or not owner_ids:
        return set()
    return set(map(str, _readers[owner_type].readable(actor, owner_ids))) & set(owner_ids)


def _may_read(actor, attachment: Attachment) -> bool:
    if attachment.owner_type in _readers:
        ids = [attachment.owner_id]
        return bool(_readable_ids(actor, attachment.owner_type, ids))
    return access.can_read_department(actor, attachment.department)


def is_personal(owner_type: str) -> bool:
    reader = _readers.get(owner_type)
    return reader is not None and reader.personal


# Services ---------------------------------------------------------------------------------


def _owner(owner_type, owner_id) -> tuple[str, str]:
    if not isinstance(owner_type, str) or not OWNER_TYPE_RE.match(owner_type):
        raise ServiceError.field("owner_type", _("must be a record type like 'plans.measurement'"))
    try:
        apps.get_model(owner_type)
    except LookupError:
        raise ServiceError.field(
            "owner_type", _("%(value)s is not a known record type") % {"value": owner_type}
        ) from None
    owner_id = str(owner_id if owner_id is not None else "").strip()
    if not owner_id or len(owner_id) > 64:
        raise ServiceError.field("owner_id", _("is required (at most 64 characters)"))
    return owner_type, owner_id


def _store(attachment: Attachment, data: bytes, thumbnail: tuple[bytes, str] | None) -> None:
    """Write the files, then the row and its audit entry; if anything fails, remove the
    files written (the rows go with the transaction)."""
    extension = EXTENSIONS[base_type(attachment.content_type)][0]
    try:
        attachment.file.save(f"file{extension}", ContentFile(data), save=False)
        if thumbnail is not None:
            thumb_data, thumb_extension = thumbnail
            attachment.thumbnail.save(
                f"thumbnail{thumb_extension}", ContentFile(thumb_data), save=False
            )
        attachment.save()
        audit.record(
            actor=attachment.uploaded_by,
            action=A.CREATE,
            obj=attachment,
            department=attachment.department,
            changes=audit.diff({}, audit.snapshot(attachment, AUDIT_FIELDS)),
        )
    except BaseException:
        for stored in (attachment.file, attachment.thumbnail):
            if stored.name:
                stored.storage.delete(stored.name)
        raise


@dataclass(frozen=True)
class Checked:
    """An uploaded file read and checked, not yet stored (see `attachment_check`)."""

    owner_type: str
    name: str
    data: bytes
    detected: Detected
    thumbnail: tuple[bytes, str] | None


def attachment_check(*, file, owner_type: str) -> Checked:
    """Read and check one uploaded file for a record of `owner_type`, storing nothing.

    A caller storing several files with a new record checks them all first, so that a
    refused file leaves nothing behind; `attachment_create` takes the result. Problems
    are raised on the field "file"."""
    name = clean_name(getattr(file, "name", ""))
    data = _read_limited(file)
    detected = detect(data, name)
    thumbnail = None
    if detected.content_type in IMAGE_FORMATS:
        if is_personal(owner_type):
            data = strip_metadata(data, detected.content_type)
        thumbnail = make_thumbnail(data, detected.content_type)
    return Checked(owner_type, name, data, detected, thumbnail)


def _may_attach(actor, department, owner_type: str, owner_id: str) -> bool:
    if owner_type in _readers:
        return bool(_readable_ids(actor, owner_type, [owner_id]))
    return access.can_read_department(actor, department)


@transaction.atomic
def attachment_create(*, actor, file, department: Department, owner_type, owner_id) -> Attachment:
    """Check and store one uploaded file (or one `attachment_check` passed) for a record
    of `department`.

    Callers check first that the actor may change the record it is attached to; this
    checks only that the actor is signed in and may read the department (or, for a record
    type with a registered reader, the record). Files are written before the row and
    removed again if this fails; if a caller's enclosing transaction rolls back later,
    the stored files stay behind, unreferenced, until `sweep_orphans`.
    """
    if not getattr(actor, "is_authenticated", False) or not isinstance(department, Department):
        raise NotAllowed(_("You are not allowed to do this."))
    owner_type, owner_id = _owner(owner_type, owner_id)
    if not _may_attach(actor, department, owner_type, owner_id):
        raise NotAllowed(_("You are not allowed to do this."))
    if not isinstance(file, Checked):
        file = attachment_check(file=file, owner_type=owner_type)
    return _save(file, actor, department, owner_type, owner_id)


def _save(file: Checked, uploader, department, owner_type: str, owner_id: str) -> Attachment:
    if file.owner_type != owner_type:  # its image may still carry the metadata to strip
        raise ValueError(f"checked for {file.owner_type}, not {owner_type}")
    extensions = EXTENSIONS[file.detected.content_type]
    attachment = Attachment(
        original_name=file.name or f"attachment{extensions[0]}",
        content_type=file.detected.served_type,
        size=len(file.data),
        sha256=hashlib.sha256(file.data).hexdigest(),
        uploaded_by=uploader,
        department=department,
        owner_type=owner_type,
        owner_id=owner_id,
    )
    _store(attachment, file.data, file.thumbnail)
    return attachment


@transaction.atomic
def attachment_create_public(
    *, file: Checked, uploader, department: Department, owner_type, owner_id
) -> Attachment:
    """Store a file a citizen sent with a public form (the report page): there is no
    signed-in person to check, so the calling service vouches for the record, and
    `uploader` is the system account the form files in the name of. The file must have
    passed `attachment_check` (a personal record's photo is stripped there)."""
    owner_type, owner_id = _owner(owner_type, owner_id)
    return _save(file, uploader, department, owner_type, owner_id)


def attachment_get_for_download(*, actor, pk, thumbnail: bool = False) -> Attachment:
    """The attachment, if the actor may read it; NotFound otherwise, so that a file's
    existence is not given away. The download of a personal file (not its thumbnail) is
    written to the audit trail."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    attachment = None
    if 0 < pk < 2**63:
        attachment = Attachment.objects.select_related("department").filter(pk=pk).first()
    if attachment is None or not _may_read(actor, attachment):
        raise NotFound(_("No such file."))
    if not thumbnail and is_personal(attachment.owner_type):
        audit.record(
            actor=actor,
            action=A.VIEW_PERSONAL,
            obj=attachment,
            department=attachment.department,
            note=f"download {attachment.owner_type} {attachment.owner_id}",
        )
    return attachment


def attachments_for(
    *, actor, owner_type: str, owner_id=None, owner_ids=None
) -> QuerySet[Attachment]:
    """The attachments of one record (owner_id), or of several at once (owner_ids), that
    the actor may read, oldest first."""
    ids = [str(owner_id)] if owner_ids is None else [str(i) for i in owner_ids]
    rows = Attachment.objects.filter(owner_type=owner_type).select_related("uploaded_by")
    if owner_type in _readers:
        return rows.filter(owner_id__in=sorted(_readable_ids(actor, owner_type, ids)))
    return rows.filter(access.scope_q(actor), owner_id__in=ids)


def sweep_orphans(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete stored files no attachment row points to, once older than `older_than`.

    They are left when the transaction around an upload rolls back after the file was
    written (a caller's later error). Young files are spared: their row may not be
    committed yet. Returns how many files were removed; running it twice removes nothing more.
    """
    referenced = set()
    for file_name, thumb_name in Attachment.objects.values_list("file", "thumbnail"):
        referenced.update(n for n in (file_name, thumb_name) if n)
    cutoff = timezone.now() - older_than
    removed = 0
    for name in _stored_names("attachments"):
        if name in referenced:
            continue
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
            default_storage.delete(name)
        except FileNotFoundError:  # another worker removed it first
            continue
        removed += 1
    return removed


def _stored_names(folder: str):
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _stored_names(f"{folder}/{directory}")
