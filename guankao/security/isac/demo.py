"""The demo ISAC: the household registration office and two neighbouring counties as
members, two incidents the CISO shared (one TLP:GREEN, one TLP:RED to 嘉義縣政府) and a
sighting reported by the office's security officer. Their TAXII secrets are not shown:
the CISO issues new ones on the member's page."""

from django.db import transaction

from guankao.core.demo import register_extension
from guankao.core.models import User
from guankao.security.isac import defaults, publishing, services
from guankao.security.isac.models import Member, StixObject
from guankao.security.models import Agency

NEIGHBOURS = [
    ("嘉義縣政府", "縣府資訊處資安科", "soc@cyhg.example.gov.tw"),
    ("雲林縣政府", "縣府計畫處資訊科", "soc@yunlin.example.gov.tw"),
]


@register_extension
@transaction.atomic
def load() -> bool:
    if Member.objects.exists():
        return False
    defaults.ensure()
    ciso = User.objects.get(username="ciso")
    office = Agency.objects.filter(department__code="HR-E").first()
    if office is not None:
        services.member_create(
            actor=ciso,
            name=office.department.name,
            kind="agency",
            agency=office,
            contact_name="戶政資安窗口",
            contact_email="hre.security@example.gov.tw",
        )
    county = None
    for name, contact, email in NEIGHBOURS:
        member, _secret = services.member_create(
            actor=ciso, name=name, kind="neighbour", contact_name=contact, contact_email=email
        )
        county = county or member
    publishing.publish(
        actor=ciso,
        title="社交工程郵件冒用公文通知",
        description="多個機關收到冒用公文通知的釣魚郵件，附件為惡意程式下載連結。",
        indicators="phish-gov.example\nhttp://phish-gov.example/doc.zip\n203.0.113.45",
        tlp="green",
    )
    publishing.publish(
        actor=ciso,
        title="勒索軟體入侵嘗試",
        description="防火牆偵測到來自下列位址的 RDP 暴力破解。",
        indicators="198.51.100.23",
        tlp="red",
        recipients=[county],
    )
    officer = User.objects.filter(username="hre.security").first()
    first = StixObject.objects.filter(type="indicator", tlp="green").first()
    if officer is not None and first is not None:
        services.sighting_report(actor=officer, indicator_id=first.stix_id, count=2)
    return True
