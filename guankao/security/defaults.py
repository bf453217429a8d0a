"""The shipped training requirements and statutory duties of each level."""

# The shipped values (editable afterwards by an administrator): the training requirements
# and the duties of each level from the 資通安全責任等級分級辦法's annex (公務機關應辦事項),
# as (level, code, name, times a year, every N years).
REQUIREMENTS = [
    ("everyone", "general", "3", 1, "資通安全責任等級分級辦法 附表 一般使用者及主管：每年3小時"),
    ("it", "professional", "3", 2, "資通安全責任等級分級辦法 附表 資訊人員：每二年3小時專業課程"),
    ("security", "security", "12", 1, "資通安全責任等級分級辦法 附表 資通安全專職人員：每年12小時"),
]
COMMON = {
    "isms": "資訊安全管理系統（ISMS）導入及維持",
    "isms-cert": "ISMS 公正第三方驗證",
    "health": "資安健診",
    "pentest": "滲透測試（核心資通系統）",
    "vulscan": "弱點掃描（核心資通系統）",
    "social": "社交工程演練",
    "bcp": "業務持續運作演練（核心資通系統）",
    "soc": "資通安全監控（SOC）持續運作",
    "edr": "端點偵測及應變（EDR）及防毒軟體",
    "firewall": "防火牆及電子郵件過濾",
    "training": "資通安全教育訓練",
}
DUTIES = {
    "A": [
        ("isms", 1, 1),
        ("isms-cert", 1, 1),
        ("health", 1, 1),
        ("pentest", 1, 1),
        ("vulscan", 2, 1),
        ("social", 2, 1),
        ("bcp", 1, 1),
        ("soc", 4, 1),
        ("edr", 1, 1),
        ("training", 1, 1),
    ],
    "B": [
        ("isms", 1, 1),
        ("isms-cert", 1, 1),
        ("health", 1, 2),
        ("pentest", 1, 2),
        ("vulscan", 1, 1),
        ("social", 1, 1),
        ("bcp", 1, 2),
        ("soc", 4, 1),
        ("edr", 1, 1),
        ("training", 1, 1),
    ],
    "C": [
        ("isms", 1, 1),
        ("health", 1, 2),
        ("vulscan", 1, 2),
        ("social", 1, 1),
        ("bcp", 1, 2),
        ("edr", 1, 1),
        ("training", 1, 1),
    ],
    "D": [("edr", 1, 1), ("firewall", 1, 1), ("training", 1, 1)],
    "E": [("training", 1, 1)],
}


def seed_defaults(Requirement, Duty) -> None:  # noqa: N803 - model classes
    """Add the shipped rows that are missing (never changes those an administrator edited).
    Called by the migration with its historical models, and by tests that flush tables."""
    for audience, kind, hours, every, basis in REQUIREMENTS:
        Requirement.objects.get_or_create(
            audience=audience,
            defaults={"kind": kind, "hours": hours, "every_years": every, "basis": basis},
        )
    for level, rows in DUTIES.items():
        for order, (code, times, every) in enumerate(rows, start=1):
            Duty.objects.get_or_create(
                level=level,
                code=code,
                defaults={
                    "name": COMMON[code],
                    "times": times,
                    "every_years": every,
                    "order": order,
                    "basis": f"資通安全責任等級分級辦法 附表（{level}級公務機關應辦事項）",
                },
            )
