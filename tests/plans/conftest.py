"""A PW mid-term plan (2025–2027) built through the services, with a KPI of each kind.

| key | KPI | direction | accumulation | frequency | path | target |
|---|---|---|---|---|---|---|
| rate | 工程查核完成率 | higher | last | monthly | flat | ≧80% |
| incidents | 工安事故次數 | lower | sum | monthly | flat | ≦3 |
| trainees | 工安講習受訓人次 | higher | sum | monthly | linear | ≧4000 |
| ratio | 補助款列管項目如期率 | higher | ratio | quarterly | flat | 100% |
| audits | 內部稽核 | higher | sum | yearly | flat | ≧1 |
| range | 預算執行率 | range | last | quarterly | flat | 80%~90% |
| round | 年度施政計畫依限完成率 | higher | last | yearly | flat | 100% (metric) |
"""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from guankao.plans import services
from guankao.plans.models import Measurement, Plan

YEARS = (2025, 2026, 2027)
KPIS = {
    "rate": (
        "1",
        "工程查核完成率",
        "查核完成數/應查核數",
        "%",
        "higher",
        "last",
        "monthly",
        "flat",
        "≧80%",
        "",
    ),
    "incidents": ("2", "工安事故次數", "次/年", "次", "lower", "sum", "monthly", "flat", "≦3", ""),
    "trainees": (
        "3",
        "工安講習受訓人次",
        "受訓人次",
        "人次",
        "higher",
        "sum",
        "monthly",
        "linear",
        "≧4000",
        "",
    ),
    "ratio": (
        "1",
        "補助款列管項目如期率",
        "如期項目/列管項目",
        "%",
        "higher",
        "ratio",
        "quarterly",
        "flat",
        "100%",
        "",
    ),
    "audits": ("2", "內部稽核", "次/年", "次", "higher", "sum", "yearly", "flat", "≧1", ""),
    "range": (
        "3",
        "預算執行率",
        "執行數/預算數",
        "%",
        "range",
        "last",
        "quarterly",
        "flat",
        "80%~90%",
        "",
    ),
    "round": (
        "1",
        "年度施政計畫依限完成率",
        "依限完成率",
        "%",
        "higher",
        "last",
        "yearly",
        "flat",
        "100%",
        "plans.round_on_time",
    ),
}
GOAL_OF = {
    "rate": "一",
    "incidents": "一",
    "trainees": "一",
    "ratio": "二",
    "audits": "二",
    "range": "二",
    "round": "三",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def plan(people, city):
    return services.plan_create(
        actor=people["officer"],
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title="工務處中程施政計畫(114至116年度)",
        first_year=2025,
        last_year=2027,
    )


@pytest.fixture
def goals(plan, people):
    titles = {"一": "提升工程品質", "二": "落實預算管考", "三": "強化施政規劃"}
    return {
        number: services.goal_create(
            actor=people["officer"], plan=plan, number=number, title=title, order=i
        )
        for i, (number, title) in enumerate(titles.items(), start=1)
    }


@pytest.fixture
def kpis(goals, people):
    out = {}
    for order, (key, row) in enumerate(KPIS.items()):
        number, name, measure, unit, direction, acc, freq, path, target, metric = row
        out[key] = services.kpi_create(
            actor=people["officer"],
            goal=goals[GOAL_OF[key]],
            number=number,
            name=name,
            measure=measure,
            unit=unit,
            direction=direction,
            accumulation=acc,
            frequency=freq,
            path=path,
            metric_key=metric,
            order=order,
            targets=dict.fromkeys(YEARS, target),
        )
    return out


@pytest.fixture
def approved(people):
    """Record a value as the liaison and approve it as the head."""

    def approve(kpi, year, period, value=None, **data):
        if value is not None:
            data["value"] = value
        m = services.measurement_record(
            actor=people["liaison"], kpi=kpi, year=year, period=period, **data
        )
        return services.measurement_approve(actor=people["head"], measurement_id=m.pk)

    return approve


def png_file(name="evidence.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def counted_value(kpi, year, period) -> Decimal | None:
    row = Measurement.objects.filter(kpi=kpi, year=year, period=period, counted=True).first()
    return None if row is None else row.value
