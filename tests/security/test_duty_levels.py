"""The duties of each level on a page: the CISO adds one, changes its frequency, description
and basis, retires it (a duty with instances is never deleted), all in the audit trail;
and the shipped values carry their basis (the regulation, article and annex)."""

import pytest

from guankao.core.models import AuditEntry
from guankao.security import defaults, duties
from guankao.security.models import Duty, DutyInstance, TrainingRequirement

NEW = {
    "level": "B",
    "code": "gcb",
    "name": "政府組態基準（GCB）導入及維運",
    "description": "依主管機關公告之項目完成導入，並持續維運",
    "times": "1",
    "every_years": "1",
    "basis": "資通安全責任等級分級辦法 第11條 附表三",
}


def test_the_ciso_adds_a_duty_to_a_level(sec_clients, agencies):
    client = sec_clients["ciso"]
    assert client.post("/security/duties/levels/", NEW).status_code == 302
    duty = Duty.objects.get(level="B", code="gcb")
    assert (duty.times, duty.description, duty.basis) == (1, NEW["description"], NEW["basis"])
    assert AuditEntry.objects.filter(object_type="security.duty", action="create").exists()
    page = client.get("/security/duties/levels/").content.decode()
    assert NEW["name"] in page and NEW["basis"] in page


@pytest.mark.parametrize(
    "over, field",
    [
        ({"level": "F"}, "level"),
        ({"code": "has space"}, "code"),
        ({"code": "pentest"}, "code"),  # B already has it
        ({"times": "13"}, "times"),
        ({"every_years": "0"}, "every_years"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_duty_names_the_field_and_adds_nothing(sec_clients, agencies, over, field):
    before = Duty.objects.count()
    refused = sec_clients["ciso"].post("/security/duties/levels/", NEW | over)
    assert refused.status_code == 400
    assert f'href="#id_{field}"' in refused.content.decode()
    assert Duty.objects.count() == before


def test_only_the_ciso_changes_the_list(sec_clients, sec_people, agencies):
    duty = Duty.objects.get(level="A", code="pentest")
    url = f"/security/duties/levels/{duty.pk}/"
    for name in ("security", "other_security", "officer"):
        assert sec_clients[name].get("/security/duties/levels/").status_code == 200
        assert sec_clients[name].post("/security/duties/levels/", NEW).status_code == 403
        assert sec_clients[name].post(url, {"action": "retire"}).status_code == 403
    assert Duty.objects.get(pk=duty.pk).active
    assert sec_clients["liaison"].post(url, {"action": "retire"}).status_code == 403


def test_a_duty_is_changed_retired_and_never_deleted_with_instances(
    sec_clients, sec_people, agencies
):
    client = sec_clients["ciso"]
    duty = Duty.objects.get(level="A", code="vulscan")
    url = f"/security/duties/levels/{duty.pk}/"
    changed = {
        "action": "edit",
        "name": duty.name,
        "description": "全部核心資通系統每年辦理二次",
        "times": "2",
        "every_years": "1",
        "basis": "資通安全責任等級分級辦法 第11條 附表一",
    }
    bad = client.post(url, changed | {"times": "0"})
    assert bad.status_code == 400 and 'href="#id_times"' in bad.content.decode()
    assert client.post(url, changed | {"times": "4"}).status_code == 302
    assert Duty.objects.get(pk=duty.pk).times == 4
    entry = AuditEntry.objects.filter(object_type="security.duty", object_id=str(duty.pk)).latest(
        "at"
    )
    assert entry.changes["times"] == [2, 4]
    duties.duties_generate(actor=sec_people["ciso"], year=2026)
    assert DutyInstance.objects.filter(duty=duty).count() == 4
    refused = client.post(url, {"action": "delete"})
    assert refused.status_code == 400 and "error-summary" in refused.content.decode()
    assert Duty.objects.filter(pk=duty.pk).exists()
    assert client.post(url, {"action": "retire"}).status_code == 302
    assert not Duty.objects.get(pk=duty.pk).active
    duties.duties_generate(actor=sec_people["ciso"], year=2027)
    assert not DutyInstance.objects.filter(duty=duty, year=2027).exists()
    assert DutyInstance.objects.filter(duty=duty, year=2026).count() == 4  # kept
    assert client.post(url, {"action": "restore"}).status_code == 302
    assert Duty.objects.get(pk=duty.pk).active


def test_a_duty_without_instances_may_be_deleted(sec_clients, agencies):
    client = sec_clients["ciso"]
    client.post("/security/duties/levels/", NEW)
    duty = Duty.objects.get(level="B", code="gcb")
    assert (
        client.post(f"/security/duties/levels/{duty.pk}/", {"action": "delete"}).status_code == 302
    )
    assert not Duty.objects.filter(pk=duty.pk).exists()
    assert AuditEntry.objects.filter(object_type="security.duty", action="delete").exists()


def test_the_list_of_duties_reads_in_a_fixed_number_of_queries(
    sec_clients, sec_people, agencies, django_assert_max_num_queries
):
    duties.duties_generate(actor=sec_people["ciso"], year=2026)
    with django_assert_max_num_queries(6):
        page = sec_clients["ciso"].get("/security/duties/levels/")
    assert page.status_code == 200
    assert page.content.decode().count("/security/duties/levels/") >= Duty.objects.count()


def test_every_shipped_value_names_its_basis(db):
    for duty in Duty.objects.all():
        assert duty.basis.startswith(
            ("資通安全責任等級分級辦法 第11條 附表", "資通安全事件通報")
        ), duty
        assert duty.description, duty
    annex = {"A": "附表一", "B": "附表三", "C": "附表五", "D": "附表七", "E": "附表八"}
    for duty in Duty.objects.exclude(code__in=defaults.DRILL_CODES):
        assert annex[duty.level] in duty.basis
    for duty in Duty.objects.filter(code__in=defaults.DRILL_CODES):
        assert "第8條" in duty.basis
    for rule in TrainingRequirement.objects.all():
        assert "第11條" in rule.basis and "附表" in rule.basis


def test_the_shipped_values_follow_the_regulation(db):
    def freq(level, code):
        duty = Duty.objects.get(level=level, code=code)
        return duty.times, duty.every_years

    assert freq("A", "audit") == (2, 1)  # 內部資通安全稽核 每年二次
    assert freq("B", "audit") == (1, 1)
    assert freq("A", "vulscan") == (2, 1) and freq("A", "pentest") == (1, 1)
    assert freq("A", "maturity") == (1, 1) and freq("A", "sysclass") == (1, 1)
    for level in "ABCDE":
        assert freq(level, "social") == (2, 1)  # 社交工程演練 每半年一次
        assert freq(level, "ir-drill") == (1, 1)
    rules = {r.audience: r for r in TrainingRequirement.objects.all()}
    assert (rules["security"].kind, rules["security"].hours) == ("professional", 12)
    assert (rules["it"].kind, rules["it"].hours, rules["it"].every_years) == (
        "professional",
        3,
        2,
    )
    assert (rules["everyone"].kind, rules["everyone"].hours) == ("general", 3)
