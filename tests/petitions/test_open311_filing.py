"""Filing a citizen's report online (petitions.public), apart from the HTTP layer: a real
case on the Open311 or web channel with the category's deadline, the follow-up code given
once and kept hashed, the public view without personal data, bad input refused whole."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.errors import NotFound, ServiceError
from guankao.core.models import AuditEntry
from guankao.petitions import public
from guankao.petitions.models import Case, ClientApp, PublicRequest, ServiceAttribute

pytestmark = pytest.mark.django_db

SPOT = {"lat": "23.4800", "long": "120.4490"}


@pytest.fixture
def app(people):
    return ClientApp.objects.create(
        name="嘉義通",
        contact="dev@example.com",
        key_digest=ClientApp.digest_of("o311_test"),
        key_hint="o311_tes",
        created_by=people["officer"],
    )


@pytest.fixture
def attributes(categories):
    ServiceAttribute.objects.create(
        category=categories["light_out"],
        code="lamp_no",
        datatype="string",
        required=True,
        description="路燈編號",
        order=1,
    )
    ServiceAttribute.objects.create(
        category=categories["pothole"],
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values=[{"key": "small", "name": "小於 30 公分"}, {"key": "large", "name": "30 公分以上"}],
    )


def test_it_files_a_real_case_on_the_open311_channel(categories, app, attributes):
    case, code = public.file_public_request(
        client=app,
        category="light_out",
        description="文化路 120 號前路燈不亮，請聯絡 0912-345-678 或 wang@example.com",
        attributes={"lamp_no": "CY-0423"},
        first_name="小明",
        last_name="王",
        phone="0912-345-678",
        **SPOT,
    )
    assert case.channel == "open311" and case.name == "王小明" and case.due_date is not None
    assert case.lead.code == "PW" and case.status == "assigned"
    online = case.public_request
    assert online.client == app and online.attributes == {"lamp_no": "CY-0423"}
    assert code not in online.code_digest and len(code) == public.CODE_LENGTH
    assert "0912-345-678" not in online.summary and "wang@example.com" not in online.summary
    assert AuditEntry.objects.filter(object_type="petitions.case", object_id=str(case.pk)).exists()
    seen = public.public_case_get(case.number, code)
    assert seen.status == "open" and seen.service_code == "light_out"
    with pytest.raises(NotFound):
        public.public_case_get(case.number, "WRONGCODE1")


def test_it_files_on_the_web_channel_without_an_app(categories):
    case, _code = public.file_public_request(
        client=None, category="pothole", description="路面有洞", address="民族路與中山路口"
    )
    assert case.channel == "web" and case.anonymous and case.kind == "dispatch"


def test_a_number_taken_for_a_filing_that_fails_is_recorded_as_not_used(
    categories, app, monkeypatch
):
    """Online filing takes its number before the filing's transaction (so filings do not
    queue on the day's counter); should the filing fail, the trail accounts for the number."""
    from guankao.petitions import services

    first, _code = public.file_public_request(
        client=app, category="pothole", description="路面有洞", **SPOT
    )

    def broken(*args, **kwargs):
        raise ServiceError.field("case", "the database said no")

    monkeypatch.setattr(services, "_file_direct", broken)
    with pytest.raises(ServiceError):
        public.file_public_request(client=app, category="pothole", description="又一個洞", **SPOT)
    monkeypatch.undo()
    third, _code = public.file_public_request(
        client=app, category="pothole", description="第三個洞", **SPOT
    )
    day, seq = first.number.split("-")
    unused = f"{day}-{int(seq) + 1:04d}"
    assert third.number == f"{day}-{int(seq) + 2:04d}"
    assert not Case.objects.filter(number=unused).exists()
    void = AuditEntry.objects.get(object_type="petitions.case", object_repr=unused)
    assert void.action == AuditEntry.Action.DELETE
    assert unused in void.note and "the database said no" in void.note
    assert Case.objects.count() == 2 and PublicRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "nope"}, "service_code"),
        ({"category": "subsidy"}, "service_code"),
        ({"lat": "25.03", "long": "121.56"}, "lat"),
        ({"lat": "23.48", "long": "121.56"}, "long"),
        ({"lat": "north", "long": "120.45"}, "lat"),
        ({"description": "洞" * 20000}, "description"),
        ({"attributes": {"size": "small", "colour": "red"}}, "attribute[colour]"),
        ({"attributes": {"size": "huge"}}, "attribute[size]"),
        ({"lat": None, "long": None}, "lat"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(categories, attributes, data, field):
    base = {"client": None, "category": "pothole", "description": "路面有洞", **SPOT}
    with pytest.raises(ServiceError) as refused:
        public.file_public_request(**(base | data))
    assert refused.value.problems[0].field == field
    assert not Case.objects.exists() and not PublicRequest.objects.exists()


def test_a_missing_required_attribute_is_refused(categories, attributes):
    with pytest.raises(ServiceError) as refused:
        public.file_public_request(client=None, category="light_out", description="不亮", **SPOT)
    assert refused.value.problems[0].field == "attribute[lamp_no]"


def test_the_public_list_keeps_to_90_days_and_leaves_out_confidential_cases(categories):
    old, _ = public.file_public_request(
        client=None,
        category="pothole",
        description="舊的",
        received_at=timezone.now() - dt.timedelta(days=120),
        **SPOT,
    )
    new, _ = public.file_public_request(client=None, category="pothole", description="新的", **SPOT)
    secret, _ = public.file_public_request(
        client=None, category="pothole", description="密件", **SPOT
    )
    Case.objects.filter(pk=secret.pk).update(confidential=True)
    numbers = [c.number for c in public.public_cases()]
    assert numbers == [new.number]
    assert [c.number for c in public.public_cases({"numbers": [old.number]})] == [old.number]


def test_masking_leaves_street_numbers_and_dates():
    text = public.mask_text("中山路123號 2026-12-03 打 05-225-4321 身分證 A123456789", "")
    assert "中山路123號" in text and "2026-12-03" in text
    assert "225-4321" not in text and "A123456789" not in text
