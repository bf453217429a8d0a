"""The shared table reader (core/tabular, core/ods): what a cell reads as, and the limits,
counted from the declared repeats before anything is expanded."""

import dataclasses
import datetime as dt
import io
import time

import odfdo
import pytest
from django.utils import translation

from guankao.core import ods
from guankao.core.errors import ServiceError
from guankao.core.tabular import LIMITS, read_table, write_ods
from tests.hostile import ods_of, repeated_ods, text_cell


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(content: bytes, **kwargs) -> list[dict]:
    return [row for _n, row in read_table(content, "t.ods", required=(), **kwargs)]


def message(caught) -> str:
    return " ".join(str(p.message) for p in caught.value.problems)


def table(rows_xml: str, name: str = "s") -> str:
    return f'<table:table table:name="{name}">{rows_xml}</table:table>'


def row(*cells: str, repeat: int = 1) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{repeat}">{"".join(cells)}</table:table-row>'
    )


EMPTY_CELL = '<table:table-cell table:number-columns-repeated="{n}"/>'


# Declared sizes ------------------------------------------------------------------------------


def test_it_refuses_the_800_byte_file_of_9_million_cells_at_once():
    content = repeated_ods(90_000, 100)
    assert len(content) < 1000
    started = time.monotonic()
    with pytest.raises(ServiceError) as caught:
        read(content)
    assert time.monotonic() - started < 0.5
    assert f"at most {LIMITS.rows} rows" in message(caught)


@pytest.mark.parametrize(
    "rows_xml",
    [
        row(text_cell("a"), text_cell("x", LIMITS.columns)),  # one column too many
        row(text_cell("a"), EMPTY_CELL.format(n=5000), text_cell("b")),  # a gap, then a value
        row(text_cell("a")) + row(text_cell("x"), repeat=LIMITS.rows + 1),  # a row too many
        row(text_cell("a")) + row("<table:table-cell/>") * 3 + row(text_cell("x"), repeat=50_000),
        row(text_cell("x", 50), repeat=LIMITS.cells // 50 + 1),  # too many filled cells
    ],
)
def test_it_refuses_content_past_the_limits_from_the_declared_repeats(rows_xml):
    started = time.monotonic()
    with pytest.raises(ServiceError) as caught:
        read(ods_of(table(rows_xml)))
    assert time.monotonic() - started < 0.5
    assert "is too big" in message(caught)


def test_it_reads_a_sheet_padded_as_spreadsheet_programs_pad_it():
    padding = row(EMPTY_CELL.format(n=16_384), repeat=1_048_574)
    rows_xml = row(text_cell("名稱"), text_cell("代碼"), EMPTY_CELL.format(n=16_382))
    rows_xml += row(text_cell("工務處"), text_cell("PW"), EMPTY_CELL.format(n=16_382)) + padding
    started = time.monotonic()
    assert read(ods_of(table(rows_xml))) == [{"名稱": "工務處", "代碼": "PW"}]
    assert time.monotonic() - started < 0.5


def test_it_reads_repeated_rows_and_cells_inside_the_limits():
    rows_xml = row(text_cell("a"), text_cell("b"), text_cell("c"))
    rows_xml += row(text_cell("1", 3), repeat=3) + row() + row(text_cell("2"), text_cell("3"))
    content = ods_of(table(rows_xml))
    rows = read_table(content, "t.ods", required=("a",))
    assert rows == [
        (2, {"a": "1", "b": "1", "c": "1"}),
        (3, {"a": "1", "b": "1", "c": "1"}),
        (4, {"a": "1", "b": "1", "c": "1"}),
        (6, {"a": "2", "b": "3", "c": ""}),
    ]


def test_it_refuses_a_long_cell_and_a_lying_zip():
    long_text = "長" * (LIMITS.cell_chars + 1)
    with pytest.raises(ServiceError, match="longer than"):
        read(ods_of(table(row(text_cell("a")) + row(text_cell(long_text)))))
    spaces = f'<text:p>a<text:s text:c="{10**12}"/>b</text:p>'
    cell = f'<table:table-cell office:value-type="string">{spaces}</table:table-cell>'
    with pytest.raises(ServiceError, match="longer than"):
        read(ods_of(table(row(text_cell("a")) + row(cell))))
    # content.xml is read only up to its cap, whatever the zip's directory says.
    small = dataclasses.replace(LIMITS, xml_bytes=2000)
    content = ods_of(table(row(text_cell("a")) + row(text_cell("b" * 3000))))
    with pytest.raises(ServiceError, match="too large unpacked"):
        ods.read_sheet(content, None, small)


def test_it_refuses_csv_past_the_limits():
    too_wide = ",".join(["h"] * (LIMITS.columns + 1)).encode()
    too_long = ("h\n" + "x" * (LIMITS.cell_chars + 1)).encode()
    too_many = ("h\n" + "x\n" * (LIMITS.rows + 1)).encode()
    for content, expected in ((too_wide, "is too big"), (too_long, "longer"), (too_many, "big")):
        with pytest.raises(ServiceError) as caught:
            read_table(content, "t.csv", required=())
        assert expected in message(caught)
    assert (
        len(read_table(("h\n" + "x\n" * 100).encode(), "t.csv", required=(), max_rows=100)) == 100
    )
    with pytest.raises(ServiceError, match="at most 100 rows under the heading"):
        read_table(("h\n" + "x\n" * 101).encode(), "t.csv", required=(), max_rows=100)


# What cells read as ----------------------------------------------------------------------------


def test_it_reads_typed_cells_as_the_person_sees_them():
    document = odfdo.Document("spreadsheet")
    document.body.clear()
    sheet = odfdo.Table("s")
    sheet.set_values([["數", "比", "日", "是", "文"]])
    sheet.set_cell((0, 1), odfdo.Cell(value=80, cell_type="float"))
    sheet.set_cell((1, 1), odfdo.Cell(value=0.955, cell_type="percentage"))
    sheet.set_cell((2, 1), odfdo.Cell(value=dt.date(2026, 3, 14)))
    sheet.set_cell((3, 1), odfdo.Cell(value=True))
    sheet.set_cell((4, 1), odfdo.Cell(value="  甲  乙 "))
    document.body.append(sheet)
    buffer = io.BytesIO()
    document.save(buffer)
    assert read(buffer.getvalue()) == [
        {"數": "80", "比": "95.5%", "日": "2026-03-14", "是": "是", "文": "甲  乙"}
    ]


def test_it_reads_spaces_tabs_and_breaks_but_not_comments():
    cell = (
        '<table:table-cell office:value-type="string">'
        "<office:annotation><text:p>a comment</text:p></office:annotation>"
        '<text:p>a<text:s text:c="2"/>b<text:tab/>c<text:line-break/>d</text:p>'
        "<text:p><text:span>e</text:span></text:p></table:table-cell>"
    )
    covered = "<table:covered-table-cell/>"
    rows_xml = row(text_cell("h"), text_cell("i")) + row(cell, covered)
    assert read(ods_of(table(rows_xml))) == [{"h": "a  b\tc\nd\ne", "i": ""}]


def test_it_reads_the_named_sheet_or_else_the_first():
    content = write_ods({"一": (["h"], [["1"]]), "二": (["h"], [["2"]])})
    assert read(content, sheet="二") == [{"h": "2"}]
    assert read(content, sheet="三") == [{"h": "1"}]
    assert read(content) == [{"h": "1"}]


def test_it_refuses_what_is_not_a_spreadsheet():
    with pytest.raises(ServiceError, match="no sheet"):
        read(ods_of(""))
    with pytest.raises(ServiceError, match="not a readable ODS"):
        read(ods_of(table(row(text_cell("a")))).replace(b"content.xml", b"content.xmx"))
    nested = f"<table:table-cell>{table(row(text_cell('b')))}</table:table-cell>"
    with pytest.raises(ServiceError, match="not a readable ODS"):
        read(ods_of(table(row(text_cell("a"), nested))))
    broken = (
        '<table:table-row table:number-rows-repeated="-3"><table:table-cell/></table:table-row>'
    )
    with pytest.raises(ServiceError, match="not a readable ODS"):
        read(ods_of(table(row(text_cell("a")) + broken)))
