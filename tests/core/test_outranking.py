"""Managing a person requires outranking them (admin > officer, executive > head > liaison)."""

import json

import pytest

from guankao.core import access, services
from guankao.core.errors import NotAllowed
from guankao.core.models import AuditEntry, Role, User
from tests.conftest import make_user


def _patch(client, person, payload):
    return client.patch(
        f"/api/v1/staff/{person.pk}", json.dumps(payload), content_type="application/json"
    )


@pytest.fixture
def placed(people, city):
    """The administrator and the officer moved into a sub-unit of the head's department."""
    for name in ("admin", "officer", "executive"):
        User.objects.filter(pk=people[name].pk).update(department=city["pw1"])
    return {
        **{
            name: User.objects.get(pk=people[name].pk) for name in ("admin", "officer", "executive")
        },
        "section_head": make_user("section-head", city["pw1"], Role.HEAD),
    }


@pytest.mark.parametrize("target", ["admin", "officer", "executive", "section_head"])
def test_it_refuses_a_head_changing_a_person_who_does_not_rank_below(
    target, placed, people, clients
):
    person = placed[target]
    _token, raw = services.token_create(actor=person, name="script")
    r = _patch(clients["head"], person, {"active": False})
    assert r.status_code == 403
    r = _patch(clients["head"], person, {"title": "x", "roles": ["liaison"]})
    assert r.status_code == 403
    person.refresh_from_db()
    assert person.is_active and person.title == ""
    assert not AuditEntry.objects.filter(action="update", object_id=str(person.pk)).exists()
    # Their token still works.
    r = clients["anonymous"].get("/api/v1/staff", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    # The page refuses too, and does not offer the edit.
    assert clients["head"].get(f"/staff/{person.pk}/edit/").status_code == 403
    assert (
        f"/staff/{person.pk}/edit/"
        not in clients["head"].get(f"/staff/{person.pk}/").content.decode()
    )
    with pytest.raises(NotAllowed):
        services.staff_update(actor=people["head"], user=person, is_active=False)


def test_it_refuses_a_head_changing_themselves(people, clients):
    head = people["head"]
    assert _patch(clients["head"], head, {"roles": ["head", "liaison"]}).status_code == 403
    assert head.role_set == {"head"}


def test_it_lets_a_head_manage_lower_ranks_in_their_subtree(people, clients):
    for name in ("liaison", "worker"):
        r = _patch(clients["head"], people[name], {"title": "技士"})
        assert r.status_code == 200, r.content
    r = _patch(clients["head"], people["worker"], {"active": False})
    assert r.status_code == 200
    people["worker"].refresh_from_db()
    assert not people["worker"].is_active


def test_it_lets_a_head_grant_only_roles_ranked_below_a_head(people, clients):
    r = _patch(clients["head"], people["worker"], {"roles": ["head"]})
    assert r.status_code == 400
    assert r.json()["detail"][0]["field"] == "roles"
    assert people["worker"].role_set == set()
    # Roles below a head: the liaison, and the call-taker of the citizen service centre.
    assert access.grantable_roles(people["head"]) == {Role.LIAISON, Role.CALLTAKER}


@pytest.mark.parametrize("target", ["officer", "executive", "section_head", "admin"])
def test_it_lets_an_administrator_manage_everyone(target, placed, clients):
    person = placed[target]
    assert _patch(clients["admin"], person, {"title": "技正"}).status_code == 200
    person.refresh_from_db()
    assert person.title == "技正"


def test_it_ranks_people_by_their_highest_role(people, placed):
    ranks = {name: access.rank(p) for name, p in people.items()}
    assert ranks["admin"] > ranks["officer"] == ranks["executive"] > ranks["head"]
    assert ranks["head"] > ranks["liaison"] > ranks["worker"] == 0
    assert access.rank(placed["section_head"]) == ranks["head"]
