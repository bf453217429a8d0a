"""Making incidents, audits and outages for the security tests."""

import datetime as dt

from django.utils import timezone

from guankao.security import services_incidents as svc
from guankao.security import services_registers as regs


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def incident(actor, agency, *, aware=None, **over):
    aware = aware or ago(minutes=30)
    data = {
        "title": "網站遭置換首頁",
        "occurred_at": aware - dt.timedelta(minutes=20),
        "aware_at": aware,
        "system": "市府全球資訊網",
        "info_kind": "noncore",
        "integrity": "minor",
        "description": "首頁遭置換為不明圖片。",
    }
    return svc.incident_create(actor=actor, agency=agency, **(data | over))


def audit(actor, agency, *, kind="internal", day=None, **over):
    day = day or timezone.localdate()
    data = {
        "kind": kind,
        "title": "資安內部稽核",
        "scope": "全府",
        "auditors": "稽核小組",
        "start_date": day - dt.timedelta(days=2),
        "end_date": day,
    }
    return regs.audit_create(actor=actor, agency=agency, **(data | over))


def service(actor, agency, name="公文系統", machine_room=True):
    return regs.service_create(
        actor=actor,
        agency=agency,
        name=name,
        owner="資訊科",
        protection="high",
        core=True,
        machine_room=machine_room,
    )
