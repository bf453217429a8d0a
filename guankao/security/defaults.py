"""The shipped training requirements and statutory duties of each level, each with its basis
(the regulation, its article and annex) beside it.

Sources, as checked in December 2026:
- 資通安全責任等級分級辦法 (last amended 110.08.23, 第5–7條 and 第11條 附表一至八、十): the
  duties of each level are in the annex of 第11條 for its level — 附表一 A級公務機關,
  附表三 B級, 附表五 C級, 附表七 D級, 附表八 E級 (附表二、四、六 are the 特定非公務機關's).
- The drills (社交工程演練 every half year, 資通安全事件通報及應變演練 every year) are not in
  those annexes: the 直轄市、縣(市)政府 plans them for itself and every agency under it
  (資通安全事件通報及應變辦法, 110.08.23 text, 第8條; re-issued 115.01.05 as 資通安全事件
  通報應變及演練辦法, whose article for the drills was not found).

An administrator (the CISO) edits every value afterwards; `seed_defaults` adds the rows
that are missing and `apply_defaults` (migration 0005) brings a shipped row that still holds
an earlier shipped value to the current one, never touching a value someone changed.
"""

LAW = "資通安全責任等級分級辦法 第11條"
ANNEX = {"A": "附表一", "B": "附表三", "C": "附表五", "D": "附表七", "E": "附表八"}
DRILLS = "資通安全事件通報及應變辦法（110.08.23）第8條；由本府為所屬各機關規劃辦理"
TRAINING = f"{LAW} 附表一、三、五「資通安全教育訓練」"

# (audience, kind, hours, every N years, basis)
REQUIREMENTS = [
    (
        "everyone",
        "general",
        "3",
        1,
        f"{TRAINING}：一般使用者及主管，及資通安全專職人員以外之資訊人員，"
        "每人每年接受3小時以上之資通安全通識教育訓練",
    ),
    (
        "it",
        "professional",
        "3",
        2,
        f"{TRAINING}：資通安全專職人員以外之資訊人員，每人每2年至少接受3小時以上之"
        "資通安全專業課程訓練或資通安全職能訓練",
    ),
    (
        "security",
        "professional",
        "12",
        1,
        f"{TRAINING}：資通安全專職人員，每人每年至少接受12小時以上之"
        "資通安全專業課程訓練或資通安全職能訓練",
    ),
]

NAMES = {
    "sysclass": "資通系統分級及防護基準（檢視分級妥適性）",
    "isms": "資訊安全管理系統（ISMS）導入及維持",
    "isms-cert": "ISMS 公正第三方驗證",
    "audit": "內部資通安全稽核",
    "bcp": "業務持續運作演練（核心資通系統）",
    "maturity": "資安治理成熟度評估",
    "vulscan": "網站安全弱點檢測（核心資通系統）",
    "pentest": "系統滲透測試（核心資通系統）",
    "health": "資通安全健診",
    "soc": "資通安全威脅偵測管理機制（SOC）持續運作",
    "gcb": "政府組態基準（GCB）導入及維運",
    "edr": "端點偵測及應變（EDR）及防毒軟體",
    "protection": "資通安全防護（防毒、防火牆、郵件過濾、入侵偵測及防禦、WAF、APT 防禦）",
    "firewall": "防火牆及電子郵件過濾",
    "training": "資通安全教育訓練",
    "social": "社交工程演練",
    "ir-drill": "資通安全事件通報及應變演練",
}

HEALTH = (
    "網路架構、網路惡意活動、使用者端電腦惡意活動、伺服器主機惡意活動、"
    "目錄伺服器設定及防火牆連線設定之檢視"
)
TRAINING_NOTE = "各類人員時數見「資安教育訓練」之時數要求"

# (code, times a year, every N years, what the rule asks); the basis is the level's annex,
# except the drills (DRILLS).
DUTIES = {
    "A": [
        ("sysclass", 1, 1, "完成資通系統分級及防護基準；其後每年至少檢視一次資通系統分級妥適性"),
        ("isms", 1, 1, "全部核心資通系統導入 CNS 27001 等資訊安全管理系統，並持續維持"),
        ("isms-cert", 1, 1, "完成公正第三方驗證，並持續維持其驗證有效性"),
        ("audit", 2, 1, "每年辦理二次"),
        ("bcp", 1, 1, "全部核心資通系統每年辦理一次"),
        ("maturity", 1, 1, "每年辦理一次"),
        ("vulscan", 2, 1, "全部核心資通系統每年辦理二次"),
        ("pentest", 1, 1, "全部核心資通系統每年辦理一次"),
        ("health", 1, 1, f"每年辦理一次（{HEALTH}）"),
        ("soc", 4, 1, "持續維運並依主管機關指定之方式提交監控管理資料（本府按季檢附佐證）"),
        ("gcb", 1, 1, "依主管機關公告之項目完成政府組態基準導入，並持續維運"),
        ("edr", 1, 1, "完成端點偵測及應變機制導入，並持續維運及提交偵測資料"),
        ("protection", 1, 1, "完成各項防護措施之啟用，並持續使用及適時更新或升級"),
        ("training", 1, 1, TRAINING_NOTE),
        ("social", 2, 1, "每半年辦理一次"),
        ("ir-drill", 1, 1, "每年辦理一次"),
    ],
    "B": [
        ("isms", 1, 1, "全部核心資通系統導入資訊安全管理系統，並持續維持"),
        ("isms-cert", 1, 1, "完成公正第三方驗證，並持續維持其驗證有效性"),
        ("audit", 1, 1, "每年辦理一次"),
        ("bcp", 1, 2, "全部核心資通系統每二年辦理一次"),
        ("vulscan", 1, 1, "全部核心資通系統每年辦理一次"),
        ("pentest", 1, 2, "全部核心資通系統每二年辦理一次"),
        ("health", 1, 2, f"每二年辦理一次（{HEALTH}）"),
        ("soc", 4, 1, "持續維運並依主管機關指定之方式提交監控管理資料（本府按季檢附佐證）"),
        ("edr", 1, 1, "完成端點偵測及應變機制導入，並持續維運"),
        ("training", 1, 1, TRAINING_NOTE),
        ("social", 2, 1, "每半年辦理一次"),
        ("ir-drill", 1, 1, "每年辦理一次"),
    ],
    "C": [
        ("isms", 1, 1, "全部核心資通系統導入資訊安全管理系統，並持續維持"),
        ("bcp", 1, 2, "全部核心資通系統每二年辦理一次"),
        ("vulscan", 1, 2, "全部核心資通系統每二年辦理一次"),
        ("health", 1, 2, f"每二年辦理一次（{HEALTH}）"),
        ("edr", 1, 1, "完成導入並持續維運"),
        ("training", 1, 1, TRAINING_NOTE),
        ("social", 2, 1, "每半年辦理一次"),
        ("ir-drill", 1, 1, "每年辦理一次"),
    ],
    "D": [
        ("edr", 1, 1, "防毒軟體：持續使用及適時更新"),
        ("firewall", 1, 1, "網路防火牆；具有郵件伺服器者，應備電子郵件過濾機制"),
        ("training", 1, 1, "一般使用者及主管，每人每年接受3小時以上之一般資通安全教育訓練"),
        ("social", 2, 1, "每半年辦理一次"),
        ("ir-drill", 1, 1, "每年辦理一次"),
    ],
    "E": [
        ("training", 1, 1, "一般使用者及主管，每人每年接受3小時以上之一般資通安全教育訓練"),
        ("social", 2, 1, "每半年辦理一次"),
        ("ir-drill", 1, 1, "每年辦理一次"),
    ],
}
DRILL_CODES = {"social", "ir-drill"}

# What migration 0003 first shipped (and that `apply_defaults` may replace).
PREVIOUS_NAMES = {
    "health": "資安健診",
    "vulscan": "弱點掃描（核心資通系統）",
}
PREVIOUS_FREQUENCY = {("B", "social"): (1, 1), ("C", "social"): (1, 1)}
PREVIOUS_REQUIREMENTS = {
    "everyone": ("general", "資通安全責任等級分級辦法 附表 一般使用者及主管：每年3小時"),
    "it": ("professional", "資通安全責任等級分級辦法 附表 資訊人員：每二年3小時專業課程"),
    "security": ("security", "資通安全責任等級分級辦法 附表 資通安全專職人員：每年12小時"),
}


def previous_basis(level: str) -> str:
    return f"資通安全責任等級分級辦法 附表（{level}級公務機關應辦事項）"


def basis(level: str, code: str) -> str:
    if code in DRILL_CODES:
        return DRILLS
    return f"{LAW} {ANNEX[level]}（{level}級公務機關應辦事項）：{NAMES[code].split('（')[0]}"


def duty_rows():
    """(level, code, values) of every shipped duty."""
    for level, rows in DUTIES.items():
        for order, (code, times, every, asks) in enumerate(rows, start=1):
            values = {
                "name": NAMES[code],
                "times": times,
                "every_years": every,
                "description": asks,
                "basis": basis(level, code),
                "order": order,
            }
            yield level, code, values


def seed_defaults(Requirement, Duty) -> None:  # noqa: N803 - model classes
    """Add the shipped rows that are missing (never changes those an administrator edited).
    Used by tests that flush the tables; migration 0005 calls `apply_defaults`."""
    for audience, kind, hours, every, text in REQUIREMENTS:
        Requirement.objects.get_or_create(
            audience=audience,
            defaults={"kind": kind, "hours": hours, "every_years": every, "basis": text},
        )
    for level, code, values in duty_rows():
        Duty.objects.get_or_create(level=level, code=code, defaults=values)


def apply_defaults(Requirement, Duty) -> None:  # noqa: N803 - model classes
    """Add the missing shipped rows, and bring each shipped row that still holds the value
    first shipped (migration 0003) to the regulation's value. A value an administrator
    changed stays as it is."""
    for audience, kind, hours, every, text in REQUIREMENTS:
        row = Requirement.objects.filter(audience=audience).first()
        if row is None:
            Requirement.objects.create(
                audience=audience, kind=kind, hours=hours, every_years=every, basis=text
            )
            continue
        old_kind, old_basis = PREVIOUS_REQUIREMENTS[audience]
        if row.kind == old_kind:
            row.kind = kind
        if row.basis == old_basis:
            row.basis = text
        row.save(update_fields=["kind", "basis"])
    for level, code, values in duty_rows():
        row = Duty.objects.filter(level=level, code=code).first()
        if row is None:
            Duty.objects.create(level=level, code=code, **values)
            continue
        if row.name == PREVIOUS_NAMES.get(code):
            row.name = values["name"]
        if (row.times, row.every_years) == PREVIOUS_FREQUENCY.get((level, code)):
            row.times, row.every_years = values["times"], values["every_years"]
        if row.basis == previous_basis(level):
            row.basis = values["basis"]
        if not row.description:
            row.description = values["description"]
        row.order = values["order"]
        row.save()
