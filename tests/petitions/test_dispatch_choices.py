"""Smart dispatch: what people chose against the suggestion is recorded wherever a case is
filed or assigned (the pages and the API), and 併案 with a possible duplicate from the
call-taker's intake screen (merged at once by an officer, otherwise marked for the officer).
"""

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core import services as core_services
from guankao.petitions import services
from guankao.petitions.models import Case, DispatchChoice
from tests.conftest import client_for

LIGHT = "家門口的路燈不亮好幾天了，晚上很暗"


def _earlier(people, tree, text="中山路和民權路口的路面破一個大洞", **extra):
    return services.case_file(
        actor=people["officer"],
        kind="petition",
        channel="phone",
        subject=text[:20],
        text=text,
        category=tree[extra.pop("category", "road.pothole")],
        **extra,
    )


def _filing(**extra):
    return {
        "kind": "petition",
        "channel": "phone",
        "subject": "路燈",
        "text": LIGHT,
        "category": "env.noise",
    } | extra


def test_filing_through_the_api_records_the_choice(served, tree, clients):
    client = clients["officer"]
    made = client.post(
        "/api/v1/petitions/cases", _filing(suggested="v1"), content_type="application/json"
    )
    assert made.status_code == 201, made.content
    choice = DispatchChoice.objects.get(case_id=made.json()["id"])
    assert choice.stage == "intake" and choice.shown
    assert choice.model_version == served["note"]["version"]
    assert choice.suggested_category.code == "light.out"
    assert choice.chosen_category.code == "env.noise" and choice.category_taken is False
    plain = client.post(
        "/api/v1/petitions/cases", _filing(category="light.out"), content_type="application/json"
    )
    choice = DispatchChoice.objects.get(case_id=plain.json()["id"])
    assert not choice.shown and choice.category_taken is True and choice.department_taken


def test_assigning_through_the_api_records_the_choice(served, tree, people, clients):
    case = _earlier(people, tree, "颱風過後公園的大樹倒在步道上", category="park.tree")
    url = f"/api/v1/petitions/cases/{case.pk}/assign"
    done = clients["officer"].post(url, {"lead": "PW"}, content_type="application/json")
    assert done.status_code == 200, done.content
    choice = DispatchChoice.objects.get(case=case, stage="assign")
    assert choice.suggested_department.code == "CON" and choice.chosen_department.code == "PW"
    assert choice.department_taken is False and not choice.shown
    # A refused assignment records nothing.
    bad = clients["officer"].post(url, {"lead": "NOPE"}, content_type="application/json")
    assert bad.status_code == 400
    assert DispatchChoice.objects.filter(case=case).count() == 1


def test_the_intake_screen_offers_merging_into_a_possible_duplicate(served, tree, clients):
    page = clients["officer"].get("/petitions/intake/").content.decode()
    assert 'data-merge="id_merge_into"' in page and 'name="merge_into"' in page
    assert "併案" in page


def test_an_officer_files_a_call_into_its_duplicate_at_once(served, tree, people, clients):
    earlier = _earlier(people, tree)
    form = _filing(category="road.pothole", text="中山路和民權路口的路面破一個大洞，很危險")
    done = clients["officer"].post("/petitions/intake/", form | {"merge_into": earlier.number})
    assert done.status_code == 302
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.status == "merged" and case.merged_into == earlier
    assert DispatchChoice.objects.get(case=case).duplicate_of == earlier


def test_a_call_takers_duplicate_waits_for_the_officer(served, tree, people, calltaker, clients):
    earlier = _earlier(people, tree)
    form = _filing(category="road.pothole", text="中山路和民權路口的路面破一個大洞，很危險")
    done = client_for(calltaker).post("/petitions/intake/", form | {"merge_into": earlier.number})
    assert done.status_code == 302
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.status != "merged" and case.merged_into is None
    assert DispatchChoice.objects.get(case=case).duplicate_of == earlier
    page = clients["officer"].get(f"/petitions/cases/{case.pk}/assign/").content.decode()
    assert "Marked as a duplicate at intake" in page or "受理時標為重複案件" in page
    assert f"merge/?into={earlier.number}" in page


@pytest.mark.parametrize("which", ["unknown", "closed"])
def test_a_bad_duplicate_files_nothing(served, tree, people, clients, which):
    earlier = _earlier(people, tree)
    number = "1150101-9999"
    if which == "closed":
        services.case_not_processed(actor=people["officer"], case=earlier, rule="no_content")
        number = earlier.number
    client = clients["officer"]
    page = client.post("/petitions/intake/", _filing(merge_into=number))
    assert page.status_code == 400 and "併案" in page.content.decode()
    api = client.post(
        "/api/v1/petitions/cases", _filing(merge_into=number), content_type="application/json"
    )
    assert api.status_code == 400 and api.json()["detail"][0]["field"] == "merge_into"
    assert Case.objects.count() == 1 and not DispatchChoice.objects.exists()


def test_the_api_files_into_a_duplicate_too(served, tree, people, clients):
    earlier = _earlier(people, tree)
    body = _filing(category="road.pothole", merge_into=earlier.number)
    made = clients["officer"].post("/api/v1/petitions/cases", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["merged_into"] == earlier.number


# What one suggestion costs ----------------------------------------------------------------


@override_settings(GUANKAO_REQUIRE_2FA=True)
def test_a_suggestion_through_the_api_takes_a_handful_of_queries(
    served, tree, people, clients, django_assert_max_num_queries
):
    """With a token (as the call-takers' systems call it): the token with its owner and
    whether they have a TOTP device, their roles, the similar past cases with their
    replies, the open candidates for duplicates (nearby and alike in one), the texts of
    candidates not seen before, the duplicates found."""
    officer = people["officer"]
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    _token, raw = core_services.token_create(actor=officer, name="script")
    earlier = _earlier(people, tree, latitude="23.480000", longitude="120.449000")
    _earlier(people, tree, "垂楊路路燈不亮", category="light.out")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"text": "中山路和民權路口的路面破一個大洞", "lat": "23.4801", "long": "120.4491"}

    def ask():
        response = api.post("/api/v1/petitions/suggest", body, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()

    ask()  # the token's last use is written once; the open cases' texts are read once
    with django_assert_max_num_queries(5):
        answer = ask()
    assert [d["case"] for d in answer["duplicates"]] == [earlier.number]
    for _n in range(3):  # more open cases do not make more queries
        _earlier(people, tree, "友愛路有坑洞，機車騎過去很危險")
    with django_assert_max_num_queries(6):  # the new cases' texts, read once
        ask()
    with django_assert_max_num_queries(5):
        ask()
