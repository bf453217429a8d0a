"""Historical cases from the earlier 1999 system: every problem by row and column, nothing
half-imported, a dry run that writes nothing, officers only."""

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.petitions.imports import case_import
from guankao.petitions.models import Assignment, Case, Event

pytestmark = pytest.mark.django_db
HEAD = (
    "案件編號,收件時間,來源管道,案件類別,主旨,內容,陳情人,電話,電子郵件,"
    "主辦機關,處理期限,結案日期\n"
)
GOOD = (
    "1100105-0001,2021-01-05 09:30,1999,pothole,路面坑洞,中山路坑洞,王小明,0912-345-678,"
    "a@example.com,PW,2021-01-12,2021-01-08\n"
    "1100105-0002,110/01/05,臨櫃,subsidy,補助申請,詢問補助,,05-2254321,,SOC,2021-01-19,\n"
)


def run(officer, text, dry_run=False):
    return case_import(actor=officer, content=text.encode(), filename="old.csv", dry_run=dry_run)


def test_it_imports_every_row_with_its_dates_and_status(people, categories, city):
    officer = people["officer"]
    assert run(officer, HEAD + GOOD, dry_run=True) == {
        "dry_run": True,
        "rows": 2,
        "imported": 0,
        "problems": [],
    }
    assert not Case.objects.exists()
    assert run(officer, HEAD + GOOD)["imported"] == 2
    closed, open_ = Case.objects.order_by("number")
    assert (closed.status, closed.lead, closed.kind) == ("replied", city["pw"], "dispatch")
    assert closed.workdays_taken == 3 and closed.closed_at is not None
    assert (open_.status, open_.lead, str(open_.due_date)) == (
        "assigned",
        city["soc"],
        "2021-01-19",
    )
    assert Assignment.objects.count() == 2 and Event.objects.count() == 3


def test_it_lists_every_problem_by_row_and_column_and_writes_nothing(people, categories):
    bad = (
        "1100105-0001,2021-01-05 09:30,1999,nope,路面坑洞,內容,,12,,PW,2021-01-01,\n"
        "1100105-0001,yesterday,傳真,pothole,,內容,,,bad@,XX,2021-01-12,\n"
    )
    with pytest.raises(ServiceError) as exc:
        run(people["officer"], HEAD + GOOD.splitlines()[1] + "\n" + bad)
    found = [(p.row, p.field) for p in exc.value.problems]
    assert found == [
        (3, "案件類別"),
        (3, "電話"),
        (3, "處理期限"),
        (4, "案件編號"),
        (4, "收件時間"),
        (4, "來源管道"),
        (4, "主旨"),
        (4, "電子郵件"),
        (4, "主辦機關"),
    ]
    assert not Case.objects.exists()


def test_a_number_already_filed_is_refused(people, categories):
    run(people["officer"], HEAD + GOOD)
    with pytest.raises(ServiceError) as exc:
        run(people["officer"], HEAD + GOOD, dry_run=True)
    assert [(p.row, p.field) for p in exc.value.problems] == [(2, "案件編號"), (3, "案件編號")]


def test_only_the_officer_imports_and_bad_files_are_refused(people, categories):
    with pytest.raises(NotAllowed):
        run(people["liaison"], HEAD + GOOD, dry_run=True)
    with pytest.raises(ServiceError) as exc:
        run(people["officer"], "案件編號,顏色\n1,紅\n", dry_run=True)
    assert exc.value.problems[0].field


def test_the_api_takes_an_upload(people, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import client_for

    client = client_for(people["officer"])
    upload = SimpleUploadedFile("old.csv", (HEAD + GOOD).encode(), content_type="text/csv")
    answer = client.post("/api/v1/petitions/import", {"file": upload, "dry_run": "false"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["imported"] == 2
    assert client.post("/api/v1/petitions/import", {}).json()["detail"][0]["field"] == "file"
    liaison = client_for(people["liaison"])
    assert liaison.post("/api/v1/petitions/import", {}).status_code == 403
