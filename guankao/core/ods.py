"""Reading one sheet of an uploaded ODS file, within limits checked before anything grows.

An ODS sheet stores a run of equal rows once with table:number-rows-repeated, and a run
of equal cells once with table:number-columns-repeated: an 800-byte file can declare
90,000 rows × 100 columns of text, and spreadsheet programs pad every sheet with about
a million empty rows. So content.xml is read as a stream (never more than
`limits.xml_bytes` of it), each row's size is counted from its declared repeats, and the
limits are checked before a single repeat is expanded. Trailing empty cells and empty
rows cost nothing; content past the limits is refused with the limit named.
"""

import datetime as dt
import decimal
import io
import zipfile
import zlib

from django.utils.translation import gettext as _
from lxml import etree

from guankao.core.errors import ServiceError

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
T_TABLE, T_ROW = f"{{{TABLE}}}table", f"{{{TABLE}}}table-row"
T_CELL, T_COVERED = f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"
T_SPREADSHEET = f"{{{OFFICE}}}spreadsheet"
ROWS_REPEATED = f"{{{TABLE}}}number-rows-repeated"
COLUMNS_REPEATED = f"{{{TABLE}}}number-columns-repeated"
NAME = f"{{{TABLE}}}name"
VALUE_TYPE, VALUE = f"{{{OFFICE}}}value-type", f"{{{OFFICE}}}value"
DATE_VALUE, BOOLEAN_VALUE = f"{{{OFFICE}}}date-value", f"{{{OFFICE}}}boolean-value"
STRING_VALUE = f"{{{OFFICE}}}string-value"
PARAGRAPHS = (f"{{{TEXT}}}p", f"{{{TEXT}}}h")
SPACE, TAB, BREAK = f"{{{TEXT}}}s", f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"
NOT_VALUE = (f"{{{OFFICE}}}annotation", f"{{{TEXT}}}note")  # comments are not the value
CHUNK = 64 * 1024


def unreadable(too_large: bool = False) -> ServiceError:
    if too_large:
        return ServiceError.field(
            "file", _("is not a readable ODS spreadsheet (too large unpacked)")
        )
    return ServiceError.field("file", _("is not a readable ODS spreadsheet"))


def too_big(limits) -> ServiceError:
    return ServiceError.field(
        "file",
        _(
            "is too big: at most %(rows)d rows under the heading row, %(cols)d columns and "
            "%(cells)d filled cells (repeated rows and cells count as many)"
        )
        % {"rows": limits.rows, "cols": limits.columns, "cells": limits.cells},
    )


def cell_too_long(limits) -> ServiceError:
    return ServiceError.field(
        "file", _("has a cell longer than %(n)d characters") % {"n": limits.cell_chars}
    )


def _repeat(element, attribute: str) -> int:
    raw = element.get(attribute)
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise unreadable()
    return int(raw)


def _number(text: str, percentage: bool) -> str:
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise unreadable() from None
    if not value.is_finite():
        return str(value)
    if percentage:
        # Calc stores "80%" typed in a cell as 0.8 with a percentage type; read it back
        # as the person wrote it, or a target of 100% would arrive as "1".
        value = (value * 100).normalize()
    whole = value == value.to_integral_value()
    text = str(int(value)) if whole and abs(value) < 10**30 else str(value)
    return text + "%" if percentage else text


def _date(text: str) -> str:
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text).isoformat(sep=" ")
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise unreadable() from None


def _paragraph(element, limit: int) -> str:
    parts, size = [element.text or ""], len(element.text or "")
    for child in element:
        if child.tag == SPACE:
            count = child.get(f"{{{TEXT}}}c", "1")
            parts.append(" " * min(int(count) if count.isdigit() else 1, limit + 1))
        elif child.tag == TAB:
            parts.append("\t")
        elif child.tag == BREAK:
            parts.append("\n")
        elif child.tag not in NOT_VALUE:
            parts.append(_paragraph(child, limit))
        parts.append(child.tail or "")
        size += len(parts[-1]) + len(parts[-2])
        if size > limit:
            break
    return "".join(parts)


def cell_text(cell, limits) -> str:
    """The cell's value as the person sees it: numbers without a trailing .0, percentages
    with %, dates in ISO form, booleans as 是/否, text as typed."""
    kind = cell.get(VALUE_TYPE)
    if kind is None:
        return ""
    if kind in ("float", "currency", "percentage"):
        if cell.get(VALUE) is None:
            raise unreadable()
        return _number(cell.get(VALUE), kind == "percentage")
    if kind == "date" and cell.get(DATE_VALUE) is not None:
        return _date(cell.get(DATE_VALUE))
    if kind == "boolean":
        return "是" if cell.get(BOOLEAN_VALUE, "").lower() == "true" else "否"
    text = cell.get(STRING_VALUE) if kind == "string" else None
    if text is None:
        text = "\n".join(_paragraph(p, limits.cell_chars) for p in cell if p.tag in PARAGRAPHS)
    text = text.strip()
    if len(text) > limits.cell_chars:
        raise cell_too_long(limits)
    return text


class _Sheet:
    """Rows of one table as they stream past, expanded only once counted."""

    def __init__(self, name: str, limits):
        self.name, self.limits = name, limits
        self.rows: list[list[str]] = []
        self.blank = 0  # empty rows not yet added: trailing padding is never added
        self.filled = 0

    def add(self, cells: list[tuple[str, int]], repeat: int) -> None:
        while cells and not cells[-1][0]:
            cells.pop()
        if not cells:
            self.blank += repeat
            return
        limits = self.limits
        width = sum(count for _v, count in cells)
        height = len(self.rows) + self.blank + repeat - 1  # under the heading row
        self.filled += repeat * sum(count for value, count in cells if value)
        if width > limits.columns or height > limits.rows or self.filled > limits.cells:
            raise too_big(limits)
        self.rows.extend([[]] * self.blank)
        self.blank = 0
        row = [value for value, count in cells for _n in range(count)]
        self.rows.extend([row] * repeat)  # the same list: rows are only read


def _content(content: bytes, limits):
    """content.xml, as chunks, never more than `limits.xml_bytes` of it in all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > limits.unpacked_bytes:
            raise unreadable(too_large=True)
        stream = archive.open("content.xml")
    except (zipfile.BadZipFile, KeyError, NotImplementedError, RuntimeError, ValueError):
        raise unreadable() from None
    read = 0
    with archive, stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError):
                raise unreadable() from None
            if not chunk:
                return
            read += len(chunk)
            if read > limits.xml_bytes:  # the sizes in a zip's directory can lie
                raise unreadable(too_large=True)
            yield chunk


def _parser():
    return etree.XMLPullParser(
        events=("end",),
        tag=(T_TABLE, T_ROW, T_CELL, T_COVERED),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
    )


def _table_of(row):
    parent = row.getparent()
    while parent is not None and parent.tag != T_TABLE:
        parent = parent.getparent()
    return parent


def _drop(element) -> None:
    """Free what has been read: the element's content and its earlier siblings."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Reader:
    """Picks the sheet named `sheet` if there is one, else the first, as rows stream past."""

    def __init__(self, sheet: str | None, limits):
        self.sheet, self.limits = sheet, limits
        self.first = self.chosen = self.current = None
        self.decided = False  # whether the table being read now has been looked at
        self.cells: list[tuple[str, int]] = []
        self.tables = 0

    def decide(self, element) -> None:
        if self.decided:
            return
        self.decided = True
        name = _table_of(element).get(NAME, "")
        if self.sheet is not None and name == self.sheet:
            self.current = self.chosen = _Sheet(name, self.limits)
        elif self.first is None:
            self.current = self.first = _Sheet(name, self.limits)

    def cell(self, element) -> None:
        self.decide(element)
        if self.current is not None:
            repeat = _repeat(element, COLUMNS_REPEATED)
            self.cells.append((cell_text(element, self.limits), repeat))

    def row(self, element) -> None:
        self.decide(element)
        if self.current is not None:
            self.current.add(self.cells, _repeat(element, ROWS_REPEATED))
        self.cells = []

    def table(self, element) -> bool:
        """True once the sheet asked for has been read whole."""
        if element.getparent() is None or element.getparent().tag != T_SPREADSHEET:
            raise unreadable()  # a table inside a cell
        self.tables += 1
        self.current, self.decided = None, False
        return self.chosen is not None

    def rows(self) -> list[list[str]]:
        if self.chosen is not None or self.first is not None:
            return (self.chosen or self.first).rows
        if self.tables:
            return []
        raise ServiceError.field("file", _("the spreadsheet has no sheet"))


def read_sheet(content: bytes, sheet: str | None, limits) -> list[list[str]]:
    """The rows of the sheet named `sheet` if there is one, else of the first sheet."""
    parser, reader = _parser(), _Reader(sheet, limits)
    try:
        for chunk in _content(content, limits):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                if element.tag == T_ROW:
                    reader.row(element)
                elif element.tag == T_TABLE:
                    if reader.table(element):
                        return reader.rows()
                else:
                    reader.cell(element)
                _drop(element)
        parser.close()
    except etree.LxmlError:
        raise unreadable() from None
    return reader.rows()
