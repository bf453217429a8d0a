"""The city's API root and its collections, created by migration 0002 and again (if a test
flushed them) by `ensure()`. The CISO grants them per member."""

import uuid

ROOT = ("chiayi", "嘉義市區域聯防 ISAC", "嘉義市政府所屬機關與鄰近縣市政府之資安情資分享群組")
# what migration 0002 stored before the description was in zh-Hant (migration 0006)
ROOT_DESCRIPTION_EN = "The city's trust group: its agencies and neighbours"
COLLECTIONS = [
    # alias, title, TLP, members read, members write
    ("indicators-clear", "威脅指標 TLP:CLEAR", "clear", True, False),
    ("indicators-green", "威脅指標 TLP:GREEN", "green", True, False),
    ("indicators-amber", "威脅指標 TLP:AMBER", "amber", True, False),
    ("incidents", "資安事件 TLP:AMBER", "amber", True, False),
    ("members-share", "會員分享（會員可寫入）", "amber", True, True),
    # each member's STIX identity, so that a created_by_ref names who shared an object
    ("members", "會員名錄（STIX 身分）", "green", True, False),
]


def collection_uuid(alias: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://www.chiayi.gov.tw/taxii2/{alias}")


def ensure(api_root_model=None, collection_model=None) -> None:
    if api_root_model is None:
        from guankao.security.isac.models import ApiRoot as api_root_model
        from guankao.security.isac.models import Collection as collection_model
    root, _ = api_root_model.objects.get_or_create(
        slug=ROOT[0], defaults={"title": ROOT[1], "description": ROOT[2], "is_default": True}
    )
    for alias, title, tlp, read, write in COLLECTIONS:
        collection_model.objects.get_or_create(
            api_root=root,
            alias=alias,
            defaults={
                "id": collection_uuid(alias),
                "title": title,
                "tlp": tlp,
                "members_read": read,
                "members_write": write,
            },
        )
