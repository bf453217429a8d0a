"""KPI 四-4 (training coverage): the roster on a day, the counted people, the shortfalls,
the metric and the reminders."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guankao.core import services as core_services
from guankao.core.models import NoticeSent, Notification, User
from guankao.plans import registry
from guankao.security import coverage, jobs_secops, metrics, selectors_secops
from guankao.security.models import ItStaff, TrainingRecord


def _add(user, day, hours, kind="general", course="資安通識"):
    TrainingRecord.objects.create(
        user=user,
        department=user.department,
        course=course,
        date=day,
        hours=Decimal(hours),
        kind=kind,
        created_by=user,
    )


def _joined(user, day):
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    )


def test_the_roster_of_a_day_follows_joining_and_leaving(sec_people, city):
    p = sec_people
    for user in User.objects.all():
        _joined(user, dt.date(2020, 1, 1))
    _joined(p["worker"], dt.date(2021, 6, 1))
    # leaving (is_active off) is an audit entry of its time: the roster before it keeps them
    core_services.staff_update(actor=p["admin"], user=p["head"], is_active=False)
    before = coverage.roster_on(dt.date(2020, 12, 31))
    assert p["head"].pk in before and p["worker"].pk not in before
    assert p["unplaced"].pk not in before  # no department: not on the roster
    assert p["head"].pk not in coverage.roster_on(timezone.localdate())
    assert p["worker"].pk in coverage.roster_on(dt.date(2021, 12, 31))


def test_the_metric_counts_three_hours_in_the_year_and_lists_who(sec_people, city):
    p = sec_people
    for user in User.objects.all():
        _joined(user, dt.date(2020, 1, 1))
    _add(p["worker"], dt.date(2021, 3, 1), "1.5")
    _add(p["worker"], dt.date(2021, 9, 1), "1.5", course="社交工程")
    _add(p["liaison"], dt.date(2021, 5, 1), "3", kind="security")
    _add(p["head"], dt.date(2020, 12, 31), "3")  # the year before: not counted
    metric = registry.get("security.training_coverage")
    year_end = registry.Period(2021, 4, 4)
    value, counted, staff = metric.compute(year_end, None)
    assert (counted, staff) == (2, User.objects.exclude(department=None).count())
    assert value == (Decimal(200) / staff).quantize(Decimal("0.01"))
    q2 = metric.compute(registry.Period(2021, 2, 4), None)
    assert q2[1] == 1  # by 6/30 only the liaison had 3 hours
    records = list(metric.records(year_end, None))
    assert len(records) == staff, [r.label for r in records]
    # each line says what was counted: the year's hours of any kind of security training
    assert all("各類資安教育訓練" in r.label for r in records)
    counted_labels = sorted(r.label for r in records if "不計入" not in r.label)
    assert len(counted_labels) == 2 and counted_labels[0].startswith("工務處")
    assert "合計 3 小時" in counted_labels[0] and "計入：達 3 小時" in counted_labels[0]
    # a department's scope: PW and its sub-units
    pw = metric.compute(year_end, city["pw"])
    assert (pw[1], pw[2]) == (2, 3)
    assert metric.compute(registry.Period(2019, 4, 4), None) is None  # no records that year


def test_shortfalls_follow_the_requirements_of_the_role(sec_people, city):
    p = sec_people
    ItStaff.objects.create(user=p["admin"])
    _add(p["security"], dt.date(2026, 2, 1), "6", kind="security")
    _add(p["admin"], dt.date(2026, 2, 1), "3", kind="general")
    rows = {r["person"].username: r for r in coverage.shortfalls(2026, as_of=dt.date(2026, 12, 31))}
    assert [o["short"] for o in rows["security"]["owed"]] == [Decimal(6)]  # 12 h of security
    assert [o["rule"].audience for o in rows["admin"]["owed"]] == ["it"]  # professional 3 h
    assert [o["short"] for o in rows["worker"]["owed"]] == [Decimal(3)]
    mine = selectors_secops.training_shortfalls(user=p["liaison"], year=2026)
    assert {r["person"].username for r in mine} == {"liaison", "head", "worker"}
    assert selectors_secops.training_shortfalls(user=p["worker"], year=2026) == []


def test_coverage_by_department_is_a_fixed_number_of_queries(
    sec_people, django_assert_max_num_queries
):
    p = sec_people
    _add(p["worker"], dt.date(2026, 2, 1), "3")
    with django_assert_max_num_queries(4):
        rows = selectors_secops.training_coverage_by_department(user=p["officer"], year=2026)
    pw1 = next(r for r in rows if r["department"]["code"] == "PW-1")
    assert (pw1["staff"], pw1["trained"], pw1["share"]) == (1, 1, 100.0)


def test_the_reminders_go_in_the_last_quarter_once_a_month(sec_people, mailoutbox):
    p = sec_people
    for user in User.objects.all():
        _joined(user, dt.date(2020, 1, 1))
    _add(p["worker"], dt.date(2026, 2, 1), "3")
    september = timezone.make_aware(dt.datetime(2026, 9, 15, 9))
    assert jobs_secops.training_reminders(september) == 0
    november = timezone.make_aware(dt.datetime(2026, 11, 15, 9))
    sent = jobs_secops.training_reminders(november)
    assert sent == User.objects.exclude(department=None).count() - 1
    assert not Notification.objects.filter(recipient=p["worker"]).exists()
    assert Notification.objects.filter(recipient=p["head"]).count() == 1
    assert jobs_secops.training_reminders(november + dt.timedelta(days=1)) == 0  # once a month
    assert jobs_secops.training_reminders(november + dt.timedelta(days=20)) == sent  # December
    assert NoticeSent.objects.filter(key__startswith="security.training:2026:12:").count() == sent


def test_the_metric_module_exposes_period_days():
    assert metrics.period_days(registry.Period(2026, 4, 4)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert metrics.period_days(registry.Period(2026, 2, 12)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
