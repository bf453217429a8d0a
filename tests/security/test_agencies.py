import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security import access, services
from guankao.security.models import Agency


def test_it_finds_each_officers_agency(sec_people, agencies):
    assert access.agency_of(sec_people["security"]) == agencies["city"]
    assert access.agency_of(sec_people["other_security"]) == agencies["office"]
    assert access.agency_of(sec_people["unplaced"]) is None


def test_it_keeps_agencies_apart(sec_people, agencies):
    city, office = agencies["city"], agencies["office"]
    assert access.can_manage(sec_people["security"], city)
    assert not access.can_manage(sec_people["security"], office)
    assert not access.can_manage(sec_people["other_security"], city)
    assert access.can_manage(sec_people["ciso"], office)
    assert not access.can_manage(sec_people["officer"], city)  # reads, never writes
    assert access.agency_q(sec_people["other_security"]) == access.Q(agency=office)
    assert access.agency_q(sec_people["liaison"]) == access.NOTHING
    managed = Agency.objects.filter(access.agencies_managed(sec_people["other_security"]))
    assert managed.get() == office


def test_it_lets_only_the_ciso_set_levels(sec_people, agencies, city):
    with pytest.raises(NotAllowed):
        services.agency_set(actor=sec_people["security"], department=city["root"], level="B")
    agency = services.agency_set(
        actor=sec_people["ciso"], department=city["root"], level="B", reason="重新核定"
    )
    assert agency.level == "B"
    entry = AuditEntry.objects.filter(object_type="security.agency").latest("pk")
    assert "level" in entry.changes and entry.note == "重新核定"


@pytest.mark.parametrize(
    ("department", "level", "field"),
    [("pw", "A", "department"), ("root", "F", "level"), ("root", "", "level")],
)
def test_it_refuses_bad_agencies(sec_people, city, department, level, field):
    with pytest.raises(ServiceError) as refused:
        services.agency_set(actor=sec_people["ciso"], department=city[department], level=level)
    assert refused.value.problems[0].field == field


def test_the_page_lists_levels_and_takes_the_cisos_change(sec_clients, agencies):
    page = sec_clients["other_security"].get("/security/agencies/")
    assert page.status_code == 200 and "東區戶政事務所" in page.content.decode()
    assert "<form" not in page.content.decode().split("</header>")[-1].split("<footer")[0]
    refused = sec_clients["other_security"].post(
        "/security/agencies/", {"department": "HR-E", "level": "A"}
    )
    assert refused.status_code == 403
    bad = sec_clients["ciso"].post("/security/agencies/", {"department": "HR-E", "level": "Z"})
    assert bad.status_code == 400
    assert Agency.objects.get(department__code="HR-E").level == "C"
    change = {"department": "HR-E", "level": "B"}
    asked = sec_clients["ciso"].post("/security/agencies/", change)  # says what it will do
    assert asked.status_code == 200 and Agency.objects.get(department__code="HR-E").level == "C"
    done = sec_clients["ciso"].post("/security/agencies/", {**change, "confirm": "B"})
    assert done.status_code == 302
    assert Agency.objects.get(department__code="HR-E").level == "B"
    assert sec_clients["liaison"].get("/security/agencies/").status_code == 403
