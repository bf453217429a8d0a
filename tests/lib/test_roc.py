import datetime as dt

import pytest
from django.utils import translation

from guankao.lib.roc import DateFormatError, format_roc, format_roc_long, parse_date

DAY = dt.date(2026, 11, 27)


def test_it_formats_roc_dates_short_and_long():
    assert format_roc(DAY) == "115/11/27"
    assert format_roc(dt.date(2010, 1, 5)) == "99/01/05"
    assert format_roc_long(DAY) == "115年11月27日"
    assert format_roc_long(dt.date(2026, 2, 3)) == "115年2月3日"
    assert format_roc(None) == ""
    assert format_roc_long(None) == ""


@pytest.mark.parametrize(
    "text",
    [
        "115/11/27",
        "115-11-27",
        "115.11.27",
        "1151127",
        "115年11月27日",
        "民國115年11月27日",
        "中華民國115年11月27日",
        "１１５/１１/２７",
        "１１５年１１月２７日",
        "115／11／27",
        "2026-11-27",
        "20261127",
        "2026/11/27",
        " 115/11/27 ",
        "115 年 11 月 27 日",
    ],
)
def test_it_parses_roc_and_iso_dates(text):
    assert parse_date(text) == DAY


def test_it_parses_two_digit_roc_years():
    assert parse_date("0991231") == dt.date(2010, 12, 31)
    assert parse_date("991231") == dt.date(2010, 12, 31)
    assert parse_date("99/12/31") == dt.date(2010, 12, 31)
    assert parse_date("1/1/1") == dt.date(1912, 1, 1)


def test_it_round_trips_its_own_formats():
    for offset in range(0, 800, 7):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=offset)
        assert parse_date(format_roc(day)) == day
        assert parse_date(format_roc_long(day)) == day
        assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("115/02/30", "no such day"),
        ("115/13/01", "no such day"),
        ("0/01/01", "1912"),
        ("abc", "not a date"),
        ("2026-02-29", "no such day"),
        ("12345", "not a date"),
        ("115/11", "not a date"),
        ("115/11/27/1", "not a date"),
        ("115/11/27x", "not a date"),
        ("1900-01-01", "1912"),
        ("0115/11/27", "not valid"),
        ("١١٥/١١/٢٧", "not a date"),  # Arabic-Indic digits are not a Taiwanese date
        ("115/11/27\n1", "not a date"),
    ],
)
def test_it_rejects_bad_dates_with_a_message(text, words):
    with translation.override("en"), pytest.raises(DateFormatError) as caught:
        parse_date(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("value", [None, 1151127, 20261127, DAY, b"115/11/27"])
def test_it_rejects_values_that_are_not_text(value):
    with translation.override("en"), pytest.raises(DateFormatError, match="expected text"):
        parse_date(value)


def test_it_makes_date_format_errors_value_errors():
    # Callers that catch ValueError (forms, older code) still catch a bad date.
    with pytest.raises(ValueError):
        parse_date("115/02/30")


def test_it_converts_years_both_ways_and_reads_a_year_typed_either_way():
    from guankao.lib.roc import (
        format_roc_month,
        gregorian_year,
        parse_year,
        roc_year,
        year_from_input,
    )

    assert (roc_year(2026), gregorian_year(115)) == (115, 2026)
    assert (year_from_input(115), year_from_input(2026), year_from_input(0)) == (2026, 2026, 0)
    assert (parse_year("115"), parse_year("99"), parse_year("2026")) == (2026, 2010, 2026)
    assert format_roc_month(2026, 3) == "115/03"
    assert format_roc_month(None, 3) == format_roc_month(2026, None) == ""


def test_templates_show_roc_years_and_months_through_one_filter():
    from django.template import Context, Template

    template = Template(
        "{% load guankao %}{{ y|roc_year }} {{ y|roc_month:m }} {{ d|roc_month }} "
        "{{ none|roc_month:m|default:'—' }}"
    )
    text = template.render(Context({"y": 2026, "m": 11, "d": DAY, "none": None}))
    assert text == "115 115/11 115/11 —"


def test_no_roc_year_is_converted_outside_lib_roc():
    """Every 民國 conversion goes through guankao.lib.roc (and its template filters)."""
    from pathlib import Path

    import guankao

    root = Path(guankao.__file__).parent
    inline = [
        f"{path.relative_to(root)}:{n}"
        for pattern in ("*.py", "*.html")
        for path in root.rglob(pattern)
        if path.relative_to(root).as_posix() != "lib/roc.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "1911" in line
    ]
    assert inline == []
