"""The access predicates every app builds its rules from live in guankao.core.access."""

import pytest
from django.contrib.auth.models import AnonymousUser

from guankao.core import access
from guankao.core.models import Role


@pytest.mark.parametrize(
    ("who", "officer", "in_pw", "in_pw1", "head_of_pw1", "drafts"),
    [
        ("officer", True, False, False, False, False),
        ("admin", True, False, False, False, False),
        ("liaison", False, True, True, False, True),
        ("head", False, True, True, True, True),
        ("worker", False, False, True, False, False),  # PW-1's own staff: not the parent
        ("other_liaison", False, False, False, False, True),
        ("executive", False, True, True, False, False),  # the city root holds every unit
    ],
)
def test_it_answers_each_persona(people, city, who, officer, in_pw, in_pw1, head_of_pw1, drafts):
    user = people[who]
    assert access.is_officer(user) == officer
    assert access.in_subtree(user, city["pw"]) == in_pw
    assert access.in_subtree(user, city["pw1"]) == in_pw1
    assert access.staff_in(user, city["pw1"], Role.HEAD) == head_of_pw1
    assert access.may_draft(user) == drafts


def test_it_answers_no_for_anyone_signed_out_or_inactive(people, city):
    anonymous = AnonymousUser()
    assert not access.is_officer(anonymous) and not access.in_subtree(anonymous, city["pw"])
    assert not access.in_subtree(None, city["pw"]) and not access.may_draft(anonymous)
    officer, liaison = people["officer"], people["liaison"]
    officer.is_active = liaison.is_active = False
    assert not access.is_officer(officer) and not access.in_subtree(liaison, city["pw"])
    assert not access.in_subtree(people["head"], None)
