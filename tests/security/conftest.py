"""The security personas: the city government (an agency, level A) with its CISO and a
security officer, and a second agency (a household registration office, level C) with its
own security officer, who must never see the city's records (and the other way round)."""

import pytest

from guankao.core.models import Role
from guankao.security.models import Agency
from tests.conftest import client_for, make_department, make_user


@pytest.fixture
def agencies(city):
    office = make_department("HR-E", "東區戶政事務所", "agency", parent=city["root"])
    return {
        "city": Agency.objects.create(department=city["root"], level="A"),
        "office": Agency.objects.create(department=office, level="C"),
    }


@pytest.fixture
def sec_people(people, agencies, city):
    office = agencies["office"].department
    return {
        **people,
        "ciso": make_user("ciso", city["root"], Role.CISO),
        "security": make_user("security", city["st"], Role.SECURITY),
        "other_security": make_user("hre.security", office, Role.SECURITY),
        "office_liaison": make_user("hre.liaison", office, Role.LIAISON),
    }


@pytest.fixture
def sec_clients(sec_people):
    return {name: client_for(user) for name, user in sec_people.items()}
