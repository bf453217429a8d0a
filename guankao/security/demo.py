"""The demo city's agencies and their responsibility levels. The registers' demo data
(incidents, audits, outages, training, duties, SOC points) is added by their own modules."""

from django.db import transaction

from guankao.core.demo import register_extension
from guankao.core.models import Department, User
from guankao.security import services
from guankao.security.models import Agency

# (department code, level, approval reference)
LEVELS = [
    ("CYC", "A", "資通安全責任等級核定 府授智字第1080000001號"),
    ("FUN", "C", ""),
    ("HR-E", "C", ""),
    ("HR-W", "C", ""),
    ("DO-E", "C", ""),
    ("DO-W", "C", ""),
    ("STAD", "D", ""),
    ("FEC", "D", ""),
    ("SCH-BX", "D", ""),
    ("SCH-MS", "D", ""),
    ("SCH-YS", "D", ""),
    ("SCH-CW", "D", ""),
    ("SCH-DT", "D", ""),
]


@register_extension
@transaction.atomic
def load() -> bool:
    if Agency.objects.exists():
        return False
    ciso = User.objects.get(username="ciso")
    departments = Department.objects.in_bulk([code for code, *_ in LEVELS], field_name="code")
    for code, level, ref in LEVELS:
        services.agency_set(actor=ciso, department=departments[code], level=level, approved_ref=ref)
    return True


# The registers' demo data, loaded after the agencies above: incidents, audits, core
# systems and outages (demo_registers); training, duties and SOC points (demo_secops).
from guankao.security import demo_registers, demo_secops  # noqa: E402, F401
