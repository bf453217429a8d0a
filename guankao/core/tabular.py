"""Reading uploaded tables (CSV in UTF-8 or Big5, ODS) and writing CSV and ODS exports.

A reader returns every row with its number as the user sees it in a spreadsheet
(the header is row 1), so each error can name the row and the column.
"""

import csv
import io
from dataclasses import dataclass, replace

import odfdo
from django.conf import settings
from django.utils.translation import gettext as _

from guankao.core import ods
from guankao.core.errors import ServiceError
from guankao.core.validation import for_output

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Limits:
    """What one uploaded table may hold, checked before anything is expanded.

    They bound an import's time and memory: at most `cells` filled cells (400,000 short
    strings, some tens of MB) in `rows` rows under the heading reach an importer, and
    reading an ODS file parses at most `xml_bytes` of XML, a few seconds at worst; an
    800-byte ODS file that declares 90,000 × 100 cells of text is refused in milliseconds.
    An importer whose rows each cost a write lowers `rows` for its files (read_table's
    max_rows), so that its write transaction lasts seconds.
    """

    rows: int = 20_000
    columns: int = 100
    cells: int = 400_000
    cell_chars: int = 10_000
    xml_bytes: int = 32 * 1024 * 1024  # content.xml of an ODS file, as read
    unpacked_bytes: int = 100 * 1024 * 1024  # every member of the zip, as its directory says


LIMITS = Limits()


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


def _unguard(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:].startswith(FORMULA_STARTS) else cell


def _csv_rows(content: bytes, limits: Limits) -> list[list[str]]:
    text = decode_text(content)
    if "\x00" in text:
        raise ServiceError.field("file", _("is not a text CSV file"))
    rows, filled = [], 0
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(rows) > limits.rows or len(row) > limits.columns:
                raise ods.too_big(limits)
            cells = [_unguard(c.strip()) for c in row]
            filled += sum(1 for c in cells if c)
            if filled > limits.cells:
                raise ods.too_big(limits)
            if any(len(c) > limits.cell_chars for c in cells):
                raise ods.cell_too_long(limits)
            rows.append(cells)
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
    max_rows: int | None = None,
) -> list[tuple[int, dict]]:
    """Rows as (row number, {column: text}); blank rows are skipped.

    `columns`, when given, are all the columns the file may have: any other heading is
    refused (a misspelt optional column would otherwise be silently ignored). A value in
    a column without a heading is refused too. For an ODS file, the sheet named `sheet`
    is read if there is one, else the first sheet. `max_rows` lowers the limit on the rows
    under the heading row, for an importer whose rows each cost more to write.
    """
    limits = LIMITS if max_rows is None else replace(LIMITS, rows=min(max_rows, LIMITS.rows))
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
        raw_rows = ods.read_sheet(content, sheet, limits)
    else:
        raw_rows = _csv_rows(content, limits)
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
