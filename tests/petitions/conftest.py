"""Petitions built through the services: a category tree owned by 工務處 (PW) and 社會處
(SOC), and a call-taker of the citizen service centre (市民服務中心, under 智慧科技處)."""

import pytest

from guankao.core.models import Role
from guankao.petitions.models import Category
from tests.conftest import make_department, make_user
from tests.petitions.dispatch_fixtures import no_model, served, trained, tree  # noqa: F401


def make_category(code, name, parent=None, department=None, **extra):
    category = Category.objects.create(
        code=code, name=name, parent=parent, department=department, **extra
    )
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    return category


@pytest.fixture
def categories(city):
    roads = make_category("roads", "道路養護")
    lights = make_category("lights", "路燈")
    welfare = make_category("welfare", "社會福利")
    return {
        "roads": roads,
        "pothole": make_category(
            "pothole",
            "道路坑洞",
            roads,
            city["pw"],
            dispatch=True,
            field_work_limit=2,
            field_work_unit="workdays",
            public=True,
        ),
        "light_out": make_category(
            "light_out",
            "路燈不亮",
            lights,
            city["pw"],
            dispatch=True,
            field_work_limit=48,
            field_work_unit="hours",
            public=True,
        ),
        "welfare": welfare,
        "subsidy": make_category("subsidy", "補助申請", welfare, city["soc"]),
    }


@pytest.fixture
def calltaker(city):
    centre = make_department("ST-1999", "市民服務中心", "section", parent=city["st"])
    return make_user("callcentre", centre, Role.CALLTAKER)
