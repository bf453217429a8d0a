"""Import of training records from the e-learning platform's export (CSV or ODS).

The export has one row per person and course: 帳號 (the staff identifier), 課程名稱,
日期, 時數, and optionally 類別 (一般 / 專業 / 資安專職; 一般 if empty) and 開課單位.
The whole file is read and checked before anything is written; every problem names its
row and column, and any problem leaves everything as it was. A dry run is the check
alone. A row already recorded with the same hours (the same person, course and day) is
counted as already there, so importing a file again adds nothing; with other hours it is
a problem (a correction is made by deleting the record first, which is audited).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import AuditEntry, User
from guankao.core.tabular import read_table
from guankao.security import access
from guankao.security.models import TrainingRecord
from guankao.security.training import (
    MAX_DAY_HOURS,
    agencies,
    clean_date,
    clean_hours,
    clean_kind,
)

COLUMNS = ("帳號", "課程名稱", "日期", "時數", "類別", "開課單位")
REQUIRED = ("帳號", "課程名稱", "日期", "時數")
BATCH = 2000


def _people(actor, usernames: set[str]) -> dict[str, User]:
    """The people of the file the actor may record for, by casefolded username."""
    rows = User.objects.filter(username__in=usernames).select_related("department")
    if not access.is_ciso(actor):
        rows = rows.filter(access.training_staff_q(actor, "department"))
    return {u.username.casefold(): u for u in rows if u.department_id is not None}


def _check_row(number: int, row: dict, people: dict, today) -> tuple[dict | None, list]:
    problems, data = [], {}
    checks = [
        ("帳號", lambda v: people.get(v.casefold()) or _unknown(v)),
        ("課程名稱", lambda v: validation.text("課程名稱", v, 200)),
        ("日期", lambda v: clean_date("日期", v, today)),
        ("時數", lambda v: clean_hours("時數", v)),
        ("類別", lambda v: clean_kind("類別", v)),
        ("開課單位", lambda v: validation.text("開課單位", v, 200, required=False)),
    ]
    for column, check in checks:
        try:
            data[column] = check(row.get(column, ""))
        except ServiceError as exc:
            problems += [FieldProblem(column, p.message, number) for p in exc.problems]
    return (None if problems else data), problems


def _unknown(value: str):
    raise ServiceError.field(
        "帳號", _("unknown staff identifier %(v)s (or not one of your staff)") % {"v": value}
    )


def _existing(checked) -> tuple[dict, dict]:
    """Records already held for the file's people and days: {(user, course, date): hours}
    and the hours of each (user, date)."""
    users = {d["帳號"].pk for _n, d in checked}
    days = [d["日期"] for _n, d in checked]
    if not days:
        return {}, {}
    held = TrainingRecord.objects.filter(
        user_id__in=users, date__gte=min(days), date__lte=max(days)
    )
    same = {(u, c, d): h for u, c, d, h in held.values_list("user_id", "course", "date", "hours")}
    per_day = defaultdict(Decimal)
    for (u, _c, d), h in same.items():
        per_day[(u, d)] += h
    return same, per_day


def _plan(checked) -> tuple[list, int, list]:
    """(rows to add, rows already recorded, problems)."""
    same, per_day = _existing(checked)
    seen, new, kept, problems = {}, [], 0, []
    for number, d in checked:
        user = d["帳號"]
        key = (user.pk, d["課程名稱"], d["日期"])
        if key in seen:
            message = _("the same person, course and day already appears on row %(r)d")
            problems.append(FieldProblem("課程名稱", message % {"r": seen[key]}, number))
            continue
        seen[key] = number
        if key in same:
            if same[key] == d["時數"]:
                kept += 1
            else:
                message = _("already recorded with %(h)s hours; delete that record to correct it")
                problems.append(FieldProblem("時數", message % {"h": same[key]}, number))
            continue
        per_day[(user.pk, d["日期"])] += d["時數"]
        if per_day[(user.pk, d["日期"])] > MAX_DAY_HOURS:
            message = _("this person would have more than 24 hours on %(d)s")
            problems.append(FieldProblem("時數", message % {"d": d["日期"].isoformat()}, number))
            continue
        new.append((number, d))
    return new, kept, problems


def training_import(*, actor, content: bytes, filename: str, dry_run: bool = False) -> dict:
    """Check (and unless `dry_run`, write) a file of training records. ServiceError lists
    every problem by row and column, and nothing is written."""
    if not access.may_record_training(actor):
        raise NotAllowed(_("Only liaisons, heads and security staff import training records."))
    rows = read_table(content, filename, required=REQUIRED, columns=COLUMNS)
    people = _people(actor, {r["帳號"] for _n, r in rows if r.get("帳號")})
    today = timezone.localdate()
    checked, problems = [], []
    for number, row in rows:
        data, row_problems = _check_row(number, row, people, today)
        problems += row_problems
        if data is not None:
            checked.append((number, data))
    new, kept, plan_problems = _plan(checked)
    problems += plan_problems
    if problems:
        order = {c: i for i, c in enumerate(COLUMNS)}
        raise ServiceError(*sorted(problems, key=lambda p: (p.row or 0, order.get(p.field, 9))))
    result = {"rows": len(rows), "added": len(new), "already_recorded": kept, "dry_run": dry_run}
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write(actor, new)
            audit.record(
                actor=actor,
                action=AuditEntry.Action.IMPORT,
                object_type="security.trainingrecord",
                object_repr=filename[:200],
                changes={"import": [None, {k: v for k, v in result.items() if k != "dry_run"}]},
                department=None if access.reads_all(actor) else actor.department,
            )
    except IntegrityError:  # someone recorded one of these rows meanwhile
        raise ServiceError.field(
            "file", _("some rows were recorded meanwhile; run the import again")
        ) from None
    return result


def _write(actor, new) -> None:
    known = agencies()
    by_path = {}
    now = timezone.now()
    records = []
    for _number, d in new:
        user = d["帳號"]
        path = user.department.path
        if path not in by_path:
            by_path[path] = access.agency_for_path(path, known)
        records.append(
            TrainingRecord(
                user=user,
                department_id=user.department_id,
                agency=by_path[path],
                course=d["課程名稱"],
                provider=d["開課單位"],
                date=d["日期"],
                hours=d["時數"],
                kind=d["類別"],
                source=TrainingRecord.Source.IMPORT,
                created_at=now,
                created_by=actor,
            )
        )
    TrainingRecord.objects.bulk_create(records, batch_size=BATCH)


def hours_by_person(user_ids, year: int) -> dict:
    """{user id: {kind: hours}} for the year."""
    out = defaultdict(dict)
    rows = (
        TrainingRecord.objects.filter(user_id__in=user_ids, date__year=year)
        .values("user_id", "kind")
        .annotate(h=Sum("hours"))
    )
    for r in rows:
        out[r["user_id"]][r["kind"]] = r["h"]
    return out
