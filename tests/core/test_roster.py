"""Roster import and export: departments and staff, CSV and ODS, checked and audited."""

import csv
import io
import time

import odfdo
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guankao.core import roster
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department, Role, RoleAssignment, User
from guankao.core.tabular import write_ods
from tests.conftest import client_for, make_user
from tests.hostile import repeated_ods

DEPARTMENT_HEADER = ["代碼", "名稱", "英文名稱", "類別", "上級代碼", "排序"]
STAFF_HEADER = ["帳號", "姓名", "單位代碼", "職稱", "角色", "電子郵件", "電話", "在職"]
# A child listed before its parent, and a parent listed before its own parent's row.
NEW_DEPARTMENTS = [
    ["EDU-1", "國民教育科", "Compulsory Education", "科", "EDU", "1"],
    ["EDU", "教育處", "Department of Education", "處", "CYC", "7"],
    ["PW-2", "新建工程科", "", "科", "PW", "2"],
]
NEW_STAFF = [
    ["pw-clerk", "王小明", "PW-1", "科員", "聯絡人", "wang@example.gov.tw", "05-2254321#12", "是"],
    ["pw-chief", "陳美玲", "PW-1", "科長", "單位主管、聯絡人", "chen@example.gov.tw", "", "是"],
    ["pw-retired", "林志強", "PW", "技士", "", "", "", "否"],
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def upload(content: bytes, name="roster.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


def state():
    """Everything an import could change, to check that a refused one changed nothing."""
    return (
        sorted(Department.objects.values_list("code", "name", "name_en", "kind", "path")),
        sorted(User.objects.values_list("username", "display_name", "email", "is_active")),
        sorted(RoleAssignment.objects.values_list("user__username", "role")),
        AuditEntry.objects.count(),
    )


def import_departments(actor, content, filename="departments.csv"):
    return roster.import_departments(actor=actor, content=content, filename=filename)


def import_staff(actor, content, filename="staff.csv"):
    return roster.import_staff(actor=actor, content=content, filename=filename)


# Departments ---------------------------------------------------------------------------


def check_new_departments(city):
    edu, edu1, pw2 = (Department.objects.get(code=c) for c in ("EDU", "EDU-1", "PW-2"))
    assert (edu.name, edu.name_en, edu.kind, edu.sort_order) == (
        "教育處",
        "Department of Education",
        "office",
        7,
    )
    assert edu.parent == city["root"] and edu.is_within(city["root"])
    assert edu1.parent == edu and edu1.is_within(edu) and edu1.kind == "section"
    assert pw2.parent == city["pw"] and pw2.is_within(city["pw"])


def test_it_imports_departments_from_csv_with_children_before_parents(people, city):
    result = import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, NEW_DEPARTMENTS))
    assert result == {"rows": 3, "created": 3, "updated": 0}
    check_new_departments(city)


def test_it_imports_departments_from_ods(people, city):
    rows = [[*r[:5], int(r[5])] for r in NEW_DEPARTMENTS]
    content = write_ods({"單位": (DEPARTMENT_HEADER, rows)})
    result = import_departments(people["admin"], content, "departments.ods")
    assert result["created"] == 3
    check_new_departments(city)


def test_it_imports_a_big5_file_correctly(people, city):
    import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, NEW_DEPARTMENTS, "cp950"))
    check_new_departments(city)
    content = csv_bytes(STAFF_HEADER, NEW_STAFF, "cp950")
    import_staff(people["admin"], content)
    assert User.objects.get(username="pw-clerk").display_name == "王小明"


def test_it_audits_every_imported_department(people, city):
    import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, NEW_DEPARTMENTS))
    entries = AuditEntry.objects.filter(object_type="core.department")
    created = {e.object_id for e in entries.filter(action="create")}
    new_ids = Department.objects.filter(code__in=["EDU", "EDU-1", "PW-2"]).values_list("pk")
    assert created == {str(pk) for (pk,) in new_ids}
    summary = entries.get(action="import")
    assert summary.actor == people["admin"]
    assert summary.changes["import"][1] == {"rows": 3, "created": 3, "updated": 0}


def test_it_updates_departments_and_moves_them(people, city):
    rows = [["PW-1", "養護科", "Maintenance", "科", "SOC", "3"]]
    result = import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, rows))
    assert result == {"rows": 1, "created": 0, "updated": 1}
    pw1 = Department.objects.get(code="PW-1")
    assert (pw1.name, pw1.parent.code, pw1.sort_order) == ("養護科", "SOC", 3)
    assert pw1.is_within(city["soc"])
    # The staff of the moved unit now fall under its new parent.
    assert people["worker"].department.code == "PW-1"
    update = AuditEntry.objects.get(object_type="core.department", action="update")
    assert update.changes["name"] == ["養護工程科", "養護科"]


def test_it_leaves_fields_of_left_out_columns_alone(people, city):
    Department.objects.filter(code="PW-1").update(name_en="Maintenance", sort_order=4)
    content = csv_bytes(["代碼", "名稱", "類別"], [["PW-1", "養護科", "科"]])
    import_departments(people["admin"], content)
    pw1 = Department.objects.get(code="PW-1")
    assert (pw1.name, pw1.name_en, pw1.sort_order, pw1.parent) == (
        "養護科",
        "Maintenance",
        4,
        city["pw"],
    )


BAD_DEPARTMENT_FILES = [
    pytest.param(
        [*NEW_DEPARTMENTS, ["EDU", "教育局", "", "局", "CYC", "1"]], None, 5, "代碼", id="duplicate"
    ),
    pytest.param([["PW", "工務處", "", "處", "", "x"]], None, 2, "排序", id="bad-order"),
    pytest.param([["PW", "工務處", "", "部", "", "1"]], None, 2, "類別", id="bad-kind"),
    pytest.param([["SOC", "社會處", "", "處", "NOPE", "1"]], None, 2, "上級代碼", id="parent"),
    pytest.param([["PW", "工務處", "", "處", "PW-1", "1"]], None, 2, "上級代碼", id="cycle"),
    pytest.param([["A B", "空白", "", "處", "", "1"]], None, 2, "代碼", id="bad-code"),
    pytest.param([["X1", "", "", "處", "", "1"]], None, 2, "名稱", id="no-name"),
    pytest.param(
        [r[:1] + r[2:] for r in NEW_DEPARTMENTS],
        ["代碼", "英文名稱", "類別", "上級代碼", "排序"],
        1,
        "file",
        id="missing-column",
    ),
    pytest.param(
        [[*r, "x"] for r in NEW_DEPARTMENTS],
        [*DEPARTMENT_HEADER, "備考"],
        1,
        "file",
        id="unknown-column",
    ),
]


@pytest.mark.parametrize(("rows", "header", "row", "column"), BAD_DEPARTMENT_FILES)
def test_it_refuses_bad_department_files_and_imports_nothing(
    clients, city, rows, header, row, column
):
    # Good rows come first, so a partial import would show.
    content = csv_bytes(header or DEPARTMENT_HEADER, [*NEW_DEPARTMENTS[2:], *rows])
    before = state()
    response = clients["admin"].post("/roster/import/departments/", upload(content))
    assert response.status_code == 400
    body = response.content.decode()
    assert f"<td>{row + (1 if header is None else 0)}</td>" in body
    assert f"<td>{column}</td>" in body
    assert state() == before


def test_it_names_every_bad_row_at_once(people, city):
    rows = [
        ["X1", "", "", "處", "", "1"],
        ["X2", "二", "", "部", "", "1"],
        ["X3", "三", "", "處", "", "-1"],
    ]
    with pytest.raises(ServiceError) as caught:
        import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, rows))
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (2, "名稱"),
        (3, "類別"),
        (4, "排序"),
    ]


@pytest.mark.parametrize("persona", ["head", "liaison", "officer", "executive"])
def test_it_lets_only_administrators_import_departments(people, clients, persona):
    content = csv_bytes(DEPARTMENT_HEADER, NEW_DEPARTMENTS)
    before = state()
    with pytest.raises(NotAllowed):
        import_departments(people[persona], content)
    response = clients[persona].post("/roster/import/departments/", upload(content))
    assert response.status_code == 403
    assert state() == before


# Staff ---------------------------------------------------------------------------------


def test_it_imports_staff_with_roles_and_audits_each_row(people, city):
    result = import_staff(people["admin"], csv_bytes(STAFF_HEADER, NEW_STAFF))
    assert result == {"rows": 3, "created": 3, "updated": 0}
    clerk = User.objects.get(username="pw-clerk")
    assert (clerk.display_name, clerk.department, clerk.title) == ("王小明", city["pw1"], "科員")
    assert (clerk.email, clerk.phone, clerk.is_active) == (
        "wang@example.gov.tw",
        "05-2254321#12",
        True,
    )
    assert clerk.role_set == {Role.LIAISON}
    assert User.objects.get(username="pw-chief").role_set == {Role.HEAD, Role.LIAISON}
    retired = User.objects.get(username="pw-retired")
    assert (retired.is_active, retired.role_set) == (False, frozenset())
    assert not retired.has_usable_password()
    for user in (clerk, retired):
        entry = AuditEntry.objects.get(object_type="core.user", object_id=str(user.pk))
        assert entry.action == "create" and entry.actor == people["admin"]
    summary = AuditEntry.objects.get(object_type="core.user", action="import")
    assert summary.changes["import"][1]["created"] == 3


def test_it_imports_staff_from_ods_through_the_page(clients, city):
    content = write_ods({"人員": (STAFF_HEADER, NEW_STAFF)})
    response = clients["admin"].post("/roster/import/staff/", upload(content, "staff.ods"))
    assert response.status_code == 302
    assert User.objects.filter(username__startswith="pw-").count() == 3


def test_it_updates_staff_and_leaves_fields_of_left_out_columns_alone(people, city):
    content = csv_bytes(
        ["帳號", "姓名", "單位代碼", "職稱"], [["liaison", "新名字", "PW-1", "技正"]]
    )
    result = import_staff(people["admin"], content)
    assert result == {"rows": 1, "created": 0, "updated": 1}
    liaison = User.objects.get(username="liaison")
    assert (liaison.display_name, liaison.department, liaison.title) == (
        "新名字",
        city["pw1"],
        "技正",
    )
    # No 角色, 電子郵件, 電話 or 在職 column: those stay as they were.
    assert liaison.role_set == {Role.LIAISON}
    assert (liaison.email, liaison.phone, liaison.is_active) == (
        "liaison@example.gov.tw",
        "05-2254321",
        True,
    )
    entry = AuditEntry.objects.get(object_type="core.user", action="update")
    assert set(entry.changes) == {"department", "display_name", "title"}


BAD_STAFF_ROWS = [
    pytest.param(["x1", "甲", "NOPE", "", "", "", "", "是"], "單位代碼", id="unknown-department"),
    pytest.param(["x1", "甲", "PW", "", "局長", "", "", "是"], "角色", id="unknown-role"),
    pytest.param(["x1", "甲", "PW", "", "", "not-an-email", "", "是"], "電子郵件", id="bad-email"),
    pytest.param(["x1", "甲", "PW", "", "", "", "abc", "是"], "電話", id="bad-phone"),
    pytest.param(["x1", "甲", "PW", "", "", "", "", "也許"], "在職", id="bad-active"),
    pytest.param(["x y", "甲", "PW", "", "", "", "", "是"], "帳號", id="bad-username"),
    pytest.param(["x1", "", "PW", "", "", "", "", "是"], "姓名", id="no-name"),
    pytest.param(["pw-clerk", "甲", "PW", "", "", "", "", "是"], "帳號", id="duplicate"),
    pytest.param(["LIAISON", "甲", "SOC", "", "", "", "", "是"], "帳號", id="duplicate-case"),
]


@pytest.mark.parametrize(("bad", "column"), BAD_STAFF_ROWS)
def test_it_refuses_bad_staff_files_and_imports_nothing(clients, city, bad, column):
    rows = [*NEW_STAFF, ["liaison", "改名", "PW", "", "聯絡人", "", "", "是"], bad]
    before = state()
    response = clients["admin"].post("/roster/import/staff/", upload(csv_bytes(STAFF_HEADER, rows)))
    assert response.status_code == 400
    body = response.content.decode()
    assert "<td>6</td>" in body
    assert f"<td>{column}</td>" in body
    assert state() == before


def test_it_refuses_a_staff_file_with_a_missing_column(people, city):
    header = [c for c in STAFF_HEADER if c != "單位代碼"]
    rows = [[v for i, v in enumerate(r) if i != 2] for r in NEW_STAFF]
    before = state()
    with pytest.raises(ServiceError) as caught:
        import_staff(people["admin"], csv_bytes(header, rows))
    problem = caught.value.problems[0]
    assert (problem.row, problem.field) == (1, "file")
    assert "單位代碼" in str(problem.message)
    assert state() == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\xff\xfe\x80\x81", "neither UTF-8 nor Big5", id="not-text"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 60, "CSV or ODS", id="zip"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", id="png"),
    ],
)
def test_it_refuses_files_that_are_not_tables(people, city, content, words):
    before = state()
    with pytest.raises(ServiceError) as caught:
        import_staff(people["admin"], content)
    assert caught.value.problems[0].field == "file"
    assert words in str(caught.value.problems[0].message)
    assert state() == before


@pytest.mark.parametrize("kind", ["departments", "staff"])
def test_it_refuses_a_10_mb_upload(clients, city, kind):
    header = DEPARTMENT_HEADER if kind == "departments" else STAFF_HEADER
    content = csv_bytes(header, [])
    content += b"\r\n" * ((10 * 1024 * 1024 - len(content)) // 2)
    before = state()
    response = clients["admin"].post(f"/roster/import/{kind}/", upload(content))
    assert response.status_code == 400
    assert "5120" in response.content.decode()  # the limit, in KB
    assert state() == before


@pytest.mark.parametrize("kind", ["departments", "staff"])
def test_it_refuses_the_800_byte_file_of_9_million_cells_at_once(clients, city, kind):
    content = repeated_ods(90_000, 100)
    before = state()
    clients["admin"].post(f"/roster/import/{kind}/", upload(content, "roster.ods"))  # warm-up
    started = time.monotonic()
    response = clients["admin"].post(f"/roster/import/{kind}/", upload(content, "roster.ods"))
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert state() == before


# A head's import -----------------------------------------------------------------------


def test_it_lets_a_head_import_staff_into_their_own_subtree(people, city):
    rows = [
        NEW_STAFF[0],
        ["liaison", "工務聯絡人", "PW", "", "聯絡人", "liaison@example.gov.tw", "", "是"],
    ]
    result = import_staff(people["head"], csv_bytes(STAFF_HEADER, rows))
    assert result == {"rows": 2, "created": 1, "updated": 1}
    assert User.objects.get(username="pw-clerk").department == city["pw1"]
    assert User.objects.get(username="liaison").display_name == "工務聯絡人"
    entries = AuditEntry.objects.filter(actor=people["head"], object_type="core.user")
    assert sorted(entries.values_list("action", flat=True)) == ["create", "import", "update"]


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        pytest.param(["x1", "甲", "SOC", "", "", "", "", "是"], "單位代碼", id="other-department"),
        pytest.param(["x1", "甲", "ST-CTRL", "", "", "", "", "是"], "單位代碼", id="other-section"),
        pytest.param(["other", "甲", "PW", "", "", "", "", "是"], "帳號", id="other-person"),
        pytest.param(["x1", "甲", "PW-1", "", "管考人員", "", "", "是"], "角色", id="officer"),
        pytest.param(["x1", "甲", "PW-1", "", "首長", "", "", "是"], "角色", id="executive"),
        pytest.param(["x1", "甲", "PW", "", "系統管理員", "", "", "是"], "角色", id="admin"),
        pytest.param(["officer", "甲", "ST-CTRL", "", "", "", "", "是"], "帳號", id="officer-row"),
    ],
)
def test_it_keeps_a_head_to_their_subtree_and_grantable_roles(clients, city, bad, column):
    rows = [NEW_STAFF[0], bad]
    before = state()
    response = clients["head"].post("/roster/import/staff/", upload(csv_bytes(STAFF_HEADER, rows)))
    assert response.status_code == 400
    body = response.content.decode()
    assert "<td>3</td>" in body and f"<td>{column}</td>" in body
    assert state() == before


def test_it_does_not_let_a_head_take_away_city_wide_roles(people, city):
    officer_in_pw = make_user("pw-officer", city["pw1"], Role.OFFICER, Role.LIAISON)
    content = csv_bytes(STAFF_HEADER, [["pw-officer", "甲", "PW-1", "", "聯絡人", "", "", "是"]])
    before = state()
    with pytest.raises(ServiceError) as caught:
        import_staff(people["head"], content)
    # An officer outranks a head: the head may not change that row at all.
    assert (caught.value.problems[0].row, caught.value.problems[0].field) == (2, "帳號")
    assert state() == before
    assert User.objects.get(pk=officer_in_pw.pk).role_set == {Role.OFFICER, Role.LIAISON}


@pytest.mark.parametrize("persona", ["liaison", "officer", "executive", "worker"])
def test_it_forbids_staff_import_and_export_to_others(people, clients, persona):
    content = csv_bytes(STAFF_HEADER, NEW_STAFF)
    before = state()
    with pytest.raises(NotAllowed):
        import_staff(people[persona], content)
    assert clients[persona].post("/roster/import/staff/", upload(content)).status_code == 403
    for url in ("/roster/export/staff.csv", "/roster/export/departments.ods"):
        assert clients[persona].get(url).status_code == 403
    assert state() == before


def test_it_sends_anonymous_visitors_to_sign_in(clients, city):
    response = clients["anonymous"].post(
        "/roster/import/staff/", upload(csv_bytes(STAFF_HEADER, NEW_STAFF))
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert clients["anonymous"].get("/roster/export/staff.csv").status_code == 302
    assert not User.objects.filter(username__startswith="pw-").exists()


# Export --------------------------------------------------------------------------------


def test_it_exports_departments_and_staff_as_csv(clients, people, city):
    response = clients["admin"].get("/roster/export/departments.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "guankao-departments.csv" in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert rows[0] == DEPARTMENT_HEADER
    assert ["PW-1", "養護工程科", "", "科", "PW", "0"] in rows
    assert ["CYC", "嘉義市政府", "", "市府", "", "0"] in rows

    rows = read_csv(clients["admin"].get("/roster/export/staff.csv").content)
    assert rows[0] == STAFF_HEADER
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["head"] == [
        "head",
        "head",
        "PW",
        "",
        "單位主管",
        "head@example.gov.tw",
        "05-2254321",
        "是",
    ]
    assert len(by_name) == len(people)


def test_it_refuses_unknown_export_kinds_and_formats(clients, city):
    for url in (
        "/roster/export/all.csv",
        "/roster/export/people.csv",
        "/roster/export/staff.xlsx",
    ):
        assert clients["admin"].get(url).status_code == 404, url


def test_it_round_trips_a_csv_export(clients, people, city):
    import_departments(people["admin"], csv_bytes(DEPARTMENT_HEADER, NEW_DEPARTMENTS))
    import_staff(people["admin"], csv_bytes(STAFF_HEADER, NEW_STAFF))
    departments = clients["admin"].get("/roster/export/departments.csv").content
    staff = clients["admin"].get("/roster/export/staff.csv").content
    before = state()
    result = import_departments(people["admin"], departments, "guankao-departments.csv")
    assert result == {"rows": Department.objects.count(), "created": 0, "updated": 9}
    result = import_staff(people["admin"], staff, "guankao-staff.csv")
    assert result["created"] == 0
    # Nothing changed but the two import summaries.
    assert state()[:3] == before[:3]
    assert state()[3] == before[3] + 2


def test_it_round_trips_an_ods_export_with_both_sheets(clients, people, city):
    import_staff(people["admin"], csv_bytes(STAFF_HEADER, NEW_STAFF))
    response = clients["admin"].get("/roster/export/all.ods")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    document = odfdo.Document(io.BytesIO(response.content))
    assert [t.name for t in document.body.get_tables()] == ["單位", "人員"]
    before = state()
    import_departments(people["admin"], response.content, "guankao-all.ods")
    result = import_staff(people["admin"], response.content, "guankao-all.ods")
    assert result == {"rows": len(people) + 3, "created": 0, "updated": len(people) + 3}
    assert state()[:3] == before[:3]
    # The same file, sent to the page, is read the same way.
    response = clients["admin"].post(
        "/roster/import/staff/", upload(response.content, "guankao-all.ods")
    )
    assert response.status_code == 302


def test_it_exports_a_heads_own_subtree_whole_and_logs_each_view(clients, people, city):
    response = clients["head"].get("/roster/export/staff.csv")
    assert response.status_code == 200
    rows = read_csv(response.content)[1:]
    assert sorted(r[0] for r in rows) == ["head", "liaison", "worker"]
    assert {r[5] for r in rows} == {
        "head@example.gov.tw",
        "liaison@example.gov.tw",
        "worker@example.gov.tw",
    }
    views = AuditEntry.objects.filter(actor=people["head"], action="view_personal")
    assert sorted(views.values_list("object_id", flat=True)) == sorted(
        str(people[p].pk) for p in ("head", "liaison", "worker")
    )


def test_it_masks_people_a_reader_may_not_see_whole(people, city):
    # A head who also reads city-wide: everyone is listed, only PW is shown whole.
    chief = make_user("chief", city["pw"], Role.HEAD, Role.OFFICER, phone="05-2251234")
    response = client_for(chief).get("/roster/export/staff.csv")
    assert response.status_code == 200
    rows = {r[0]: r for r in read_csv(response.content)[1:]}
    assert len(rows) == len(people) + 1
    assert rows["worker"][5:7] == ["worker@example.gov.tw", "05-2254321"]
    assert rows["other"][5:7] == ["o***@example.gov.tw", "05-****321"]
    assert rows["admin"][5] == "a***@example.gov.tw"
    whole = {"chief", "head", "liaison", "worker"}
    views = AuditEntry.objects.filter(actor=chief, action="view_personal")
    assert set(views.values_list("object_repr", flat=True)) == whole
    assert views.count() == len(whole)
    assert {e.department.code for e in views} <= {"PW", "PW-1"}


def test_it_logs_nothing_when_nobody_is_shown_whole(people, city):
    client_for(people["admin"]).get("/roster/export/departments.csv")
    assert not AuditEntry.objects.filter(action="view_personal").exists()


def test_it_keeps_spreadsheet_formulas_out_of_a_csv_export(people, clients, city):
    formula = '=HYPERLINK("http://example.com","點我")'
    rows = [["pw-clerk", formula, "PW-1", "@SUM(1)", "", "", "+886-5-2254321", "是"]]
    import_staff(people["admin"], csv_bytes(STAFF_HEADER, rows))
    content = clients["admin"].get("/roster/export/staff.csv").content
    exported = {r[0]: r for r in read_csv(content)}["pw-clerk"]
    assert exported[1] == "'" + formula
    assert exported[3] == "'@SUM(1)"
    assert exported[6] == "'+886-5-2254321"
    # Reading the export back takes the guard off again.
    import_staff(people["admin"], content)
    clerk = User.objects.get(username="pw-clerk")
    assert (clerk.display_name, clerk.title, clerk.phone) == (formula, "@SUM(1)", "+886-5-2254321")


def test_it_reports_missing_usernames_as_required_not_duplicates(people, city):
    rows = [["", "甲", "PW", "", "", "", "", "是"], ["", "乙", "PW", "", "", "", "", "是"]]
    with pytest.raises(ServiceError) as caught:
        import_staff(people["admin"], csv_bytes(STAFF_HEADER, rows))
    assert [(p.row, p.field, str(p.message)) for p in caught.value.problems] == [
        (2, "帳號", "is required"),
        (3, "帳號", "is required"),
    ]


def test_it_reads_percentage_cells_as_written():
    import io

    import odfdo

    from guankao.core.tabular import read_table

    document = odfdo.Document("spreadsheet")
    document.body.clear()
    table = odfdo.Table("s")
    table.set_value((0, 0), "目標")
    table.set_cell((0, 1), odfdo.Cell(value=1, cell_type="percentage"))
    table.set_cell((0, 2), odfdo.Cell(value=0.8, cell_type="percentage"))
    table.set_cell((0, 3), odfdo.Cell(value=0.955, cell_type="percentage"))
    document.body.append(table)
    buffer = io.BytesIO()
    document.save(buffer)
    rows = read_table(buffer.getvalue(), "t.ods", required=("目標",))
    assert [row["目標"] for _, row in rows] == ["100%", "80%", "95.5%"]
