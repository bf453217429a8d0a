"""Reading uploaded tables (CSV in UTF-8 or Big5, ODS) and writing CSV and ODS exports.

A reader returns every row with its number as the user sees it in a spreadsheet
(the header is row 1), so each error can name the row and the column.
"""

import csv
import datetime as dt
import decimal
import io
import zipfile

import odfdo
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from guankao.core.errors import ServiceError
from guankao.core.validation import for_output

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
# Bounds on what one import may expand to: a small ODS file can declare a million
# repeated rows, and a small zip can inflate to gigabytes.
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_INFLATION = 20
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float | decimal.Decimal):
        try:
            return str(int(value)) if value == int(value) else str(value)
        except (OverflowError, ValueError):  # infinity or NaN
            return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _check_inflation(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ServiceError.field("file", _("is not a readable ODS spreadsheet")) from None
    if inflated > MAX_INFLATION * settings.GUANKAO_MAX_UPLOAD_BYTES:
        raise ServiceError.field(
            "file", _("is not a readable ODS spreadsheet (too large unpacked)")
        )


def _too_big() -> ServiceError:
    return ServiceError.field(
        "file",
        _("is too big: at most %(rows)d rows and %(cols)d columns")
        % {"rows": MAX_ROWS, "cols": MAX_COLUMNS},
    )


def _ods_rows(content: bytes, sheet: str | None) -> list[list[str]]:
    """The rows of the sheet named `sheet` if there is one, else of the first sheet."""
    _check_inflation(content)
    try:
        document = odfdo.Document(io.BytesIO(content))
        tables = document.body.get_tables()
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        etree.LxmlError,
        SyntaxError,
    ):
        raise ServiceError.field("file", _("is not a readable ODS spreadsheet")) from None
    if not tables:
        raise ServiceError.field("file", _("the spreadsheet has no sheet"))
    named = [t for t in tables if sheet is not None and t.name == sheet]
    table = named[0] if named else tables[0]
    # Spreadsheet programs pad a sheet with repeated empty rows and columns up to the
    # sheet's full size; expanding those would take gigabytes.
    table.rstrip()
    width, height = table.size
    if height > MAX_ROWS or width > MAX_COLUMNS:
        raise _too_big()
    return [[_typed_cell(v, kind) for v, kind in row] for row in table.get_values(get_type=True)]


def _typed_cell(value, kind: str | None) -> str:
    # Calc stores "80%" typed in a cell as the number 0.8 with a percentage type; read it
    # back as the person wrote it, or a target of 100% would arrive as "1".
    if kind == "percentage" and isinstance(value, int | float | decimal.Decimal):
        return _cell((decimal.Decimal(str(value)) * 100).normalize()) + "%"
    return _cell(value)


def _unguard(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:].startswith(FORMULA_STARTS) else cell


def _csv_rows(content: bytes) -> list[list[str]]:
    text = decode_text(content)
    if "\x00" in text:
        raise ServiceError.field("file", _("is not a text CSV file"))
    rows = []
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(rows) == MAX_ROWS or len(row) > MAX_COLUMNS:
                raise _too_big()
            rows.append([_unguard(c.strip()) for c in row])
    except csv.Error as exc:
        raise ServiceError.field("file", _("is not valid CSV: %(e)s") % {"e": exc}) from None
    return rows


def _header(
    raw: list[str], required: tuple[str, ...], columns: tuple[str, ...] | None
) -> list[str]:
    header = [h.strip() for h in raw]
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
            "file",
            _("column(s) appear twice: %(cols)s") % {"cols": ", ".join(sorted(duplicated))},
            1,
        )
    if columns is not None:
        unknown = [h for h in header if h and h not in columns]
        if unknown:
            raise ServiceError.field(
                "file",
                _("unknown column(s): %(cols)s; the columns are %(known)s")
                % {"cols": ", ".join(unknown), "known": ", ".join(columns)},
                row=1,
            )
    return header


def read_table(
    content: bytes,
    filename: str,
    *,
    required: tuple[str, ...],
    columns: tuple[str, ...] | None = None,
    sheet: str | None = None,
) -> list[tuple[int, dict]]:
    """Rows as (row number, {column: text}); blank rows are skipped.

    `columns`, when given, are all the columns the file may have: any other heading is
    refused (a misspelt optional column would otherwise be silently ignored). A value in
    a column without a heading is refused too. For an ODS file, the sheet named `sheet`
    is read if there is one, else the first sheet.
    """
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
    if not raw_rows or not any(h.strip() for h in raw_rows[0]):
        raise ServiceError.field("file", _("is empty or has no heading row"), row=1)
    header = _header(raw_rows[0], required, columns)
    rows = []
    for number, values in enumerate(raw_rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        for index, value in enumerate(values):
            if value.strip() and (index >= len(header) or not header[index]):
                raise ServiceError.field(
                    "file",
                    _("column %(n)d has the value %(v)r but no heading")
                    % {"n": index + 1, "v": value},
                    row=number,
                )
        rows.append(
            (number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h})
        )
    return rows


def _guard(value):
    # A text cell that a spreadsheet program would run as a formula (CSV injection) is
    # written with a leading apostrophe, which marks it as text; reading takes it off.
    # A control character stored before inputs were checked is shown as U+FFFD: the
    # file is always written (XML, so ODF, cannot hold them).
    if isinstance(value, str):
        value = for_output(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def write_csv(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_guard(v) for v in header])
    writer.writerows([_guard(v) for v in row] for row in rows)
    # BOM so that spreadsheet programs on Windows read UTF-8 Chinese correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _ods_value(value):
    if value is None:
        return ""
    return for_output(value) if isinstance(value, str) else value


def write_ods(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    document = odfdo.Document("spreadsheet")
    document.body.clear()
    for name, (header, rows) in sheets.items():
        table = odfdo.Table(for_output(name))
        values = [[_ods_value(v) for v in row] for row in [header, *rows]]
        table.set_values(values)
        document.body.append(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
