"""How the audit trail names plans' records: 「KPI 五-2 111年第3季 第4版」, not
`plans.measurement #420`."""

from django.utils.translation import gettext as _

from guankao.core import audit
from guankao.plans.models import Measurement
from guankao.plans.notices import period_label


def kpi_label(kpi) -> str:
    number = f"{kpi.goal.number}-{kpi.number}" if kpi.number else kpi.goal.number
    return _("KPI %(number)s") % {"number": number}


def measurement_names(ids: list[str]) -> dict[str, str]:
    rows = Measurement.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    names = {}
    for m in rows.select_related("kpi__goal"):
        names[str(m.pk)] = _("%(kpi)s %(period)s, revision %(n)d") % {
            "kpi": kpi_label(m.kpi),
            "period": period_label(m.kpi, m.year, m.period),
            "n": m.revision,
        }
    return names


def register() -> None:
    audit.describe_model("plans.measurement", namer=measurement_names)
