"""Demo: training records, duty instances and SOC points (KPIs 四-4, 五-1, 五-3).

The demo city's staff are given a joining date years back (the roster's history: most
joined before 108, four in 110), so the roster at each year's end holds them. Training is
imported through the e-learning import, a file a year, for 109–111 and this year: 109 ends
short of 80 %, 110 and 111 meet it (111 is back-loaded: at risk at mid-year); this year
some are still short in December. Duties: each agency's instances for 109–111 and this year
(history back-filled as accepted, one late in 110; this year through the services, some
still open). SOC: 12 points, 10 since 109, the 11th from 110, the 12th from 111, one per
day each reported; one point silent for three days now.
"""

import datetime as dt
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from guankao.core.demo import register_extension
from guankao.core.jobs import run_once
from guankao.core.models import Role, User
from guankao.lib.roc import roc_year
from guankao.security import access, duties, soc
from guankao.security.models import (
    Agency,
    DutyInstance,
    ItStaff,
    SocPoint,
    SocPointDay,
    TrainingRecord,
)
from guankao.security.training_import import training_import

YEARS = (2020, 2021, 2022)
# Share of the staff who reach 3 hours by the year's end, and how late in the year they
# take their courses (a higher skew: later).
REACH = {2020: 0.66, 2021: 0.92, 2022: 0.88}
SKEW = {2020: 1.0, 2021: 1.0, 2022: 0.75}
COURSES = [
    ("資通安全概論", "數位發展部 e等公務園+"),
    ("個人資料保護與資安實務", "數位發展部 e等公務園+"),
    ("社交工程防範", "嘉義市政府智慧科技處"),
    ("電子郵件安全與釣魚辨識", "國家資通安全研究院"),
]
PROFESSIONAL = ("資安防護技術實務（專業課程）", "國家資通安全研究院")
SECURITY = ("資通安全專業證照課程", "國家資通安全研究院")
LATE_JOINERS = ("staff070", "staff071", "staff072", "staff073")
IT_DEPARTMENT = "ST-ICT"


def _u(*parts) -> float:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _day(year: int, u: float, skew: float, last: dt.date) -> dt.date:
    span = (min(dt.date(year, 12, 20), last) - dt.date(year, 1, 5)).days
    return dt.date(year, 1, 5) + dt.timedelta(days=int(span * u**skew))


@register_extension
def load() -> bool:
    if TrainingRecord.objects.exists() or not Agency.objects.exists():
        return False
    ciso = User.objects.get(username="ciso")
    today = timezone.localdate()
    with transaction.atomic():
        _roster_history()
        _training(ciso, today)
        _duties(ciso, today)
        _soc(ciso, today)
    # KPIs 四-4, 五-1, 五-2 and 五-3 of the demo plan are bound to these records.
    run_once(timezone.now(), ["plans.compute_metrics"])
    return True


def _roster_history() -> None:
    staff = User.objects.filter(department__isnull=False)
    staff.exclude(username__in=LATE_JOINERS).update(
        date_joined=timezone.make_aware(dt.datetime(2015, 3, 1, 9))
    )
    staff.filter(username__in=LATE_JOINERS).update(
        date_joined=timezone.make_aware(dt.datetime(2021, 7, 1, 9))
    )
    for person in staff.filter(department__code=IT_DEPARTMENT):
        ItStaff.objects.get_or_create(user=person, defaults={"since": dt.date(2015, 3, 1)})


def _rows_for(person: User, year: int, today: dt.date, security: bool, it: bool) -> list[str]:
    last = min(today, dt.date(year, 12, 31))
    reach = REACH.get(year, 0.78 if today.month >= 11 else 0.6)
    skew = SKEW.get(year, 1.0)
    rows = []
    if _u(person.username, year, "reach") < reach:
        day = _day(year, _u(person.username, year, "day"), skew, last)
        course, provider = COURSES[int(_u(person.username, year, "c") * len(COURSES))]
        rows.append((course, provider, day, "3", "一般"))
    elif _u(person.username, year, "part") < 0.6:  # started, not done
        day = _day(year, _u(person.username, year, "day"), 1.0, last)
        rows.append((COURSES[0][0], COURSES[0][1], day, "1.5", "一般"))
    if it and year % 2 == 0:
        day = _day(year, _u(person.username, year, "pro"), 1.0, last)
        rows.append((*PROFESSIONAL, day, "3", "專業"))
    if security:
        for n in range(4):
            day = _day(year, (n + _u(person.username, year, "sec", n)) / 4, 1.0, last)
            rows.append((f"{SECURITY[0]}（{n + 1}）", SECURITY[1], day, "3", "資安專職"))
    return [
        f"{person.username},{course},{day.isoformat()},{hours},{kind},{provider}"
        for course, provider, day, hours, kind in rows
        if day <= last
    ]


def _training(ciso: User, today: dt.date) -> None:
    people = list(User.objects.filter(department__isnull=False, is_active=True).order_by("pk"))
    security = set(
        User.objects.filter(role_assignments__role__in=[Role.SECURITY, Role.CISO]).values_list(
            "pk", flat=True
        )
    )
    it = set(ItStaff.objects.values_list("user_id", flat=True))
    for year in (*YEARS, today.year):
        lines = ["帳號,課程名稱,日期,時數,類別,開課單位"]
        for person in people:
            if year < 2021 and person.username in LATE_JOINERS:
                continue
            lines += _rows_for(person, year, today, person.pk in security, person.pk in it)
        content = ("\n".join(lines) + "\n").encode()
        training_import(actor=ciso, content=content, filename=f"e等公務園-{roc_year(year)}.csv")


def _duties(ciso: User, today: dt.date) -> None:
    for year in (*YEARS, today.year):
        duties.duties_generate(actor=ciso, year=year)
    history = DutyInstance.objects.filter(year__in=YEARS)
    for instance in history.select_related("agency__department"):
        late = instance.year == 2021 and instance.duty.code == "social" and instance.seq == 2
        accepted = instance.due + dt.timedelta(days=12 if late else -5)
        DutyInstance.objects.filter(pk=instance.pk).update(
            state=DutyInstance.State.ACCEPTED,
            note="依計畫辦理完成，報告如附件。",
            submitted_at=timezone.make_aware(dt.datetime.combine(accepted, dt.time(9))),
            submitted_by=ciso,
            accepted_on=accepted,
            accepted_by=ciso,
        )
    # This year: those due by now reported through the services with their evidence and
    # accepted; the city's social-engineering drill of the first half accepted late; the
    # household office's vulnerability scan still open (overdue).
    current = DutyInstance.objects.filter(year=today.year, due__lt=today).select_related(
        "agency__department", "duty"
    )
    officer = User.objects.get(username="security")
    for instance in current:
        if instance.agency.department.code == "HR-E":
            continue
        actor = officer if access.can_manage(officer, instance.agency) else ciso
        evidence = SimpleUploadedFile(
            "成果報告.txt", f"{instance.duty.name} 成果報告\n".encode(), content_type="text/plain"
        )
        duties.duty_submit(actor=actor, instance=instance, note="已依規定辦理。", files=[evidence])
        late = instance.duty.code == "social" and instance.agency.level == "A"
        on = instance.due + dt.timedelta(days=9 if late else -2)
        duties.duty_decide(actor=ciso, instance=instance, accept=True, on=min(on, today))


# (agency code, name, site, log sources, first year)
POINTS = [
    ("CYC", "市府核心機房", "市府大樓 B1 機房", "防火牆、AD、DNS、郵件閘道", 2020),
    ("CYC", "市府網際網路出口", "市府大樓 B1 機房", "防火牆、IPS、WAF", 2020),
    ("CYC", "市府公文系統", "市府大樓 B1 機房", "應用系統、資料庫稽核", 2020),
    ("CYC", "市府端點防護", "市府各處", "EDR、防毒主控台", 2020),
    ("CYC", "1999 市民服務中心", "市民服務中心", "話務系統、防火牆", 2020),
    ("HR-E", "東區戶政網路", "東區戶政事務所", "防火牆、AD", 2020),
    ("HR-W", "西區戶政網路", "西區戶政事務所", "防火牆、AD", 2020),
    ("DO-E", "東區區公所網路", "東區區公所", "防火牆", 2020),
    ("DO-W", "西區區公所網路", "西區區公所", "防火牆", 2020),
    ("FUN", "殯葬管理所網路", "殯葬管理所", "防火牆", 2020),
    ("STAD", "體育場網路", "體育場", "防火牆、無線網路控制器", 2021),
    ("FEC", "家庭教育中心網路", "家庭教育中心", "防火牆", 2022),
]
SILENT = "家庭教育中心網路"


def _soc(ciso: User, today: dt.date) -> None:
    agencies = {a.department.code: a for a in Agency.objects.select_related("department")}
    now = timezone.now()
    days = []
    for code, name, site, sources, first_year in POINTS:
        point, _token = soc.point_create(
            actor=ciso, agency=agencies[code], name=name, site=site, log_sources=sources
        )
        start = dt.date(first_year, 2 if first_year > 2020 else 1, 1)
        end = today - dt.timedelta(days=3) if name == SILENT else today
        SocPoint.objects.filter(pk=point.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
        )
        day = start
        while day <= end:
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 50)))
            if day == today:
                at = now
            seen = int(_u(name, day) * 5000)
            days.append(
                SocPointDay(
                    point=point,
                    day=day,
                    first_at=at,
                    last_at=at,
                    beats=288,
                    events=seen,
                    alerts=seen // 997,
                )
            )
            day += dt.timedelta(days=1)
        last = days[-1].last_at
        SocPoint.objects.filter(pk=point.pk).update(last_seen_at=last)
    SocPointDay.objects.bulk_create(days, batch_size=2000)
