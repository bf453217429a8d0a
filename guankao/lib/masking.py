"""Masking of personal data for lists and for readers who do not handle the case."""


def mask_name(name: str) -> str:
    # Chinese names keep the surname: 王小明 -> 王○明; two characters -> 王○.
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


def mask_email(email: str) -> str:
    if not email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    keep = set(digits[:2] + digits[-3:])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(phone))
