"""Demo: controlled cases tagged 資安防護 with milestones in ROC 109–111, the records of
KPI 五-2 (強化資安防護縱深及創新服務整合, 依限完成率, metric
`tracking.tagged_milestones_on_time`). Each case ran one year and was released after it,
so it owes no monthly report today. 110 has one milestone done late (not met)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from guankao.core.demo import register_extension
from guankao.core.models import Department, User
from guankao.tracking import services
from guankao.tracking.metrics import TAGGED_MILESTONES_TAG
from guankao.tracking.models import Item

# (number, title, year, [(milestone, due month, due day, days late)])
CASES = [
    (
        "SEC-109-01",
        "資安防護縱深強化計畫（端點防護及網路分段）",
        2020,
        [
            ("需求訪談及現況盤點", 3, 31, 0),
            ("端點防護（EDR）導入", 6, 30, 0),
            ("網路分段設計及建置", 9, 30, 0),
            ("驗收及弱點複測", 12, 15, 0),
        ],
    ),
    (
        "SEC-110-01",
        "資安聯防監控（SOC）擴充建置案",
        2021,
        [
            ("監控需求及日誌來源盤點", 3, 31, 0),
            ("所屬機關監控服務點介接", 6, 30, 0),
            ("監控平臺擴充上線", 9, 30, 21),
            ("年度監控報告", 12, 20, 0),
        ],
    ),
    (
        "SEC-111-01",
        "零信任網路架構導入及創新服務整合",
        2022,
        [
            ("身分鑑別（多因子）導入", 3, 31, 0),
            ("設備鑑別及信任推斷", 6, 30, 0),
            ("創新服務整合測試", 9, 30, 0),
            ("驗收及成果報告", 12, 20, 0),
        ],
    ),
]


@register_extension
@transaction.atomic
def load() -> bool:
    if Item.objects.filter(tags__name=TAGGED_MILESTONES_TAG).exists():
        return False
    liaison = User.objects.get(username="st.liaison")
    lead = Department.objects.get(code="ST")
    for number, title, year, milestones in CASES:
        item = services.item_create(
            actor=liaison,
            kind="major",
            number=number,
            title=title,
            lead=lead,
            start_date=dt.date(year, 1, 2),
            tags=[TAGGED_MILESTONES_TAG, "資通安全"],
        )
        for name, month, day, late in milestones:
            due = dt.date(year, month, day)
            milestone = services.milestone_add(actor=liaison, item=item, title=name, due=due)
            services.milestone_done(
                actor=liaison,
                milestone=milestone,
                done_on=due + dt.timedelta(days=late - 3)
                if not late
                else due + dt.timedelta(days=late),
            )
        # A case of years ago: under control that year, released after it (demo back-fill).
        released = timezone.make_aware(dt.datetime(year + 1, 1, 20, 10))
        Item.objects.filter(pk=item.pk).update(
            status=Item.Status.RELEASED,
            released_at=released,
            completed_on=dt.date(year, 12, 31),
            created_at=timezone.make_aware(dt.datetime(year, 1, 2, 9)),
        )
    return True
