"""Reads: scoped lists, masked petitioners with logged whole views, the overview."""

import pytest

from guankao.core.errors import NotFound
from guankao.core.models import AuditEntry
from guankao.petitions import handling, selectors
from guankao.petitions.models import DepartmentRule
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db


def test_it_masks_the_petitioner_unless_the_reader_handles_the_case(people, calltaker, categories):
    case = file(
        calltaker, categories["pothole"], email="wang@example.com", address="嘉義市東區民族路1號"
    )
    masked = selectors.petitioner(user=people["executive"], case=case, whole=True)
    assert (masked.name, masked.phone, masked.whole) == ("王○明", "09**-***-678", False)
    assert not AuditEntry.objects.filter(action="view_personal").exists()
    whole = selectors.petitioner(user=people["liaison"], case=case, whole=True)
    assert (whole.name, whole.phone, whole.email, whole.whole) == (
        "王小明",
        "0912-345-678",
        "wang@example.com",
        True,
    )
    logged = AuditEntry.objects.get(action="view_personal")
    assert (logged.actor, logged.object_id) == (people["liaison"], str(case.pk))


def test_it_reads_only_cases_in_scope(people, calltaker, categories):
    case = file(calltaker, categories["pothole"])
    assert selectors.case_get(user=people["liaison"], pk=case.pk) == case
    for name in ("other_liaison", "worker"):
        with pytest.raises(NotFound):
            selectors.case_get(user=people[name], pk=case.pk)
    with pytest.raises(NotFound):
        selectors.case_get(user=people["officer"], pk="x")
    assert list(selectors.case_list(user=people["other_liaison"])) == []
    assert list(selectors.case_list(user=people["liaison"], filters={"q": case.number})) == [case]


def test_it_finds_the_same_callers_cases(people, calltaker, categories):
    first = file(calltaker, categories["pothole"])
    file(calltaker, categories["pothole"], phone="05-225-4321")
    assert selectors.same_caller(user=calltaker, phone="0912-345-678") == [first]
    assert selectors.same_caller(user=calltaker, phone="09") == []


def test_it_sums_up_the_year_for_the_officer(
    people, calltaker, categories, city, django_assert_max_num_queries
):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    replied = file(calltaker, categories["pothole"])
    file(calltaker, categories["subsidy"], channel="mayor_mailbox")
    file(calltaker, categories["subsidy"], kind="consultation", answer="已說明")
    handling.reply_draft(actor=people["liaison"], case=replied, text="已修補。", method="letter")
    with django_assert_max_num_queries(9):
        figures = selectors.overview(user=people["officer"], year=2026)
    assert (figures.received, figures.closed, figures.open) == (3, 2, 1)
    assert {r["channel"]: r["received"] for r in figures.by_channel} == {
        "phone": 2,
        "mayor_mailbox": 1,
    }
    assert figures.by_month == [{"month": 11, "received": 3, "closed": 2, "overdue": 0}]
    assert figures.average_workdays is not None
    pw_only = selectors.overview(user=people["liaison"], year=2026)
    assert pw_only.received == 1


def test_the_overview_breaks_down_in_one_pass(
    people, calltaker, categories, city, django_assert_max_num_queries
):
    """The kept figures of closed cases (a query a breakdown), the open ones grouped once
    for every breakdown, and three small counts (re-routed, not yet due, reopened cases'
    surveys), whatever the number of departments, categories, channels and months; and
    the user's roles."""
    file(calltaker, categories["pothole"])
    file(calltaker, categories["subsidy"], channel="mayor_mailbox")  # waits: no department
    file(calltaker, categories["subsidy"])
    with django_assert_max_num_queries(9):
        figures = selectors.overview(user=people["officer"], year=2026)
    assert [(r["lead__code"], r["received"]) for r in figures.by_department] == [
        ("PW", 1),
        ("SOC", 1),
        (None, 1),
    ]
    assert [(r["category__code"], r["received"]) for r in figures.by_category] == [
        ("pothole", 1),
        ("subsidy", 2),
    ]
    assert sum(r["received"] for r in figures.by_month) == figures.received == 3
