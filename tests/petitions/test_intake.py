"""Filing, numbering, assigning, §173 and merging, through the services."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Notification
from guankao.petitions import access, services
from guankao.petitions.models import Assignment, Case, Event
from tests.petitions.conftest import make_category

FRIDAY = timezone.make_aware(dt.datetime(2026, 11, 27, 17, 30))


def file(actor, category, **extra):
    data = {
        "kind": "petition",
        "channel": "phone",
        "subject": "民族路口路面坑洞",
        "text": "民族路與中山路口有一個大坑洞，機車經過很危險，請盡快處理。",
        "category": category,
        "name": "王小明",
        "phone": "0912-345-678",
        "received_at": FRIDAY,
    }
    return services.case_file(actor=actor, **(data | extra))


@pytest.mark.django_db
def test_it_numbers_cases_by_the_roc_day_and_a_daily_sequence(calltaker, categories):
    first = file(calltaker, categories["pothole"])
    second = file(calltaker, categories["subsidy"])
    assert (first.number, second.number) == ("1151127-0001", "1151127-0002")
    saturday = file(calltaker, categories["subsidy"], received_at=FRIDAY + dt.timedelta(days=1))
    assert saturday.number == "1151128-0001"


@pytest.mark.django_db(transaction=True)
def test_it_gives_two_call_takers_filing_at_once_two_numbers(city, categories, calltaker):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL's row locks")
    numbers, errors, start = [], [], threading.Barrier(2)

    def run():
        try:
            start.wait()
            numbers.append(file(calltaker, categories["pothole"]).number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == ["1151127-0001", "1151127-0002"]


@pytest.mark.django_db
def test_it_sends_a_phone_case_straight_to_the_owning_department(
    calltaker, categories, city, people
):
    case = file(calltaker, categories["pothole"])
    assert (case.status, case.lead, case.kind) == ("assigned", city["pw"], "dispatch")
    assert case.due_date == dt.date(2026, 12, 7)  # 6 working days from Monday 30th
    assert case.field_due_at == timezone.make_aware(dt.datetime(2026, 12, 1, 23, 59, 59))
    assert Assignment.objects.get(case=case).department == city["pw"]
    assert Notification.objects.filter(recipient=people["liaison"]).count() == 1
    assert list(case.events.values_list("kind", flat=True)) == ["received", "assigned"]
    assert AuditEntry.objects.filter(object_type="petitions.case", object_id=case.pk).exists()


@pytest.mark.django_db
def test_it_holds_mailbox_cases_for_the_officer_and_gives_shared_cases_ten_days(
    calltaker, categories, city, people
):
    case = file(calltaker, categories["subsidy"], channel="mayor_mailbox")
    assert (case.status, case.lead) == ("received", None)
    assert Notification.objects.filter(recipient=people["officer"]).count() == 1
    with pytest.raises(NotAllowed):
        services.case_assign(actor=people["liaison"], case=case, lead=city["soc"])
    case = services.case_assign(
        actor=people["officer"], case=case, lead="SOC", co_departments=["PW"]
    )
    assert (case.status, case.lead, case.due_date) == (
        "assigned",
        city["soc"],
        dt.date(2026, 12, 11),
    )
    assert list(case.co_departments.all()) == [city["pw"]]


@pytest.mark.django_db
def test_it_keeps_a_transferred_cases_earlier_deadline(calltaker, categories):
    case = file(
        calltaker,
        categories["subsidy"],
        channel="president",
        source_number="總統府 1150001234",
        source_due=dt.date(2026, 12, 3),
    )
    assert case.due_date == dt.date(2026, 12, 3)


@pytest.mark.django_db
def test_it_closes_a_consultation_answered_on_the_spot(calltaker, categories):
    case = file(
        calltaker, categories["subsidy"], kind="consultation", answer="已告知申請文件與窗口。"
    )
    assert (case.status, case.due_date) == ("answered", None)
    assert case.closed_at is not None
    with pytest.raises(ServiceError) as exc:
        file(calltaker, categories["subsidy"], kind="consultation")
    assert exc.value.problems[0].field == "answer"


BAD = [
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"subject": ""}, "subject"),
    ({"category": "no-such"}, "category"),
    ({"category": "roads"}, "category"),  # a group, not a category of work
    ({"phone": "12345"}, "phone"),
    ({"phone": "0912-345-67a"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"kind": "complaint"}, "kind"),
    ({"channel": "fax"}, "channel"),
    ({"channel": "president", "source_due": dt.date(2026, 11, 20)}, "source_due"),
    ({"source_number": "A-1"}, "source_number"),
    ({"received_at": timezone.now() + dt.timedelta(days=1)}, "received_at"),
    ({"latitude": "23.48"}, "longitude"),
    ({"latitude": "95", "longitude": "120.45"}, "latitude"),
    ({"answer": "已答復"}, "answer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "field"), BAD)
def test_it_refuses_bad_input_naming_the_field_and_changes_nothing(
    calltaker, categories, extra, field
):
    category = extra.pop("category", categories["pothole"])
    with pytest.raises(ServiceError) as exc:
        file(calltaker, category, **extra)
    assert exc.value.problems[0].field == field
    assert not Case.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_it_lets_only_staff_who_take_cases_file_them(people, categories, calltaker):
    for name in ("executive", "head", "worker"):
        with pytest.raises(NotAllowed):
            file(people[name], categories["pothole"])
    assert file(people["liaison"], categories["pothole"]).lead == categories["pothole"].department


@pytest.mark.django_db
def test_it_scopes_reading_to_the_handling_department(people, categories, calltaker):
    pothole = file(calltaker, categories["pothole"])
    secret = file(calltaker, categories["subsidy"], confidential=True)

    def visible(name):
        return set(
            Case.objects.filter(access.case_scope(people[name])).values_list("pk", flat=True)
        )

    assert visible("officer") == {pothole.pk, secret.pk}
    assert visible("liaison") == {pothole.pk}
    assert visible("other_liaison") == {secret.pk}
    assert visible("executive") == {pothole.pk}  # never a confidential case
    assert access.handles(people["liaison"], pothole)
    assert not access.handles(people["other_liaison"], pothole)
    assert not access.handles(people["executive"], pothole)


@pytest.mark.django_db
def test_it_closes_under_article_173_citing_the_ground(people, categories, calltaker):
    case = file(calltaker, categories["subsidy"], name="", phone="", anonymous=True)
    with pytest.raises(ServiceError) as exc:
        services.case_not_processed(actor=people["officer"], case=case, rule="bored")
    assert exc.value.problems[0].field == "rule"
    case = services.case_not_processed(actor=people["officer"], case=case, rule="no_content")
    assert (case.status, case.rule_173) == ("not_processed", "no_content")
    with pytest.raises(ServiceError):
        services.case_not_processed(actor=people["officer"], case=case, rule="no_content")


@pytest.mark.django_db
def test_it_merges_a_later_case_into_the_earlier_one(people, categories, calltaker):
    first = file(calltaker, categories["pothole"])
    later = file(calltaker, categories["pothole"], received_at=FRIDAY + dt.timedelta(hours=1))
    with pytest.raises(ServiceError):
        services.case_merge(actor=people["officer"], case=first, into=later)
    merged = services.case_merge(actor=people["officer"], case=later, into=first)
    assert (merged.status, merged.merged_into) == ("merged", first)
    assert Event.objects.filter(case=first, kind="merged").exists()
    with pytest.raises(ServiceError):
        services.case_merge(actor=people["officer"], case=later, into=first)


def test_it_accepts_the_phone_numbers_people_write():
    from guankao.core.validation import phone

    for number in (
        "05-225-4321",
        "(05)2254321",
        "0912-345-678",
        "+886 912 345 678",
        "02-2720-8889#123",
    ):
        assert phone("phone", number) == number
    assert phone("phone", "  ") == ""
    for bad in ("911", "1912345678", "0912-345-678-9", "09１2345678", "02-2720-8889#12a"):
        with pytest.raises(ServiceError):
            phone("phone", bad)


def test_it_makes_categories_in_a_tree(db, city):
    parent = make_category("x", "X")
    child = make_category("x1", "X1", parent, city["pw"])
    assert child.path.startswith(parent.path)
