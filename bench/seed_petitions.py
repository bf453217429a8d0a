"""Migrate an empty database and fill it with five years of the citizen service centre's
cases: the petitions benchmark's data.

40 departments (seed.py's tree), a liaison and a head in each, a 管考 officer with an API
token, 30 categories (a third sent out for field work) owned by departments of very
different sizes, and --cases cases (1,000,000 by default) received over the five years up
to --as-of, numbered by day like the city's (1151203-0001). Cases older than 30 days are
closed (92% replied, 5% closed under §173, 3% merged), later ones a mix of open states,
about 8% of them past their deadline; 2% carry an extension, 3% were re-routed (a second
assignment). Each case has its assignment(s) and a "received" event, closed ones a
"replied" event too; replied cases their sent reply, one in five of those a survey (85%
answered). No chasing has happened yet.

`--texts demo` (for bench/dispatch.py) takes the demo city's category tree instead (25
leaves, their owners spread over the bench's departments) and writes each case in the
demo's varied wording (petitions/phrasing.py), categories weighted like the demo's line; the
default writes the category's name and one sentence, which is all the other benchmarks read.

People and categories are written with bulk_create, the cases and their rows with COPY
(PostgreSQL) or executemany (SQLite), their ids given; the tables are ANALYZEd at the end.
Prints one JSON line, {"token": ..., "cases": n, "seed_seconds": s, ...}, last.

    GUANKAO_DATABASE_URL=... GUANKAO_SECRET_KEY=... python bench/seed_petitions.py --cases 10000
"""

import argparse
import datetime as dt
import functools
import json
import os
import random
import sys
import time
from collections import Counter

from seed import seed_departments

CHANNELS = {"phone": 62, "open311": 14, "mayor_mailbox": 10, "email": 6, "walk_in": 4}
CHANNELS |= {"letter": 2, "agency": 1, "council": 1}
SUBJECTS = ["路面坑洞", "路燈不亮", "違規停車", "噪音擾鄰", "垃圾未清", "水溝堵塞", "補助申請"]
SUBJECTS += ["行道樹倒塌", "號誌故障", "流浪犬", "違章建築", "空氣污染"]
SCORES, SCORE_WEIGHTS = [1, 2, 3, 4, 5], [4, 6, 15, 35, 40]


def seed_people(departments, officer_department):
    from guankao.core.models import Role, RoleAssignment, User

    users, roles = [], []
    for d in departments:
        for role in (Role.LIAISON, Role.HEAD):
            user = User(username=f"{role}.{d.code}", display_name=f"{d.code}{role}", department=d)
            user.set_unusable_password()
            users.append((user, role))
    officer = User(username="bench.officer", display_name="管考", department=officer_department)
    officer.set_unusable_password()
    users.append((officer, Role.OFFICER))
    User.objects.bulk_create([u for u, _ in users], batch_size=500)
    roles = [RoleAssignment(user=u, role=r) for u, r in users]
    RoleAssignment.objects.bulk_create(roles, batch_size=500)
    return officer, {d.pk: u for (u, r), d in zip(users[::2], departments, strict=False)}


def seed_demo_categories(leads):
    """The demo catalogue's tree, each of its departments played by one of `leads`."""
    from guankao.petitions import catalogue
    from guankao.petitions.models import Category

    owners = sorted({row[3] for row in catalogue.CATEGORIES if row[3]})
    played = dict(zip(owners, leads, strict=False))
    made = {}
    for code, name, parent, owner, *_rest, keywords in catalogue.CATEGORIES:
        category = Category.objects.create(
            code=code,
            name=name,
            parent=made.get(parent),
            department=played.get(owner),
            keywords=keywords,
            path="",
        )
        category.path = f"{made[parent].path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        made[code] = category
    return [c for c in made.values() if c.department_id]


def seed_categories(leads, rng):
    from guankao.petitions.models import Category

    groups = [Category(code=f"g{i}", name=f"類別群{i}", path="") for i in range(6)]
    Category.objects.bulk_create(groups)
    for g in groups:
        g.path = f"/{g.pk}/"
    Category.objects.bulk_update(groups, ["path"])
    leaves = []
    for i in range(30):
        dispatch = i % 3 == 0
        leaves.append(
            Category(
                code=f"c{i:02d}",
                name=SUBJECTS[i % len(SUBJECTS)],
                parent=groups[i % 6],
                department=leads[min(int(rng.paretovariate(1.1)) - 1, len(leads) - 1)],
                dispatch=dispatch,
                field_work_limit=2 if dispatch else None,
                field_work_unit="workdays" if dispatch else "",
                public=dispatch,
                path="",
            )
        )
    Category.objects.bulk_create(leaves)
    for c in leaves:
        c.path = f"{c.parent.path}{c.pk}/"
    Category.objects.bulk_update(leaves, ["path"])
    return leaves


class Maker:
    def __init__(self, rng, as_of, categories, officer, tz, workdays, texts="short"):
        self.rng, self.as_of, self.categories, self.officer = rng, as_of, categories, officer
        self.texts = texts
        if texts == "demo":
            from guankao.petitions import demo

            self.category_weights = [demo.CATEGORY_WEIGHTS[c.code] for c in categories]
        self.tz, self.daily = tz, Counter()
        # Five years have under 2,000 days: each deadline sum is worked out once.
        # The bench city has no calendar overrides: {} spares a query a year per call.
        self.add_working_days = functools.cache(
            lambda day, n: workdays.add_working_days(day, n, overrides={})
        )
        self.working_days_between = functools.cache(
            lambda a, b: workdays.working_days_between(a, b, overrides={})
        )
        self.channels, self.weights = list(CHANNELS), list(CHANNELS.values())

    def case(self, received: dt.datetime):
        from guankao.lib.roc import roc_year

        rng, day = self.rng, received.astimezone(self.tz).date()
        self.daily[day] += 1
        if self.texts == "demo":
            from guankao.petitions import phrasing

            category = rng.choices(self.categories, self.category_weights)[0]
            subject, text, _where = phrasing.case_text(category.code, rng)
        else:
            category = rng.choice(self.categories)
            subject, text = category.name, f"{category.name}，請儘速處理。"
        due = self.add_working_days(day, 6 if rng.random() < 0.9 else 10)
        age = (self.as_of - day).days
        closed_at, status, taken = None, "assigned", None
        if age > 30:
            r = rng.random()
            status = "replied" if r < 0.92 else ("not_processed" if r < 0.97 else "merged")
            closed_on = day + dt.timedelta(days=rng.randint(1, 12))
            closed_at = dt.datetime.combine(closed_on, dt.time(16), tzinfo=self.tz)
            taken = self.working_days_between(day, closed_on) if status == "replied" else None
        else:
            status = rng.choices(["assigned", "drafted", "replied"], [60, 10, 30])[0]
            if status == "replied":
                closed_at, taken = received + dt.timedelta(days=2), 2
        return dict(
            number=f"{roc_year(day.year):03d}{day:%m%d}-{self.daily[day]:04d}",
            kind="dispatch" if category.dispatch else "petition",
            channel=rng.choices(self.channels, self.weights)[0],
            status=status,
            received_at=received,
            name=f"市民{rng.randint(1, 99999):05d}",
            phone=f"09{rng.randint(10000000, 99999999)}",
            email="citizen@example.com" if rng.random() < 0.3 else "",
            subject=subject,
            text=text,
            category_id=category.pk,
            lead_id=category.department_id,
            due_date=due + dt.timedelta(days=7) if rng.random() < 0.02 else due,
            extensions=1 if rng.random() < 0.02 else 0,
            overdue=status in ("assigned", "drafted") and due < self.as_of,
            closed_at=closed_at,
            workdays_taken=taken,
            created_by_id=self.officer.pk,
            updated_at=closed_at or received,
        )


class Writer:
    """Rows as dicts of attribute names, their ids given here, written with COPY on
    PostgreSQL and executemany on SQLite: building model instances and the ORM's statements
    took most of the seed's time. Missing attributes take the field's default."""

    def __init__(self, connection):
        self.connection, self.next_id = connection, Counter()

    def write(self, model, rows):
        fields = model._meta.concrete_fields
        defaults = {f.attname: f.get_default() for f in fields}
        # SQLite takes dates, times and decimals as text in the form Django writes them.
        convert = {
            f.attname
            for f in fields
            if self.connection.vendor == "sqlite"
            and f.get_internal_type() in ("DateTimeField", "DateField", "DecimalField")
        }
        for row in rows:
            self.next_id[model] += 1
            row["id"] = self.next_id[model]
        by_name = {f.attname: f for f in fields}
        values = [
            tuple(
                by_name[a].get_db_prep_save(r.get(a, defaults.get(a)), self.connection)
                if a in convert
                else r.get(a, defaults.get(a))
                for a in by_name
            )
            for r in rows
        ]
        table = self.connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(self.connection.ops.quote_name(f.column) for f in fields)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)

    def reset_sequences(self, models):
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def write_chunk(writer, cases, officer, rng, departments):
    from guankao.petitions.models import Assignment, Case, Event, Reply, Survey

    writer.write(Case, cases)
    assignments, events, replies, surveys = [], [], [], []
    for c in cases:
        assignments.append(
            dict(
                case_id=c["id"],
                department_id=c["lead_id"],
                assigned_by_id=officer.pk,
                assigned_at=c["received_at"],
            )
        )
        if rng.random() < 0.03:  # re-routed once: an earlier, ended assignment
            other = rng.choice(departments)
            assignments.append(
                dict(
                    case_id=c["id"],
                    department_id=other.pk,
                    assigned_by_id=officer.pk,
                    assigned_at=c["received_at"],
                    ended_at=c["received_at"] + dt.timedelta(days=1),
                )
            )
        events.append(dict(case_id=c["id"], kind="received", at=c["received_at"], public=True))
        if c["closed_at"]:
            events.append(dict(case_id=c["id"], kind="replied", at=c["closed_at"], public=True))
        if c["status"] == "replied":
            replies.append(
                dict(
                    case_id=c["id"],
                    text="已派員查處完畢，謝謝您的反映。",
                    public_text="已處理完畢。",
                    method="email" if c["email"] else "phone",
                    state="sent",
                    drafted_by_id=officer.pk,
                    drafted_at=c["closed_at"],
                    sent_at=c["closed_at"],
                )
            )
    writer.write(Assignment, assignments)
    writer.write(Event, events)
    writer.write(Reply, replies)
    for reply in replies:
        if rng.random() < 0.2:  # a survey with one reply in five, most of them answered
            answered = rng.random() < 0.85
            speed, attitude, result = (
                rng.choices(SCORES, SCORE_WEIGHTS, k=3) if answered else (None, None, None)
            )
            sent = reply["sent_at"]
            surveys.append(
                dict(
                    case_id=reply["case_id"],
                    reply_id=reply["id"],
                    token_hash=f"{reply['id']:064x}",
                    sent_at=sent,
                    expires_at=sent + dt.timedelta(days=7),
                    answered_at=sent + dt.timedelta(days=1) if answered else None,
                    speed=speed,
                    attitude=attitude,
                    result=result,
                )
            )
    writer.write(Survey, surveys)
    return len(surveys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--texts", choices=["short", "demo"], default="short")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from guankao.core import services
    from guankao.core.models import Department, User
    from guankao.lib import workdays
    from guankao.petitions import figures
    from guankao.petitions.models import Assignment, Case, Event, Reply, Survey

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if Department.objects.exists() or User.objects.exists():
        sys.exit("seed_petitions.py: the database is not empty")
    rng = random.Random(args.seed)
    tz = timezone.get_current_timezone()
    as_of = args.as_of or timezone.localdate()
    with transaction.atomic():
        departments = seed_departments(40)
        leads = departments[1:]
        officer, liaisons = seed_people(leads, departments[0])
        if args.texts == "demo":
            categories = seed_demo_categories(leads)
        else:
            categories = seed_categories(leads, rng)
        # The officer signs in with two factors; without a device the token is refused.
        TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
        _, token = services.token_create(actor=officer, name="bench")
    maker = Maker(rng, as_of, categories, officer, tz, workdays, args.texts)
    start = dt.datetime.combine(as_of - dt.timedelta(days=365 * args.years), dt.time(), tz)
    span = (dt.datetime.combine(as_of, dt.time(), tz) - start).total_seconds()
    moments = sorted(rng.random() * span for _ in range(args.cases))
    writer, chunk, surveys = Writer(connection), 20_000, 0
    for first in range(0, args.cases, chunk):
        with transaction.atomic():
            cases = [
                maker.case(start + dt.timedelta(seconds=s)) for s in moments[first : first + chunk]
            ]
            surveys += write_chunk(writer, cases, officer, rng, leads)
    writer.reset_sequences([Case, Assignment, Event, Reply, Survey])
    figured = time.monotonic()
    buckets = figures.rebuild()  # the rows went in around the services: count them once
    figures_seconds = time.monotonic() - figured
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    busiest = Counter(Case.objects.values_list("lead_id", flat=True)).most_common(1)[0][0]
    out = {
        "token": token,
        "as_of": str(as_of),
        "cases": Case.objects.count(),
        "assignments": Assignment.objects.count(),
        "events": Event.objects.count(),
        "replies": Reply.objects.count(),
        "surveys": surveys,
        "figure_buckets": buckets,
        "figures_seconds": round(figures_seconds, 1),
        "open": Case.objects.filter(status__in=("assigned", "drafted")).count(),
        "busiest_department": Department.objects.get(pk=busiest).code,
        "busiest_liaison": liaisons[busiest].username,
        "a_case": Case.objects.filter(lead_id=busiest)
        .order_by("-pk")
        .values_list("pk", flat=True)[0],
        "seed_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
