"""The level table of the 資通安全事件通報應變及演練辦法 第2條 (text as re-issued 115-01-05),
shipped as data (migration 0002 loads it; the table stays editable).

Each row: (dimension, what was hit, impact) -> level. Confidentiality: 洩漏 輕微/嚴重;
integrity: 竄改 輕微/嚴重; availability: 運作受影響或停頓, recovered within the tolerable
interruption time (minor) or not (serious).

The article names three kinds for leaks and tampering (non-core; core without critical
infrastructure; official secret, sensitive information or critical-infrastructure core), and
national secrets at level 4 whatever the degree. For availability it names only systems
(non-core; core; critical-infrastructure core): a national secret's system down is not in
the text, and is given the critical-infrastructure row here (the city's rule, marked so).
"""

ART = "資通安全事件通報應變及演練辦法 第2條"
BY_ANALOGY = "本府規則（第2條未列，比照關鍵基礎設施核心資通系統）"

# (dimension, kind, impact, level, basis)
TABLE = [
    ("c", "noncore", "minor", 1, f"{ART}第2項第1款"),
    ("c", "noncore", "serious", 2, f"{ART}第3項第1款"),
    ("c", "core", "minor", 2, f"{ART}第3項第1款"),
    ("c", "core", "serious", 3, f"{ART}第4項第1款"),
    ("c", "sensitive", "minor", 3, f"{ART}第4項第1款"),
    ("c", "sensitive", "serious", 4, f"{ART}第5項第1款"),
    ("c", "secret", "minor", 4, f"{ART}第5項第1款"),
    ("c", "secret", "serious", 4, f"{ART}第5項第1款"),
    ("i", "noncore", "minor", 1, f"{ART}第2項第2款"),
    ("i", "noncore", "serious", 2, f"{ART}第3項第2款"),
    ("i", "core", "minor", 2, f"{ART}第3項第2款"),
    ("i", "core", "serious", 3, f"{ART}第4項第2款"),
    ("i", "sensitive", "minor", 3, f"{ART}第4項第2款"),
    ("i", "sensitive", "serious", 4, f"{ART}第5項第2款"),
    ("i", "secret", "minor", 4, f"{ART}第5項第2款"),
    ("i", "secret", "serious", 4, f"{ART}第5項第2款"),
    ("a", "noncore", "minor", 1, f"{ART}第2項第3款"),
    ("a", "noncore", "serious", 2, f"{ART}第3項第3款"),
    ("a", "core", "minor", 2, f"{ART}第3項第3款"),
    ("a", "core", "serious", 3, f"{ART}第4項第3款"),
    ("a", "sensitive", "minor", 3, f"{ART}第4項第3款"),
    ("a", "sensitive", "serious", 4, f"{ART}第5項第3款"),
    ("a", "secret", "minor", 3, BY_ANALOGY),
    ("a", "secret", "serious", 4, BY_ANALOGY),
]


def load(ImpactRule) -> None:  # noqa: N803 - the historical model of a migration
    for dimension, kind, impact, level, basis in TABLE:
        ImpactRule.objects.update_or_create(
            dimension=dimension, kind=kind, impact=impact, defaults={"level": level, "basis": basis}
        )
