"""Reading uploaded tables (CSV in UTF-8 or Big5, ODS) and writing CSV and ODS exports.

A reader returns every row with its number as the user sees it in a spreadsheet
(the header is row 1), so each error can name the row and the column.
"""

import csv
import io
import zipfile

import odfdo
from django.conf import settings
from django.utils.translation import gettext as _

from guankao.core.errors import ServiceError

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM); else Big5 (cp950), which government CSVs still use."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return content.decode("cp950")
        except UnicodeDecodeError:
            line = content[: utf8_error.start].count(b"\n") + 1
            raise ServiceError.field(
                "file",
                _("line %(line)d is neither UTF-8 nor Big5 text; save the file as UTF-8 CSV")
                % {"line": line},
            ) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _ods_rows(content: bytes, sheet: str | None) -> list[list[str]]:
    try:
        document = odfdo.Document(io.BytesIO(content))
        tables = document.body.get_tables()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError):
        raise ServiceError.field("file", _("is not a readable ODS spreadsheet")) from None
    if not tables:
        raise ServiceError.field("file", _("the spreadsheet has no sheet"))
    table = tables[0]
    if sheet is not None:
        named = [t for t in tables if t.name == sheet]
        if not named:
            raise ServiceError.field("file", _("the spreadsheet has no sheet named %(s)s") % {"s": sheet})
        table = named[0]
    return [[_cell(v) for v in row] for row in table.get_values()]


def _csv_rows(content: bytes) -> list[list[str]]:
    text = decode_text(content)
    if "\x00" in text:
        raise ServiceError.field("file", _("is not a text CSV file"))
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ServiceError.field("file", _("is not valid CSV: %(e)s") % {"e": exc}) from None


def read_table(
    content: bytes, filename: str, *, required: tuple[str, ...], sheet: str | None = None
) -> list[tuple[int, dict]]:
    """Rows as (row number, {column: text}); blank rows are skipped."""
    if len(content) > settings.GUANKAO_MAX_UPLOAD_BYTES:
        raise ServiceError.field(
            "file",
            _("is too large (%(size)d KB; at most %(max)d KB)")
            % {"size": len(content) // 1024, "max": settings.GUANKAO_MAX_UPLOAD_BYTES // 1024},
        )
    if not content:
        raise ServiceError.field("file", _("is empty"))
    # Decide by content, not by name: an ODS file is a zip with the ODF mimetype first.
    if content[:2] == b"PK":
        if content[30:38] != b"mimetype" or ODS_MIME.encode() not in content[:200]:
            raise ServiceError.field("file", _("must be a CSV or ODS file"))
        raw_rows = _ods_rows(content, sheet)
    else:
        raw_rows = _csv_rows(content)
    if not raw_rows:
        raise ServiceError.field("file", _("is empty"))
    header = [h.strip() for h in raw_rows[0]]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in required if c not in header]
    if missing:
        raise ServiceError.field(
            "file", _("missing column(s): %(cols)s") % {"cols": ", ".join(missing)}, row=1
        )
    duplicated = {h for h in header if h and header.count(h) > 1}
    if duplicated:
        raise ServiceError.field(
            "file", _("column(s) appear twice: %(cols)s") % {"cols": ", ".join(sorted(duplicated))}, 1
        )
    rows = []
    for number, values in enumerate(raw_rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return rows


def write_csv(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    # BOM so that spreadsheet programs on Windows read UTF-8 Chinese correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_ods(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    document = odfdo.Document("spreadsheet")
    document.body.clear()
    for name, (header, rows) in sheets.items():
        table = odfdo.Table(name)
        table.set_values([header, *[["" if v is None else v for v in row] for row in rows]])
        document.body.append(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
