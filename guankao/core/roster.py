"""Import and export of the departments and staff roster (CSV or ODS).

The file is read and its rows checked before the write transaction begins; the rows are
then written through the same services as the forms, inside that one transaction: any
problem in any row rolls the whole import back, and the answer lists every problem with
its row and column.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import access, audit, services, validation
from guankao.core.errors import FieldProblem, NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry, Department, DepartmentKind, Role, User
from guankao.core.selectors import staff_list
from guankao.core.tabular import read_table, write_csv, write_ods
from guankao.lib.masking import mask_email, mask_phone

DEPARTMENT_COLUMNS = ["代碼", "名稱", "英文名稱", "類別", "上級代碼", "排序"]
STAFF_COLUMNS = ["帳號", "姓名", "單位代碼", "職稱", "角色", "電子郵件", "電話", "在職"]
DEPARTMENT_SHEET, STAFF_SHEET = "單位", "人員"

KIND_LABELS = {
    "市府": DepartmentKind.GOVERNMENT,
    "處": DepartmentKind.OFFICE,
    "局": DepartmentKind.BUREAU,
    "科": DepartmentKind.SECTION,
    "所屬機關": DepartmentKind.AGENCY,
    "學校": DepartmentKind.SCHOOL,
}
ROLE_LABELS = {
    "管考人員": Role.OFFICER,
    "聯絡人": Role.LIAISON,
    "單位主管": Role.HEAD,
    "首長": Role.EXECUTIVE,
    "系統管理員": Role.ADMIN,
}
# The names the screens show are accepted too (exports use the short ones above).
ROLE_ALIASES = {
    "單位聯絡人": Role.LIAISON,
    "首長（閱覽）": Role.EXECUTIVE,
    "首長(閱覽)": Role.EXECUTIVE,
}
KIND_NAMES = {v: k for k, v in KIND_LABELS.items()}
ROLE_NAMES = {v: k for k, v in ROLE_LABELS.items()}
YES = {"是", "y", "yes", "1", "true", ""}
NO = {"否", "n", "no", "0", "false"}
# Each row is written through the services (a person: the account, roles, audit entry):
# the cap keeps an import's write transaction to seconds, within the time another writer
# waits for it (lib/env.py). A city's departments and staff are well below it.
MAX_ROWS = 2_000
NAME_LENGTH = Department._meta.get_field("name").max_length


def _kind(value: str, row: int) -> str:
    kind = KIND_LABELS.get(value, value)
    if kind not in DepartmentKind.values:
        allowed = ", ".join(KIND_LABELS)
        raise ServiceError.field("類別", _("must be one of %(v)s") % {"v": allowed}, row)
    return kind


def _int(value: str, column: str, row: int) -> int:
    if value == "":
        return 0
    if not (value.isascii() and value.isdigit()):
        raise ServiceError.field(column, _("must be a whole number, 0 or more"), row)
    return int(value)


def _duplicates(rows, column: str) -> list[FieldProblem]:
    seen, problems = {}, []
    for number, row in rows:
        key = row[column].casefold()
        if not key:  # the service says it is required
            continue
        if key in seen:
            problems.append(
                FieldProblem(
                    column,
                    _("%(v)s already appears on row %(r)d") % {"v": row[column], "r": seen[key]},
                    number,
                )
            )
        seen.setdefault(key, number)
    return problems


def _relabel(exc: ServiceError, row: int, columns: dict) -> list[FieldProblem]:
    return [FieldProblem(columns.get(p.field, p.field), p.message, row) for p in exc.problems]


DEPARTMENT_FIELDS = {
    "code": "代碼",
    "name": "名稱",
    "name_en": "英文名稱",
    "kind": "類別",
    "parent": "上級代碼",
    "sort_order": "排序",
}


def _department_data(row: dict, number: int, known: dict) -> dict:
    # A column left out of the file leaves that field as it is; it does not blank it.
    data = {"name": row["名稱"], "kind": _kind(row["類別"], number)}
    if "英文名稱" in row:
        data["name_en"] = row["英文名稱"]
    if "排序" in row:
        data["sort_order"] = _int(row["排序"], "排序", number)
    if "上級代碼" in row:
        data["parent"] = known.get(row["上級代碼"] or None)
    return data


def import_departments(*, actor, content: bytes, filename: str) -> dict:
    if not access.can_manage_departments(actor):
        raise NotAllowed(_("Only administrators import departments."))
    rows = read_table(
        content,
        filename,
        required=("代碼", "名稱", "類別"),
        columns=tuple(DEPARTMENT_COLUMNS),
        sheet=DEPARTMENT_SHEET,
        max_rows=MAX_ROWS,
    )
    problems = _duplicates(rows, "代碼")
    for number, row in rows:
        try:
            _department_data(row, number, {})
            validation.text("名稱", row["名稱"], NAME_LENGTH)
        except ServiceError as exc:
            problems.extend(_relabel(exc, number, DEPARTMENT_FIELDS))
    if problems:
        raise ServiceError(*sorted(problems, key=lambda p: p.row or 0))
    with transaction.atomic():
        return _write_departments(actor, rows, filename)


def _write_departments(actor, rows: list[tuple[int, dict]], filename: str) -> dict:
    known = {d.code: d for d in Department.objects.all()}
    # Parents first: a row waits until the department it sits under exists.
    pending, problems = list(rows), []
    created = updated = 0
    while pending:
        ready = [r for r in pending if not r[1].get("上級代碼") or r[1]["上級代碼"] in known]
        if not ready:
            break
        for number, row in ready:
            pending.remove((number, row))
            try:
                data = _department_data(row, number, known)
                existing = known.get(row["代碼"])
                if existing is None:
                    known[row["代碼"]] = services.department_create(
                        actor=actor, code=row["代碼"], **data
                    )
                    created += 1
                else:
                    known[row["代碼"]] = services.department_update(
                        actor=actor, department=existing, **data
                    )
                    updated += 1
            except ServiceError as exc:
                problems.extend(_relabel(exc, number, DEPARTMENT_FIELDS))
    for number, row in pending:
        problems.append(
            FieldProblem("上級代碼", _("unknown department %(c)s") % {"c": row["上級代碼"]}, number)
        )
    if problems:
        raise ServiceError(*sorted(problems, key=lambda p: p.row or 0))
    return _finish(actor, "core.department", filename, len(rows), created, updated)


def _roles(value: str, row: int) -> list[str]:
    roles = []
    for part in value.replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        role = ROLE_LABELS.get(part) or ROLE_ALIASES.get(part, part)
        if role not in Role.values:
            raise ServiceError.field(
                "角色",
                _("unknown role %(r)s; use %(v)s") % {"r": part, "v": "、".join(ROLE_LABELS)},
                row,
            )
        roles.append(role)
    return roles


STAFF_FIELDS = {
    "username": "帳號",
    "display_name": "姓名",
    "department": "單位代碼",
    "title": "職稱",
    "roles": "角色",
    "email": "電子郵件",
    "phone": "電話",
    "is_active": "在職",
}
OPTIONAL_STAFF_TEXT = {"職稱": "title", "電子郵件": "email", "電話": "phone"}


def _staff_data(row: dict, number: int, departments: dict) -> dict:
    # Empty: no department, as the export writes it (only an administrator may set that).
    department = departments.get(row["單位代碼"]) if row["單位代碼"] else None
    if department is None and row["單位代碼"]:
        raise ServiceError.field(
            "單位代碼", _("unknown department %(c)s") % {"c": row["單位代碼"]}, number
        )
    # A column left out of the file leaves that field as it is; it does not blank it.
    data = {"display_name": row["姓名"], "department": department}
    for column, field in OPTIONAL_STAFF_TEXT.items():
        if column in row:
            data[field] = row[column]
    if "角色" in row:
        data["roles"] = _roles(row["角色"], number)
    if "在職" in row:
        active = row["在職"].strip().lower()
        if active not in YES | NO:
            raise ServiceError.field("在職", _("must be 是 or 否"), number)
        data["is_active"] = active in YES
    return data


def import_staff(*, actor, content: bytes, filename: str) -> dict:
    if not access.grantable_roles(actor):
        raise NotAllowed(_("Only administrators and department heads import staff."))
    rows = read_table(
        content,
        filename,
        required=("帳號", "姓名", "單位代碼"),
        columns=tuple(STAFF_COLUMNS),
        sheet=STAFF_SHEET,
        max_rows=MAX_ROWS,
    )
    problems = _duplicates(rows, "帳號")
    if problems:
        raise ServiceError(*problems)
    departments = {d.code: d for d in Department.objects.all()}
    checked = []
    for number, row in rows:
        try:
            checked.append((number, row, _staff_data(row, number, departments)))
        except ServiceError as exc:
            problems.extend(_relabel(exc, number, STAFF_FIELDS))
    if problems:
        raise ServiceError(*problems)
    with transaction.atomic():
        return _write_staff(actor, checked, filename)


def _write_staff(actor, checked: list[tuple[int, dict, dict]], filename: str) -> dict:
    existing = {u.username.casefold(): u for u in User.objects.select_related("department")}
    created = updated = 0
    problems = []
    for number, row, data in checked:
        try:
            user = existing.get(row["帳號"].casefold())
            if user is None:
                services.staff_create(actor=actor, username=row["帳號"], **data)
                created += 1
            else:
                services.staff_update(actor=actor, user=user, **data)
                updated += 1
        except ServiceError as exc:
            problems.extend(_relabel(exc, number, STAFF_FIELDS))
        except (NotFound, NotAllowed):  # a person of another department
            problems.append(FieldProblem("帳號", _("not yours to change"), number))
    if problems:
        raise ServiceError(*problems)
    return _finish(actor, "core.user", filename, len(checked), created, updated)


def _finish(actor, object_type, filename, total, created, updated) -> dict:
    result = {"rows": total, "created": created, "updated": updated}
    audit.record(
        actor=actor,
        action=AuditEntry.Action.IMPORT,
        object_type=object_type,
        object_repr=filename[:200],
        changes={"import": [None, result]},
    )
    return result


def department_rows() -> list[list]:
    return [
        [
            d.code,
            d.name,
            d.name_en,
            KIND_NAMES.get(d.kind, d.kind),
            d.parent.code if d.parent_id else "",
            d.sort_order,
        ]
        for d in Department.objects.select_related("parent").order_by("path")
    ]


def _log_whole_views(actor, people: list[User]) -> None:
    """One VIEW_PERSONAL entry per person whose e-mail and phone an export shows whole."""
    if not people:
        return
    ip, name = audit.current_ip(), actor.get_username()[:150]
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                actor_name=name,
                ip=ip,
                action=AuditEntry.Action.VIEW_PERSONAL,
                object_type=User._meta.label_lower,
                object_id=str(p.pk),
                object_repr=str(p)[:200],
                department=p.department,
                note="email, phone (roster export)",
            )
            for p in people
        ],
        batch_size=500,
    )


def staff_rows(*, actor) -> list[list]:
    people = list(staff_list(user=actor))
    whole = {p.pk for p in people if access.can_view_personal(actor, p)}
    _log_whole_views(actor, [p for p in people if p.pk in whole])
    return [
        [
            p.username,
            p.display_name,
            p.department.code if p.department_id else "",
            p.title,
            "、".join(ROLE_NAMES[r] for r in sorted(p.role_set)),
            p.email if p.pk in whole else mask_email(p.email),
            p.phone if p.pk in whole else mask_phone(p.phone),
            "是" if p.is_active else "否",
        ]
        for p in people
    ]


def export(*, actor, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, filename, content type) for kind 'departments', 'staff' or 'all' (ODS)."""
    if not (access.can_manage_departments(actor) or access.grantable_roles(actor)):
        raise NotAllowed(_("Only administrators and department heads export the roster."))
    sheets = {}
    if kind in ("departments", "all"):
        sheets[DEPARTMENT_SHEET] = (DEPARTMENT_COLUMNS, department_rows())
    if kind in ("staff", "all"):
        sheets[STAFF_SHEET] = (STAFF_COLUMNS, staff_rows(actor=actor))
    if not sheets:
        raise ServiceError.field("kind", _("must be departments, staff or all"))
    if fmt == "ods":
        return (
            write_ods(sheets),
            f"guankao-{kind}.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        )
    if fmt == "csv" and len(sheets) == 1:
        header, rows = next(iter(sheets.values()))
        return write_csv(header, rows), f"guankao-{kind}.csv", "text/csv; charset=utf-8"
    raise ServiceError.field("format", _("must be csv (one kind) or ods"))
