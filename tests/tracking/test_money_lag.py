"""The lag rule filed with a report and the one re-run when the thresholds change are one
rule on whole numbers: at every edge they agree, on SQLite (floats) and PostgreSQL."""

import pytest

from guankao.tracking import services
from guankao.tracking.models import Rules
from guankao.tracking.rules import rules_update

from .conftest import file

EDGES = [
    # planned %, actual %, money planned, spent, share %, gap points -> lag, money behind
    ("100", "100", 100, 55, "55", "10", "on_time", False),  # 55% of NT$100: not behind
    ("100", "100", 100, 54, "55", "10", "on_time", True),
    ("100", "100", 1000, 550, "55", "10", "on_time", False),
    ("100", "100", 100, 57, "57", "10", "on_time", False),
    ("100", "100", 100, 56, "57", "10", "on_time", True),
    ("100", "100", 2_000_000_000_000, 1_100_000_000_000, "55", "10", "on_time", False),
    ("100", "100", 9_999_999_999_999, 9_999_999_999_998, "100", "10", "on_time", True),
    ("33.3", "23.3", 100, 100, "80", "10", "serious", False),  # 33.3 − 10 is 23.2999… in floats
    ("33.3", "23.31", 100, 100, "80", "10", "behind", False),
    ("0.3", "0.1", 100, 100, "80", "0.2", "serious", False),  # 0.3 − 0.2 is 0.0999… in floats
    ("50.01", "50", 100, 100, "80", "10", "behind", False),
    ("50", "50", 100, 80, "80", "10", "on_time", False),
]


@pytest.mark.parametrize(
    ("planned", "actual", "money_planned", "spent", "share", "gap", "lag", "money_behind"),
    EDGES,
)
def test_the_filed_and_the_rerun_lag_agree_at_the_edges(
    works, people, planned, actual, money_planned, spent, share, gap, lag, money_behind
):
    officer = people["officer"]
    rules_update(actor=officer, money_share=share, serious_gap=gap)
    file(
        works,
        people["liaison"],
        2026,
        10,
        planned,
        actual,
        money_planned=money_planned,
        money_spent=spent,
        countermeasures="增派人力趕工",  # required whenever the case is seriously behind
    )
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == (lag, money_behind), "as filed"
    rules_update(actor=officer, money_share="1", serious_gap="100")  # away, then back
    rules_update(actor=officer, money_share=share, serious_gap=gap)
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == (lag, money_behind), "after saving thresholds"
    services.relag(Rules.current())
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == (lag, money_behind), "re-run"


def test_a_money_share_finer_than_a_tenth_of_a_percent_is_refused_not_rounded(people):
    from guankao.core.errors import ServiceError

    with pytest.raises(ServiceError) as e:
        rules_update(actor=people["officer"], money_share="55.55")
    assert e.value.problems[0].field == "money_share"
    assert Rules.current().money_share == Rules._meta.get_field("money_share").default
