"""The demo city: it loads once and without mail, gives every liaison work in each app,
and loads the seed plan exactly, with values that show every status.

Loading the demo is the slowest thing the suite does (a year of 1999 cases, years of
plans and reports, all through the services), so this module loads it once, in a
transaction rolled back when the module ends (`demo_city`); each test checks its part of
that one load inside its own transaction, rolled back after it as usual. One xdist worker
runs the whole module, first (tests/conftest.py, ONE_WORKER), so the demo loads once.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from guankao.core import demo
from guankao.core.models import AuditEntry, Department, Notification, User
from guankao.plans import cache, selectors
from guankao.plans import status as st
from guankao.plans.models import KPI, Goal, Measurement, Plan, Target

# The KPI table at the end of seed/000_7a205265c2605d28.txt (ROC 108–111), as written there:
# goal number and title, KPI number, KPI, measurement standard, the target of every year.
SEED = [
    (
        "一",
        "強化本府各處暨所屬機關前瞻及整體政策施政規劃能力",
        "",
        "編撰及推動年度施政計畫",
        "依限完成率",
        "100%",
    ),
    (
        "二",
        "強化為民服務，回應各階層民意需求",
        "",
        "推動本府陳情話務中心營運，整合各局處服務，回應市民市政諮詢、陳情與派工需求",
        "推動陳情話務中心持續營運順暢",
        "100%",
    ),
    (
        "三",
        "強化重要計畫及工程追蹤管考，落實政策理念",
        "1",
        "按月清查各項重大計畫及工程執行進度",
        "年度清查次數/12月x100%",
        "100%",
    ),
    (
        "三",
        "強化重要計畫及工程追蹤管考，落實政策理念",
        "2",
        "推動一般性補助款基本設施列管追蹤",
        "配合行政院國家發展委員會推動管考之相關措施",
        "100%",
    ),
    ("四", "資通安全法與相關子法之推動", "1", "資安事件發生次數", "次/年", "≦3"),
    ("四", "資通安全法與相關子法之推動", "2", "資安內部稽核", "次/年", "≧1"),
    ("四", "資通安全法與相關子法之推動", "3", "機房維運服務發生中斷次數", "次/年", "≦4"),
    (
        "四",
        "資通安全法與相關子法之推動",
        "4",
        "每年資訊安全教育訓練目標時數3小時",
        "府內員工受訓人數/府內員工人數",
        "≧80%",
    ),
    (
        "五",
        "強化政府基層機關資安防護及區域聯防計畫",
        "1",
        "建置區域聯防ISAC及SOC監控機制",
        "監控服務點",
        "≧11",
    ),
    (
        "五",
        "強化政府基層機關資安防護及區域聯防計畫",
        "2",
        "強化資安防護縱深及創新服務整合",
        "依限完成率",
        "100%",
    ),
    (
        "五",
        "強化政府基層機關資安防護及區域聯防計畫",
        "3",
        "遵循資通安全管理法相關法令應辦事項",
        "依限完成率",
        "100%",
    ),
    ("六", "推動各項e化服務", "1", "辦理推動民眾上網推廣計畫", "受訓人次", "≧4000"),
    ("六", "推動各項e化服務", "2", "辦理開放文書格式(ODF)推廣計畫", "辦理場次", "≧15"),
]
YEARS = (2019, 2020, 2021, 2022)


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module, under the settings every test has (conftest's
    `_plain_static`), with e-mail caught: what `demo.load()` returned and what it mailed."""
    files = tmp_path_factory.mktemp("demo-files")
    from django.conf import settings

    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(files)},
                },
            },
            GUANKAO_REQUIRE_2FA=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        cache.clear()
        mail.outbox = []
        loaded = demo.load()
        yield {"loaded": loaded, "mailed": list(mail.outbox)}
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def loaded(demo_city, db):
    return Plan.objects.get(department__code="ST", kind="midterm", first_year=2019)


def test_it_loads_the_demo_city_once(demo_city, db):
    assert demo_city["loaded"] is True
    assert demo.load() is False
    assert Department.objects.get(code="ST-CTRL").parent.code == "ST"
    assert Department.objects.count() == len(demo.DEPARTMENTS)
    officer = User.objects.get(username="officer")
    assert officer.is_city_wide
    assert AuditEntry.objects.filter(action="create", object_type="core.department").count() == len(
        demo.DEPARTMENTS
    )


def test_the_demo_loads_without_mail_and_gives_every_liaison_work_in_each_app(demo_city, db):
    from guankao.core import todo

    assert demo_city["mailed"] == []
    today = timezone.localdate()
    for username in ("pw.liaison", "soc.liaison", "st.liaison"):
        user = User.objects.get(username=username)
        links = {t.url for g in todo.tasks_for(user, today) for t in g["tasks"]}
        assert "/plans/my-updates/" in links, username
        assert "/tracking/my/" in links, username
        # The history's notices are read; what is left asks for work.
        assert not Notification.objects.filter(recipient=user, read_at=None, task_key="").exists()
    for username in ("pw.head", "st.head"):
        user = User.objects.get(username=username)
        kinds = {g["kind"] for g in todo.tasks_for(user, today)}
        assert todo.APPROVE in kinds, username


def test_it_loads_the_seed_plan_exactly_and_once(loaded):
    plan = loaded
    assert (plan.department.name, plan.first_year, plan.last_year) == ("智慧科技處", 2019, 2022)
    assert plan.title == "嘉義市政府智慧科技處中程(108至111年度)施政計畫"
    assert Goal.objects.filter(plan=plan).count() == 6
    assert KPI.objects.filter(goal__plan=plan).count() == 13
    assert Target.objects.filter(kpi__goal__plan=plan).count() == 52
    kpis = (
        KPI.objects.filter(goal__plan=plan).select_related("goal").order_by("goal__order", "order")
    )
    got = []
    for kpi in kpis:
        targets = dict(kpi.targets.values_list("year", "text"))
        assert sorted(targets) == list(YEARS)
        assert len(set(targets.values())) == 1
        got.append(
            (kpi.goal.number, kpi.goal.title, kpi.number, kpi.name, kpi.measure, targets[2019])
        )
    assert got == SEED

    # KPI 一 is computed from the annual plan rounds, never entered.
    kpi = KPI.objects.get(goal__plan=plan, goal__number="一")
    assert kpi.metric_key == "plans.round_on_time"
    values = dict(Measurement.objects.filter(kpi=kpi, counted=True).values_list("year", "value"))
    assert values == {2019: 100, 2020: Decimal("87.5"), 2021: 100, 2022: Decimal("87.5")}
    assert not Measurement.objects.filter(kpi=kpi, source="manual").exists()

    # KPI 三 is computed from the controlled cases: 110/11 not reviewed, one late 109/08 report.
    for number, key, expected in (
        ("1", "tracking.monthly_review", {2021: Decimal("91.67")}),
        ("2", "tracking.grant_reports_on_time", {2020: Decimal("97.22")}),
    ):
        kpi = KPI.objects.get(goal__plan=plan, goal__number="三", number=number)
        assert kpi.metric_key == key
        assert {year: _actual(year, kpi.name) for year in YEARS} == {
            **dict.fromkeys(YEARS, Decimal(100)),
            **expected,
        }

    # The demo's correction is kept as a revision.
    rows = Measurement.objects.filter(
        kpi__goal__plan=plan, kpi__name="辦理推動民眾上網推廣計畫", year=2022, period=3
    ).order_by("revision")
    assert [(m.revision, m.value, m.counted) for m in rows] == [(1, 150, False), (2, 160, True)]

    counts = (Plan.objects.count(), Measurement.objects.count(), Target.objects.count())
    demo.load()
    assert (Plan.objects.count(), Measurement.objects.count(), Target.objects.count()) == counts


def _actual(year, name):
    officer = User.objects.get(username="officer")
    rows = selectors.scorecard(
        user=officer,
        year=year,
        department=Department.objects.get(code="ST"),
        as_of=dt.date(2023, 1, 1),
    )
    return next(row.result.actual.quantize(Decimal("0.01")) for row in rows if row.kpi.name == name)


def _statuses(year, as_of):
    officer = User.objects.get(username="officer")
    department = Department.objects.get(code="ST")
    rows = selectors.scorecard(user=officer, year=year, department=department, as_of=as_of)
    return {row.kpi.name: row.result.status for row in rows}


def test_it_shows_every_status(loaded, client):
    for year in YEARS:
        statuses = _statuses(year, dt.date(2023, 1, 1))
        assert len(statuses) == 13
        counts = Counter(statuses.values())
        assert counts[st.MET] and counts[st.NOT_MET], year
        assert set(counts) <= {st.MET, st.NOT_MET, st.NO_DATA}
        # seccore: computed from the demo incidents (110 had four, over the ≦3 target)
        assert statuses["資安事件發生次數"] == (st.NOT_MET if year == 2021 else st.MET)

    statuses = _statuses(2022, dt.date(2022, 6, 30))
    assert {st.ON_TRACK, st.AT_RISK, st.OFF_TRACK} <= set(statuses.values())
    # secops: 五-2 is computed from the cases tagged 資安防護 (none in 108: no data then)
    assert statuses["強化資安防護縱深及創新服務整合"] == st.ON_TRACK
    assert _statuses(2019, dt.date(2023, 1, 1))["強化資安防護縱深及創新服務整合"] == st.NO_DATA
    assert statuses["辦理推動民眾上網推廣計畫"] == st.OFF_TRACK
    assert statuses["每年資訊安全教育訓練目標時數3小時"] == st.AT_RISK
    assert statuses["資安事件發生次數"] == st.ON_TRACK

    client.force_login(User.objects.get(username="st.liaison"))
    client.cookies["django_language"] = "en"
    response = client.get("/scorecard/", {"year": "111", "as_of": "111/06/30"})
    html = response.content.decode()
    for word in ("On track", "At risk", "Off track"):
        assert word in html
    assert "No data" in client.get("/scorecard/", {"year": "108"}).content.decode()


# secops: KPIs 四-4, 五-1, 五-2 and 五-3 computed from the security records and tagged cases
SECOPS_KPIS = {
    "每年資訊安全教育訓練目標時數3小時": (st.NOT_MET, st.MET, st.MET),
    "建置區域聯防ISAC及SOC監控機制": (st.NOT_MET, st.MET, st.MET),
    "強化資安防護縱深及創新服務整合": (st.MET, st.NOT_MET, st.MET),
    "遵循資通安全管理法相關法令應辦事項": (st.MET, st.NOT_MET, st.MET),
}


def test_the_security_kpis_show_real_statuses(loaded):
    for index, year in enumerate((2020, 2021, 2022)):
        statuses = _statuses(year, dt.date(2023, 1, 1))
        for name, expected in SECOPS_KPIS.items():
            assert statuses[name] == expected[index], (name, year)


def test_the_demo_street_problems_are_on_the_map(demo_city, db, client, settings):
    from guankao.petitions.models import Case

    west, south, east, north = settings.GUANKAO_CITY_BBOX
    street = Case.objects.filter(category__public=True)
    assert street.count() > 100
    assert not street.filter(latitude=None).exists()
    for lat, long in street.values_list("latitude", "longitude"):
        assert south <= lat <= north and west <= long <= east
    shown = client.get("/open311/v2/requests.json").json()
    assert shown and all(r["lat"] and r["long"] for r in shown)
