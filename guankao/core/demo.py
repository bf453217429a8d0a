"""The demo city: Chiayi City Government's organisation as the 108–111 plan names it.

Loaded through the services, so the demo starts with a real audit trail.
"""

from contextlib import contextmanager

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from guankao.core import audit, services
from guankao.core.models import AuditEntry, Department, Notification, Role, User

PASSWORD = "Guankao-demo-2026"

# (code, name, English name, kind, parent code)
DEPARTMENTS = [
    ("CYC", "嘉義市政府", "Chiayi City Government", "government", None),
    ("SEC", "秘書處", "Secretariat", "office", "CYC"),
    ("CIV", "民政處", "Civil Affairs Department", "office", "CYC"),
    ("CON", "建設處", "Construction Department", "office", "CYC"),
    ("PW", "工務處", "Public Works Department", "office", "CYC"),
    ("EDU", "教育處", "Education Department", "office", "CYC"),
    ("SOC", "社會處", "Social Affairs Department", "office", "CYC"),
    ("ST", "智慧科技處", "Smart Technology Department", "office", "CYC"),
    ("ST-PLAN", "綜合規劃科", "Planning Section", "section", "ST"),
    ("ST-CTRL", "管制考核科", "Control and Evaluation Section", "section", "ST"),
    ("ST-ICT", "資通建設科", "ICT Infrastructure Section", "section", "ST"),
    ("ST-SVC", "應用服務科", "Application Services Section", "section", "ST"),
    ("TRA", "交通處", "Transportation Department", "office", "CYC"),
    ("TOUR", "觀光新聞處", "Tourism and Information Department", "office", "CYC"),
    ("LAND", "地政處", "Land Administration Department", "office", "CYC"),
    ("URB", "都市發展處", "Urban Development Department", "office", "CYC"),
    ("ADM", "行政處", "General Administration Department", "office", "CYC"),
    ("PER", "人事處", "Personnel Department", "office", "CYC"),
    ("ACC", "主計處", "Budget, Accounting and Statistics Department", "office", "CYC"),
    ("ETH", "政風處", "Civil Service Ethics Department", "office", "CYC"),
    ("POL", "警察局", "Police Department", "bureau", "CYC"),
    ("FIRE", "消防局", "Fire Bureau", "bureau", "CYC"),
    ("HLTH", "衛生局", "Public Health Bureau", "bureau", "CYC"),
    ("EPB", "環境保護局", "Environmental Protection Bureau", "bureau", "CYC"),
    ("TAX", "財政稅務局", "Finance and Taxation Bureau", "bureau", "CYC"),
    ("CUL", "文化局", "Cultural Affairs Bureau", "bureau", "CYC"),
    ("FUN", "殯葬管理所", "Funeral Services Office", "agency", "CIV"),
    ("HR-E", "東區戶政事務所", "East District Household Registration Office", "agency", "CIV"),
    ("HR-W", "西區戶政事務所", "West District Household Registration Office", "agency", "CIV"),
    ("DO-E", "東區區公所", "East District Office", "agency", "CIV"),
    ("DO-W", "西區區公所", "West District Office", "agency", "CIV"),
    ("STAD", "體育場", "Chiayi City Stadium", "agency", "EDU"),
    ("FEC", "家庭教育中心", "Family Education Center", "agency", "EDU"),
    ("SCH-BX", "嘉義市立北興國民中學", "Beixing Junior High School", "school", "EDU"),
    ("SCH-MS", "嘉義市立民生國民中學", "Minsheng Junior High School", "school", "EDU"),
    ("SCH-YS", "嘉義市立玉山國民中學", "Yushan Junior High School", "school", "EDU"),
    ("SCH-CW", "嘉義市東區崇文國民小學", "Chongwen Elementary School", "school", "EDU"),
    ("SCH-DT", "嘉義市西區大同國民小學", "Datong Elementary School", "school", "EDU"),
    ("ST-1999", "市民服務中心", "Citizen Service Centre", "section", "ST"),
]

# (username, name, department, title, roles, login description shown by `make demo`)
PEOPLE = [
    ("admin", "系統管理員", "ST-ICT", "資訊管理師", [Role.ADMIN], "system administrator"),
    ("officer", "林管考", "ST-CTRL", "科長", [Role.OFFICER], "管考 officer (city-wide)"),
    ("pw.liaison", "陳聯絡", "PW", "工程員", [Role.LIAISON], "liaison, 工務處"),
    ("pw.head", "黃處長", "PW", "處長", [Role.HEAD], "head, 工務處"),
    (
        "soc.liaison",
        "張社工",
        "SOC",
        "科員",
        [Role.LIAISON],
        "liaison, 社會處 (another department)",
    ),
    ("mayor", "黃市長", "CYC", "市長", [Role.EXECUTIVE], "executive reader (mayor)"),
    ("secgen", "李秘書長", "CYC", "秘書長", [Role.EXECUTIVE], "executive reader"),
    ("st.liaison", "吳研考", "ST", "研考員", [Role.LIAISON], "liaison, 智慧科技處"),
    ("st.head", "蔡處長", "ST", "處長", [Role.HEAD], "head, 智慧科技處"),
    ("callcentre", "許話務", "ST-1999", "話務人員", [Role.CALLTAKER], "call-taker, 市民服務中心"),
    ("epb.liaison", "郭環保", "EPB", "技士", [Role.LIAISON], "liaison, 環境保護局"),
    ("ciso", "葉資安長", "CYC", "副市長", [Role.CISO], "CISO (資安長, every agency's security)"),
    ("security", "周資安", "ST-ICT", "資安工程師", [Role.SECURITY], "security officer, 市府"),
    (
        "hre.security",
        "鄭資訊",
        "HR-E",
        "資訊管理員",
        [Role.SECURITY],
        "security officer, 東區戶政事務所 (another agency)",
    ),
]
LOGINS = [(p[0], p[5]) for p in PEOPLE]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = ["志明", "淑芬", "家豪", "雅婷", "俊傑", "怡君", "冠宇", "佩珊", "建宏", "美玲"]


_extensions = []


def register_extension(load_function):
    """Apps add their demo data (in their own demo.py) on top of the city's."""
    _extensions.append(load_function)
    return load_function


def load() -> bool:
    """Load the demo city and every app's demo data, each once. True if the city was loaded.

    The demo's history (years of reports, approvals, returns) is loaded without sending
    mail, so the console shows the address and the logins, not hundreds of e-mails; its
    notices are kept in the app, and those that ask for no work are already read."""
    autodiscover_modules("demo")
    started = timezone.now()
    with quiet_mail():
        loaded = _load_city()
        for extension in _extensions:
            extension()
    Notification.objects.filter(created_at__gte=started, task_key="", read_at=None).update(
        read_at=timezone.now()
    )
    return loaded


@contextmanager
def quiet_mail():
    """No e-mail leaves while the demo loads: the mail backend is the dummy one (notices are
    still written and marked e-mailed, so the worker never sends them later)."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        yield


@transaction.atomic
def _load_city() -> bool:
    if Department.objects.filter(code="CYC").exists():
        return False
    admin = User.objects.create_user(
        username="admin", password=PASSWORD, display_name="系統管理員", is_staff=True
    )
    services._set_roles(admin, {Role.ADMIN})
    audit.record(actor=None, action=AuditEntry.Action.CREATE, obj=admin, note="demo bootstrap")
    departments = {}
    for order, (code, name, name_en, kind, parent) in enumerate(DEPARTMENTS):
        departments[code] = services.department_create(
            actor=admin,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            parent=departments.get(parent),
            sort_order=order,
        )
    services.staff_update(
        actor=admin, user=admin, department=departments["ST-ICT"], title="資訊管理師"
    )
    for username, name, dept, title, roles, _label in PEOPLE[1:]:
        services.staff_create(
            actor=admin,
            username=username,
            display_name=name,
            department=departments[dept],
            title=title,
            roles=roles,
            email=f"{username}@demo.chiayi.example",
            phone="05-2254321",
            password=PASSWORD,
        )
    for i, (code, *_rest) in enumerate(DEPARTMENTS[1:]):
        for j in range(2):
            n = i * 2 + j
            services.staff_create(
                actor=admin,
                username=f"staff{n:03d}",
                display_name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 3) % len(GIVEN)],
                department=departments[code],
                title="科員",
                email=f"staff{n:03d}@demo.chiayi.example",
                phone=f"05-22{n:05d}",
            )
    return True
