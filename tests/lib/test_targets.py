import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from guankao.lib.targets import Target, TargetError, format_target, parse_target

D = Decimal
EXPECTED = "expected a comparison and a number, such as ≧80%, ≦3, 100% or 80%~90%"

# The seed plan's KPI table (ROC 108–111), targets exactly as written there.
SEED_TARGETS = [
    ("編撰及推動年度施政計畫", "100%", "ge", D(100), True),
    ("推動陳情話務中心營運", "100%", "ge", D(100), True),
    ("按月清查重大計畫及工程進度", "100%", "ge", D(100), True),
    ("推動一般性補助款基本設施列管追蹤", "100%", "ge", D(100), True),
    ("資安事件發生次數", "≦3", "le", D(3), False),
    ("資安內部稽核", "≧1", "ge", D(1), False),
    ("機房維運服務發生中斷次數", "≦4", "le", D(4), False),
    ("資訊安全教育訓練", "≧80%", "ge", D(80), True),
    ("建置區域聯防ISAC及SOC監控機制", "≧11", "ge", D(11), False),
    ("強化資安防護縱深及創新服務整合", "100%", "ge", D(100), True),
    ("遵循資通安全管理法相關法令應辦事項", "100%", "ge", D(100), True),
    ("辦理推動民眾上網推廣計畫", "≧4000", "ge", D(4000), False),
    ("辦理開放文書格式(ODF)推廣計畫", "≧15", "ge", D(15), False),
]


@pytest.mark.parametrize(
    ("kpi", "text", "op", "number", "percent"), SEED_TARGETS, ids=[row[0] for row in SEED_TARGETS]
)
def test_it_parses_every_target_of_the_seed_plan(kpi, text, op, number, percent):
    target = parse_target(text)
    assert (target.op, target.percent, target.text) == (op, percent, text)
    assert target.unit == target.note == ""
    assert (target.low if op == "ge" else target.high) == number
    assert target.is_met(number)
    assert format_target(target) == (text if text[0] in "≧≦" else "≧" + text)


def test_it_meets_the_seed_plan_targets_as_a_year_end_report_would():
    assert parse_target("100%").is_met(D(100))
    assert not parse_target("100%").is_met(D("99.9"))
    assert parse_target("≦3").is_met(D(0))
    assert not parse_target("≦3").is_met(D(4))
    assert parse_target("≧4000").is_met(D(4321))
    assert not parse_target("≧15").is_met(D(14))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("≤3", "≦3"),
        ("<=3", "≦3"),
        ("=<3", "≦3"),
        (">=80%", "≧80%"),
        ("=>80%", "≧80%"),
        ("≥ 80 %", "≧80%"),
        ("≧ 80%", "≧80%"),
        ("  ≧80%  ", "≧80%"),
        ("=100%", "=100%"),
        ("==100%", "=100%"),
        ("＝100％", "=100%"),
        ("＞5", ">5"),
        ("＜2", "<2"),
        (">5", ">5"),
        ("<2", "<2"),
        ("≧８０％", "≧80%"),
        ("≦３次／年", "≦3次/年"),
        ("80%~90%", "80%~90%"),
        ("80~90%", "80%~90%"),
        ("80%-90%", "80%~90%"),
        ("80%～90%", "80%~90%"),
        ("80%〜90%", "80%~90%"),
        ("80% – 90%", "80%~90%"),
        ("80 至 90", "80~90"),
        ("80%至90%", "80%~90%"),
        ("80到90%", "80%~90%"),
        ("3~5次", "3~5次"),
        ("3次~5次", "3~5次"),
        ("≦3次/年", "≦3次/年"),
        ("≧4000人次", "≧4000人次"),
        ("≧15場次", "≧15場次"),
        ("≧11處", "≧11處"),
        ("≧11點", "≧11點"),
        ("≧100Mbps", "≧100Mbps"),
        ("≧100到場人次", "≧100到場人次"),
        ("≧4,000", "≧4000"),
        ("≧４，０００人次", "≧4000人次"),
        ("≧1,234,567.5", "≧1234567.5"),
        ("≧99.5%", "≧99.5%"),
        ("≧99.50%", "≧99.5%"),
        ("≧0.25", "≧0.25"),
        ("≦0", "≦0"),
        ("80%以上", "≧80%"),
        ("≧80%以上", "≧80%"),
        ("4,000人次以上", "≧4000人次"),
        ("3次以下", "≦3次"),
        ("3次以內", "≦3次"),
        ("100%（依限完成率）", "≧100%（依限完成率）"),
        ("100% (依限完成率)", "≧100%（依限完成率）"),
        ("≧80%（受訓人數/員工人數）", "≧80%（受訓人數/員工人數）"),
        ("80%~90%（年度平均）", "80%~90%（年度平均）"),
    ],
)
def test_it_reads_the_ways_plans_write_targets(text, canonical):
    target = parse_target(text)
    assert format_target(target) == canonical
    assert str(target) == canonical
    assert target.text == text


def test_it_keeps_units_percent_and_notes_apart():
    target = parse_target("≦3次/年")
    assert (target.op, target.low, target.high, target.unit, target.percent) == (
        "le",
        None,
        D(3),
        "次/年",
        False,
    )
    target = parse_target("100%（依限完成率）")
    assert (target.op, target.low, target.unit, target.percent, target.note) == (
        "ge",
        D(100),
        "",
        True,
        "依限完成率",
    )
    target = parse_target("80~90%")
    assert (target.op, target.low, target.high, target.percent) == ("range", D(80), D(90), True)
    target = parse_target("=100%")
    assert (target.low, target.high) == (D(100), D(100))
    assert parse_target("≧99.5%").low == D("99.5")


def test_it_reads_a_bare_number_by_the_direction_of_the_kpi():
    assert parse_target("100%").op == "ge"
    assert parse_target("100%", direction="higher").op == "ge"
    assert parse_target("3", direction="lower") == parse_target("≦3")
    assert parse_target("100%", direction="range") == parse_target("=100%")
    # An explicit comparison wins over the hint.
    assert parse_target("≧1", direction="lower").op == "ge"
    assert parse_target("80~90%", direction="higher").op == "range"


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("≧1", "higher"),
        (">1", "higher"),
        ("≦3", "lower"),
        ("<3", "lower"),
        ("=100%", "range"),
        ("80%~90%", "range"),
    ],
)
def test_it_tells_the_direction_of_a_target(text, direction):
    assert parse_target(text).direction == direction


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty target: " + EXPECTED),
        ("   ", "empty target"),
        ("\u3000", "empty target"),  # an ideographic space
        ("abc", "'abc' is not a target: " + EXPECTED),
        ("≧abc", "'≧abc' is not a target: " + EXPECTED),
        ("≧", "'≧' is not a target: " + EXPECTED),
        ("%", EXPECTED),
        ("≧%", EXPECTED),
        ("≧≦3", "write one comparison, or a range as 80%~90%"),
        ("≧80% ≦90%", "write one comparison"),
        ("≦80%以上", "write one comparison"),
        ("≧=80", "write one comparison"),
        ("80%≦", EXPECTED),
        ("80%~", "a range needs a number at both ends, as in 80%~90%"),
        ("~90%", "a range needs a number at both ends"),
        ("90%~80%", "the range starts above its end (90 > 80)"),
        ("5~4.5次", "the range starts above its end (5 > 4.5)"),
        ("≧80%~90%", "a range takes no comparison sign"),
        ("80~90%以上", "a range takes no comparison sign"),
        ("1~2~3", EXPECTED),
        ("≧-5", "negative numbers are not accepted"),
        ("≧-5%", "negative numbers are not accepted"),
        ("-3", "negative numbers are not accepted"),
        ("5~-3", "negative numbers are not accepted"),
        ("≧−5", "negative numbers are not accepted"),  # U+2212 minus sign
        ("≧80%%", "write one percent sign"),
        ("≧1e9999", "without an exponent such as 1e9"),
        ("≧1.5E3", "without an exponent"),
        ("NaN", EXPECTED),
        ("≧NaN", EXPECTED),
        ("≧Infinity", EXPECTED),
        ("≧inf", EXPECTED),
        ("≧∞", EXPECTED),
        ("≧1.2.3", "'1.2.3' is not a number (write 4000, 4,000 or 99.5)"),
        ("≧4,00", "'4,00' is not a number"),
        ("≧4000,", "'4000,' is not a number"),
        ("≧80.", "'80.' is not a number"),
        ("≧.5", EXPECTED),
        ("≧123456789012345", "more than 14 digits before the point or 4 after"),
        ("≧0.00001", "more than 14 digits before the point or 4 after"),
        ("80%~90", "the two ends of the range are in different units (%, no unit)"),
        ("80%~90次", "different units (%, 次)"),
        ("3次~5場次", "different units (次, 場次)"),
        ("3次~5", "different units (次, no unit)"),
        (
            "≧80%人",
            "a percentage takes no unit; put a note in parentheses, as in 100%（依限完成率）",
        ),
        ("≧3次²", "'次2' is not a unit"),  # NFKC makes ² a digit
        ("≧3 次 年", "'次 年' is not a unit"),
        ("≧4000以上人次", "'以上人次' is not a unit"),
        ("≧80(a)(b)", "'(a)(b)' is not a unit"),
        ("（依限完成率）", EXPECTED),
        ("≧80%\n≦90%", "write one comparison"),
        ("≧" + "8" * 100, "is too long for a target: at most 100 characters"),
        ("100%（" + "說明" * 50 + "）", "is too long for a target"),
    ],
)
def test_it_rejects_what_is_not_a_target_with_a_message(text, words):
    with translation.override("en"), pytest.raises(TargetError) as caught:
        parse_target(text)
    assert words in str(caught.value)


def test_it_shows_the_start_of_a_long_text_only():
    with translation.override("en"), pytest.raises(TargetError) as caught:
        parse_target("x" * 500)
    assert (
        str(caught.value) == "'" + "x" * 20 + "…' is too long for a target: at most 100 characters"
    )


@pytest.mark.parametrize("value", [None, 80, D(80), b"\xe2\x89\xa780%", ["≧80%"]])
def test_it_rejects_values_that_are_not_text(value):
    with translation.override("en"), pytest.raises(TargetError) as caught:
        parse_target(value)
    assert str(caught.value) == (
        f"expected text such as ≧80%, ≦3, 100% or 80%~90%, not {type(value).__name__}"
    )


def test_it_makes_target_errors_value_errors():
    with pytest.raises(ValueError):
        parse_target("≧abc")


def test_it_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="direction must be"):
        parse_target("100%", direction="up")


def test_it_refuses_a_target_built_with_the_wrong_bounds():
    with pytest.raises(ValueError, match="inconsistent target"):
        Target("ge", None, D(3))
    with pytest.raises(ValueError, match="inconsistent target"):
        Target("range", D(1), None)
    with pytest.raises(ValueError, match="inconsistent target"):
        Target("about", D(1), None)


@pytest.mark.parametrize(
    ("text", "value", "met"),
    [
        ("≦3", 3, True),
        ("≦3", 2, True),
        ("≦3", 0, True),
        ("≦3", 4, False),
        ("≦3", D("3.0001"), False),
        ("≧80%", 80, True),
        ("≧80%", D("79.99"), False),
        ("≧80%", 100, True),
        ("100%", 100, True),
        ("100%", D("99.99"), False),
        ("100%", 101, True),
        ("=100%", 100, True),
        ("=100%", 101, False),
        ("=100%", 99, False),
        ("<2", 2, False),
        ("<2", D("1.99"), True),
        (">5", 5, False),
        (">5", D("5.01"), True),
        ("80%~90%", 80, True),
        ("80%~90%", 90, True),
        ("80%~90%", 85, True),
        ("80%~90%", D("79.9"), False),
        ("80%~90%", D("90.1"), False),
        ("≦0", 0, True),
        ("≦0", 1, False),
        ("≧0", 0, True),
    ],
)
def test_it_meets_a_target_on_its_boundary(text, value, met):
    assert parse_target(text).is_met(value) is met


@pytest.mark.parametrize(
    ("text", "value", "progress"),
    [
        ("≧80%", 80, D(1)),
        ("≧80%", 100, D(1)),  # capped: over-achievement is still 1
        ("≧80%", 60, D("0.75")),
        ("≧80%", 0, D(0)),
        ("≧4000", 3000, D("0.75")),
        ("≧4000", -10, D(0)),
        ("100%", 90, D("0.9")),
        ("≦3", 3, D(1)),
        ("≦3", 0, D(1)),
        ("≦3", 4, D("0.75")),
        ("≦3", 6, D("0.5")),
        ("≦150", 119, D(1)),  # the "≤150 shown red at 119" complaint
        ("≦0", 0, D(1)),
        ("≦0", 2, D(0)),
        ("<2", 4, D("0.5")),
        ("80%~90%", 85, D(1)),
        ("80%~90%", 80, D(1)),
        ("80%~90%", 60, D("0.75")),
        ("80%~90%", 100, D("0.9")),
        ("0~5", -1, D(0)),
        ("=100%", 100, D(1)),
        ("=100%", 50, D("0.5")),
        ("=100%", 125, D("0.8")),
    ],
)
def test_it_measures_progress_towards_a_target(text, value, progress):
    assert parse_target(text).progress(value) == progress


def test_it_gives_no_progress_ratio_against_a_zero_floor():
    assert parse_target("≧0").progress(5) is None
    assert parse_target(">0").progress(0) is None


def test_it_keeps_progress_between_zero_and_one():
    for text in ["≧80%", "≦3", "<2", ">5", "80%~90%", "=100%", "≦0", "0~5"]:
        target = parse_target(text)
        for value in [D(0), D("0.5"), D(1), D(3), D(79), D(85), D(100), D(10**9)]:
            progress = target.progress(value)
            assert progress is None or D(0) <= progress <= D(1), (text, value)
            if target.is_met(value):
                assert progress == 1, (text, value)


@pytest.mark.parametrize("value", [0.8, "80", None, True, D("NaN"), D("Infinity")])
def test_it_checks_only_finite_decimal_or_int_values(value):
    with pytest.raises((TypeError, ValueError)):
        parse_target("≧80%").is_met(value)
    with pytest.raises((TypeError, ValueError)):
        parse_target("≧80%").progress(value)


def test_it_compares_targets_by_meaning_not_by_spelling():
    assert parse_target("≥80%") == parse_target("≧ 80 ％")
    assert parse_target("≧4,000") == parse_target("≧4000")
    assert parse_target("≧80%") != parse_target("≧80")
    assert parse_target("≧80%") != parse_target(">80%")
    assert hash(parse_target("≥80%")) == hash(parse_target("≧80%"))


def test_it_round_trips_through_its_canonical_form():
    numbers = [
        "0",
        "1",
        "3",
        "11",
        "80",
        "99.5",
        "100",
        "4000",
        "4,000",
        "0.0001",
        "12345678901234",
    ]
    decorations = [("", ""), ("%", ""), ("次/年", ""), ("人次", "依限完成率"), ("%", "依限完成率")]
    cases = 0
    for symbol, number, (unit, note) in itertools.product(
        ["≧", "≦", ">", "<", "=", "≥", "<=", "＞", "", "＝"], numbers, decorations
    ):
        text = f"{symbol}{number}{unit}" + (f"（{note}）" if note else "")
        for direction in (None, "higher", "lower", "range"):
            target = parse_target(text, direction=direction)
            again = parse_target(format_target(target))
            assert again == target, text
            assert format_target(again) == format_target(target)
            cases += 1
    for low, high in itertools.combinations(numbers, 2):
        for unit in ["", "%", "次"]:
            if D(low.replace(",", "")) <= D(high.replace(",", "")):
                target = parse_target(f"{low}~{high}{unit}")
                assert parse_target(format_target(target)) == target
                cases += 1
    assert cases > 2000
