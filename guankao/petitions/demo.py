"""The demo city's citizen service line: a year of cases, through the services.

About 2,400 cases over the last twelve months, spread over channels, categories and
departments the way a city's line is (street problems by phone most of all), in the
varied wording of `phrasing`; most answered in time, some late, some still open and
overdue, some re-routed, extended, merged or closed under §173, surveys answered, a few
unsatisfied petitioners' cases reopened; the officer's monthly phone courtesy tests.
Seeded: the same demo every time.
"""

import datetime as dt
import hashlib
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from guankao.core import jobs
from guankao.core.demo import GIVEN, SURNAMES, register_extension
from guankao.core.models import Department, User
from guankao.lib import workdays
from guankao.petitions import catalogue, clients, figures, handling, phrasing, public, services
from guankao.petitions.models import (
    Case,
    Category,
    ClientApp,
    DepartmentRule,
    Knowledge,
    Request,
    RubricItem,
    Rules,
    ServiceCheck,
    Survey,
)

CASES_A_MONTH = 200
# (channel, weight)
CHANNELS = [
    ("phone", 52),
    ("mayor_mailbox", 15),
    ("email", 8),
    ("open311", 8),
    ("walk_in", 5),
    ("letter", 3),
    ("president", 3),
    ("executive_yuan", 3),
    ("council", 2),
    ("agency", 1),
]
# Street problems come most often.
CATEGORY_WEIGHTS = {
    "road.pothole": 14,
    "light.out": 13,
    "env.litter": 11,
    "traffic.parking": 11,
    "road.ditch": 6,
    "env.noise": 6,
    "traffic.signal": 4,
    "park.tree": 4,
    "env.dog": 4,
    "road.sidewalk": 3,
    "park.facility": 3,
    "social.subsidy": 3,
    "env.air": 2,
    "traffic.marking": 2,
    "traffic.bus": 2,
    "health.mosquito": 2,
    "health.food": 2,
    "tax.house": 2,
    "social.elder": 2,
    "edu.school": 2,
    "build.illegal": 1,
    "tax.vehicle": 1,
    "civil.register": 1,
    "civil.funeral": 1,
    "culture.event": 1,
}


def _at(day: dt.date, rng: random.Random, start: int = 8, end: int = 20) -> dt.datetime:
    minutes = rng.randint(start * 60, end * 60 - 1)
    moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    return timezone.make_aware(moment)


def _categories(admin_like) -> dict[str, Category]:
    out: dict[str, Category] = {}
    departments = {d.code: d for d in Department.objects.all()}
    for order, row in enumerate(catalogue.CATEGORIES):
        code, name, parent, owner, days, field, public, keywords = row
        category = Category.objects.create(
            code=code,
            name=name,
            parent=out.get(parent),
            department=departments.get(owner) if owner else None,
            reply_workdays=days,
            dispatch=field is not None,
            field_work_limit=field[0] if field else None,
            field_work_unit=field[1] if field else "",
            public=public,
            keywords=keywords,
            order=order,
        )
        category.path = f"{out[parent].path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        out[code] = category
    for code, category_code, question, answer, keywords in catalogue.KNOWLEDGE:
        Knowledge.objects.create(
            department=departments[code],
            category=out[category_code],
            question=question,
            answer=answer,
            keywords=keywords,
            updated_by=admin_like,
        )
    for order, (name, points) in enumerate(catalogue.RUBRIC):
        RubricItem.objects.create(name=name, points=points, order=order)
    # 工務處 and 智慧科技處 have their head approve each reply (the default); the other
    # departments of the demo let their people answer directly.
    DepartmentRule.objects.bulk_create(
        DepartmentRule(department=d, reply_needs_approval=False)
        for code, d in departments.items()
        if code not in ("PW", "ST")
    )
    return out


def _petitioner(rng: random.Random) -> dict:
    if rng.random() < 0.05:
        return {"anonymous": True}
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    data = {
        "name": name,
        "phone": f"09{rng.randint(10, 89)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
    }
    if rng.random() < 0.45:
        data["email"] = f"citizen{rng.randint(1000, 99999)}@example.com"
    return data


def _handler(case: Case, people: dict) -> User:
    """The lead department's liaison where the demo has one, else the 管考 officer."""
    return people.get(case.lead.code, people["officer"]) if case.lead else people["officer"]


def _approver(case: Case, people: dict) -> User:
    return people[f"{case.lead.code}.head"]


@register_extension
@transaction.atomic
@figures.batch()  # each bucket of the year's figures counted once, at the end
def load() -> bool:
    if Category.objects.exists():
        return False
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    people = {
        "officer": users["officer"],
        "callcentre": users["callcentre"],
        "PW": users["pw.liaison"],
        "PW.head": users["pw.head"],
        "SOC": users["soc.liaison"],
        "ST": users["st.liaison"],
        "ST.head": users["st.head"],
        "EPB": users["epb.liaison"],
    }
    categories = _categories(people["officer"])
    _open311(people["officer"], categories)
    Rules.current()
    rng = random.Random(1999)
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    codes = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    channels, channel_weights = zip(*CHANNELS, strict=True)
    for offset in range(365):
        day = start + dt.timedelta(days=offset)
        count = rng.randint(CASES_A_MONTH // 40, CASES_A_MONTH // 20)
        if not workdays.is_working_day(day):
            count //= 3
        for _ in range(count):
            code = rng.choices(codes, weights)[0]
            channel = rng.choices(channels, channel_weights)[0]
            _one_case(people, categories[code], channel, _at(day, rng), today, rng)
    _service_checks(people["officer"], today, rng)
    # Today's chasing and overdue flags, as the worker would have left them.
    jobs.run_once(timezone.now(), ["petitions.chase"])
    return True


def _one_case(people, category, channel, received, today, rng) -> None:
    subject, text, location = phrasing.case_text(category.code, rng)
    data = {
        "kind": "petition",
        "channel": channel,
        "subject": subject,
        "text": text,
        "category": category,
        "location": location if category.public else "",
        "received_at": received,
        **_petitioner(rng),
    }
    if category.public:  # a street problem: placed on the map, whoever took it
        data["latitude"], data["longitude"] = _spot(random.Random(received.timestamp()))
    if channel in ("president", "executive_yuan", "agency"):
        data["source_number"] = f"{rng.choice(['府', '院', '函'])}{rng.randint(10**9, 10**10 - 1)}"
        data["source_due"] = received.date() + dt.timedelta(days=rng.choice([10, 14, 20]))
    if channel == "phone" and rng.random() < 0.16 and category.code in _KNOWLEDGE_CODES:
        answer = _KNOWLEDGE_CODES[category.code]
        services.case_file(
            actor=people["callcentre"], **(data | {"kind": "consultation"}), answer=answer
        )
        return
    actor = people["callcentre"] if channel in ("phone", "walk_in") else people["officer"]
    if channel == "open311" and category.public:
        case = _reported(category, data, rng)
    else:
        case = services.case_file(actor=actor, **data)
    if channel == "phone" and rng.random() < 0.03:  # a neighbour calls about the same thing
        again = data | _petitioner(rng) | {"received_at": received + dt.timedelta(hours=2)}
        if again["received_at"] < timezone.now():
            duplicate = services.case_file(actor=actor, **again)
            services.case_merge(actor=people["officer"], case=duplicate, into=case)
    _handle(case, people, today, rng)


_KNOWLEDGE_CODES = {row[1]: row[3] for row in catalogue.KNOWLEDGE}

# Open311: the demo's app (its key is known, for trying the API: see the README) and the
# questions of 路燈不亮 and 道路坑洞.
DEMO_KEY = "o311_demo_key_for_trying_the_api"
POTHOLE_SIZES = [
    {"key": "small", "name": "小於 30 公分"},
    {"key": "medium", "name": "30 至 100 公分"},
    {"key": "large", "name": "超過 100 公分"},
]


def _open311(officer, categories) -> None:
    app, _key = clients.client_create(
        actor=officer, name="嘉義市民通 App", contact="資訊科 05-225-4321", per_minute=600
    )
    ClientApp.objects.filter(pk=app.pk).update(
        key_digest=ClientApp.digest_of(DEMO_KEY), key_hint=DEMO_KEY[:9]
    )
    clients.attribute_save(
        actor=officer,
        category=categories["light.out"],
        code="lamp_no",
        datatype="string",
        required=True,
        description="路燈編號",
        datatype_description="燈桿上的編號，例如 CY-0423",
        order=1,
    )
    clients.attribute_save(
        actor=officer,
        category=categories["road.pothole"],
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values=POTHOLE_SIZES,
        order=1,
    )


# Where the demo's street problems are: the city's built-up core (嘉義市 around 中央噴水池),
# kept inside GUANKAO_CITY_BBOX when that is set to another city.
CORE = (120.42, 23.46, 120.47, 23.50)


def _spot(rng: random.Random) -> tuple[str, str]:
    """A latitude and longitude (six decimals, as strings) inside the city's box."""
    west, south, east, north = CORE
    if settings.GUANKAO_CITY_BBOX:
        b_west, b_south, b_east, b_north = settings.GUANKAO_CITY_BBOX
        west, east = max(west, b_west), min(east, b_east)
        south, north = max(south, b_south), min(north, b_north)
        if west >= east or south >= north:  # another city altogether: its box's middle
            margin_x, margin_y = (b_east - b_west) / 4, (b_north - b_south) / 4
            west, east = b_west + margin_x, b_east - margin_x
            south, north = b_south + margin_y, b_north - margin_y
    return f"{rng.uniform(south, north):.6f}", f"{rng.uniform(west, east):.6f}"


def _reported(category, data, rng) -> Case:
    """A report an app sent through Open311, placed on the map inside the city."""
    name = data.get("name", "")
    answers = {}
    if category.code == "light.out":
        answers["lamp_no"] = f"CY-{rng.randint(1, 9999):04d}"
    elif category.code == "road.pothole":
        answers["size"] = rng.choice(POTHOLE_SIZES)["key"]
    case, _code = public.file_public_request(
        client=ClientApp.objects.get(key_digest=ClientApp.digest_of(DEMO_KEY)),
        category=category,
        description=data["text"],
        lat=data["latitude"],
        long=data["longitude"],
        address=data["location"],
        attributes=answers,
        first_name=name[1:],
        last_name=name[:1],
        email=data.get("email", ""),
        phone=data.get("phone", ""),
        received_at=data["received_at"],
    )
    return case


def _handle(case: Case, people, today, rng) -> None:
    received = case.received_at
    day = received.date()
    if case.lead is None:  # mail and transfers: the officer assigns the next working day
        assigned = _at(workdays.add_working_days(day, 1), rng, 9, 12)
        if assigned.date() > today:
            return
        case = services.case_assign(
            actor=people["officer"], case=case, lead=case.category.department, now=assigned
        )
    roll = rng.random()
    if roll < 0.03 and case.anonymous:
        services.case_not_processed(actor=people["officer"], case=case, rule="no_content")
        return
    if 0.03 <= roll < 0.06 and case.category.department.code != "SOC":
        _reroute(case, people, rng, today)
    if 0.06 <= roll < 0.08:
        _extend(case, people, rng, today)
    case.refresh_from_db()
    lateness = rng.random()
    workdays_taken = rng.randint(1, 5) if lateness < 0.9 else rng.randint(7, 12)
    if lateness > 0.985 and (today - day).days < 60:
        workdays_taken = 400  # stuck: still open and overdue
    replied_on = workdays.add_working_days(day, workdays_taken)
    if replied_on >= today:
        return  # still open: due soon, or overdue once the deadline has passed
    _reply(case, people, _at(replied_on, rng, 9, 17), rng)


def _reroute(case, people, rng, today) -> None:
    soc = Department.objects.get(code="SOC")
    handler = _handler(case, people)
    if handler == people["officer"]:
        return
    request = Request.objects.create(
        case=case,
        kind="reroute",
        department=case.lead,
        reason="本案非本處權管，建議改分社會處。",
        suggested=soc,
        requested_by=handler,
        requested_at=case.received_at + dt.timedelta(hours=3),
    )
    handling.request_decide(
        actor=people["officer"],
        request=request,
        approve=False,
        note="經查仍屬貴處權管，請續處。",
        now=case.received_at + dt.timedelta(hours=20),
    )


def _extend(case, people, rng, today) -> None:
    new_due = case.due_date + dt.timedelta(days=7)
    cap = case.received_at.date() + dt.timedelta(days=30)
    if new_due > cap or new_due >= today:
        return
    request = Request.objects.create(
        case=case,
        kind="extend",
        department=case.lead,
        reason="需會同相關單位會勘，申請展延。",
        new_due=new_due,
        requested_by=_handler(case, people),
        requested_at=case.received_at + dt.timedelta(days=2),
    )
    handling.request_decide(
        actor=people["officer"],
        request=request,
        approve=True,
        now=case.received_at + dt.timedelta(days=3),
    )


REPLIES = [
    "已派員至現場處理完畢，感謝您的反映。",
    "經查屬實，已完成改善，後續將持續巡查。",
    "本案已轉知相關單位加強稽查，並將列入定期巡檢。",
    "已於現場會勘並排定施工，預計兩週內完成。",
    "經查核相關規定，說明如下，如有疑問歡迎來電洽詢。",
]


def _reply(case: Case, people, at, rng) -> None:
    text = rng.choice(REPLIES)
    method = "email" if case.email else rng.choice(["letter", "phone"])
    if case.kind == Case.Kind.DISPATCH and rng.random() < 0.9:
        handling.field_done(
            actor=_handler(case, people), case=case, done_at=at - dt.timedelta(hours=2)
        )
    reply = handling.reply_draft(
        actor=_handler(case, people), case=case, text=text, public_text=text, method=method, now=at
    )
    if reply.state == "draft":
        approver = _approver(case, people)
        handling.reply_approve(actor=approver, reply=reply, now=at + dt.timedelta(hours=2))
    _answer_survey(case, rng)


def _answer_survey(case: Case, rng) -> None:
    if rng.random() > 0.4:
        return
    survey = Survey.objects.filter(case=case, answered_at=None).first()
    if survey is None:
        return
    token = f"demo-{survey.pk}"
    Survey.objects.filter(pk=survey.pk).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    happy = rng.random() < 0.82
    scores = {f: rng.randint(4, 5) if happy else rng.randint(1, 2) for f in handling.SCORE_FIELDS}
    handling.survey_answer(token=token, comment="" if happy else "處理太慢，問題還在。", **scores)
    Survey.objects.filter(pk=survey.pk).update(
        answered_at=survey.sent_at + dt.timedelta(days=rng.randint(0, 5)),
        expires_at=survey.sent_at + dt.timedelta(days=7),
    )


def _service_checks(officer, today, rng) -> None:
    rubric = list(RubricItem.objects.all())
    out_of = sum(r.points for r in rubric)
    codes = ["PW", "SOC", "EPB", "TRA", "TAX", "HR-E", "EDU", "CON"]
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    for months_back in range(12, 0, -1):
        checked = today - dt.timedelta(days=30 * months_back)
        for code in rng.sample(codes, 3):
            scores = {str(r.pk): rng.randint(r.points * 6 // 10, r.points) for r in rubric}
            ServiceCheck.objects.create(
                department=departments[code],
                checked_on=checked,
                kind="電話禮貌測試",
                scores=scores,
                score=sum(scores.values()),
                out_of=out_of,
                checked_by=officer,
            )
