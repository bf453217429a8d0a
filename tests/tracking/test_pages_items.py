"""Item-level pages of controlled cases, through HTTP, over the shared personas.

"Now" is pinned to 2026-11-12 (the tracking conftest's NOW): the October report was due
on 2026-11-05, so filing it now is late; with `early` it is 2026-11-03, before that day.
Pages are read in English (the msgids), so that the assertions do not follow the catalogue.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from guankao.core.models import Attachment
from guankao.tracking import reporting, services
from guankao.tracking.models import Chase, Item, Milestone, Report

from .conftest import NOW, at, file, plan


@pytest.fixture(autouse=True)
def frozen(monkeypatch, settings):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    settings.LANGUAGE_CODE = "en"  # the msgids, whatever the catalogue says
    return NOW


@pytest.fixture
def early(monkeypatch):
    moment = at(2026, 11, 3)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def section_item(people, city):
    """An item led by PW-1, the section of the worker who has no role."""
    return services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-115-101",
        title="側溝清疏",
        lead=city["pw1"],
        budget_total=1_000_000,
    )


def png(name="site.png", colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def report_url(item, year=2026, month=10):
    return f"/tracking/items/{item.pk}/report/?year={year}&month={month}"


@pytest.fixture(autouse=True)
def _plan_50(request):
    """The baseline plans 50% for 115/10 (the month the report form files by default)."""
    if "works" in request.fixturenames:
        plan(request.getfixturevalue("works"), 2026, 10, "50")


def progress_post(**extra):
    data = {"year": "115", "month": "10", "actual": "50", "work_done": "鋪面施工"}
    data.update(extra)
    return data


# Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [
        ("liaison", 200),
        ("head", 200),
        ("officer", 200),
        ("executive", 200),
        ("admin", 200),
        ("other_liaison", 404),
        ("worker", 404),
    ],
)
def test_it_shows_the_item_page_to_those_who_may_read_it(clients, works, persona, status):
    r = clients[persona].get(f"/tracking/items/{works.pk}/")
    assert r.status_code == status
    if status == 200:
        html = r.content.decode()
        for text in (
            "W-115-001",
            "PW11501",
            "嘉義營造",
            "NT$11,500,000",
            "嘉義市東區民族路",
            "23.480000",
        ):
            assert text in html
        assert "115/12/31" in html  # the planned finish, in 民國 form


def test_it_sends_anonymous_visitors_to_sign_in(clients, works):
    for url in (
        "/tracking/items/",
        f"/tracking/items/{works.pk}/",
        "/tracking/items/new/",
        f"/tracking/items/{works.pk}/edit/",
        report_url(works),
        "/tracking/my/",
        f"/tracking/items/{works.pk}/release/",
    ):
        r = clients["anonymous"].get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url


def test_other_departments_get_404_on_every_pw_item_page(clients, works, people):
    report = file(works, people["liaison"], 2026, 10, "50", "50")
    other = clients["other_liaison"]
    assert other.get(f"/tracking/items/{works.pk}/edit/").status_code == 404
    assert other.get(report_url(works)).status_code == 404
    assert other.post(report_url(works, 2026, 9), progress_post(month="9")).status_code == 404
    assert (
        other.post(f"/tracking/reports/{report.pk}/review/", {"action": "approve"}).status_code
        == 404
    )
    assert other.get(f"/tracking/items/{works.pk}/release/").status_code == 404
    assert (
        other.post(
            f"/tracking/items/{works.pk}/milestones/",
            {"milestone-title": "x", "milestone-due": "115/12/01"},
        ).status_code
        == 404
    )
    assert works.reports.count() == 1 and not works.milestones.exists()
    assert "W-115-001" not in other.get("/tracking/items/").content.decode()


def test_it_shows_a_directive_with_its_due_date_and_handling(clients, directive, people):
    reporting.report_file(
        actor=people["liaison"],
        item=directive,
        year=2026,
        month=10,
        now=NOW,
        work_done="研議中",
        handling="in_progress",
        result="已召開會議",
    )
    html = clients["head"].get(f"/tracking/items/{directive.pk}/").content.decode()
    assert "115/12/31" in html and "已召開會議" in html
    assert "<svg" not in html  # no S-curve for a directive


# Filing ----------------------------------------------------------------------------------


def test_it_lets_the_liaison_file_and_the_head_approve(clients, works, people):
    page = clients["liaison"].get(f"/tracking/items/{works.pk}/report/")
    assert page.status_code == 200
    assert page.context["year"] == 2026 and page.context["month"] == 10  # last month
    assert page.context["due"] == dt.date(2026, 11, 5)
    r = clients["liaison"].post(report_url(works), progress_post(money_spent="3900000"))
    assert r.status_code == 302
    report = Report.objects.get(item=works)
    assert (report.state, report.actual, report.money_spent) == ("submitted", 50, 3_900_000)
    html = clients["head"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert f'action="/tracking/reports/{report.pk}/review/#review-{report.pk}"' in html
    r = clients["head"].post(
        f"/tracking/reports/{report.pk}/review/", {"action": "approve", "note": "同意"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED and report.review_note == "同意"


def test_it_returns_a_report_only_with_a_note(clients, works, people):
    report = file(works, people["liaison"], 2026, 10, "50", "50")
    r = clients["head"].post(
        f"/tracking/reports/{report.pk}/review/", {"action": "return", "note": ""}
    )
    assert r.status_code == 400
    assert r.context["review_for"] == report.pk and r.context["review_form"].errors["note"]
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED


def test_the_liaison_cannot_approve(clients, works, people):
    report = file(works, people["head"], 2026, 10, "50", "50")
    r = clients["liaison"].post(f"/tracking/reports/{report.pk}/review/", {"action": "approve"})
    assert r.status_code == 403
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED


def test_a_worker_without_a_role_cannot_file(clients, section_item):
    worker = clients["worker"]
    assert worker.get(f"/tracking/items/{section_item.pk}/").status_code == 200
    assert worker.get(report_url(section_item)).status_code == 403
    assert worker.post(report_url(section_item), progress_post()).status_code == 403
    assert not Report.objects.exists()


def test_the_executive_reads_but_cannot_file(clients, works):
    executive = clients["executive"]
    page = executive.get(f"/tracking/items/{works.pk}/")
    assert page.status_code == 200 and not page.context["may"]["report"]
    assert f"/tracking/items/{works.pk}/report/" not in page.content.decode()
    assert executive.get(report_url(works)).status_code == 403
    assert executive.post(report_url(works), progress_post()).status_code == 403
    assert executive.get(f"/tracking/items/{works.pk}/edit/").status_code == 403
    assert not Report.objects.exists()


def test_a_behind_report_without_a_lag_reason_is_refused_on_the_field(clients, works):
    r = clients["liaison"].post(report_url(works), progress_post(actual="40", files=png()))
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert list(errors) == ["lag_reason"]
    assert "落後原因" in errors["lag_reason"][0]
    assert "落後原因" in r.content.decode()
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_a_bad_percentage_comes_back_on_its_field(clients, works):
    r = clients["liaison"].post(report_url(works), progress_post(actual="140"))
    assert r.status_code == 400 and "actual" in r.context["form"].errors
    assert not Report.objects.exists()


def test_a_second_report_for_the_month_is_refused_with_the_reason(clients, works, people):
    file(works, people["liaison"], 2026, 10, "50", "50")
    r = clients["liaison"].post(report_url(works), progress_post(actual="55"))
    assert r.status_code == 400
    assert "already has a report" in r.content.decode()
    assert works.reports.count() == 1


def test_it_marks_and_shows_a_late_report(clients, works):
    page = clients["liaison"].get(report_url(works))
    assert page.context["late"] and "115/11/05" in page.content.decode()
    r = clients["liaison"].post(
        report_url(works),
        progress_post(
            actual="38",
            lag_reason="雨天停工",
            lag_categories=["weather"],
            countermeasures="假日趕工",
        ),
    )
    assert r.status_code == 302
    report = Report.objects.get()
    assert report.late
    html = clients["officer"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert "Late" in html and "(late)" in html
    assert 'value="refuse"' in html  # the officer may refuse a late report
    works.refresh_from_db()
    assert works.lag == Item.Lag.SERIOUS


def test_a_report_before_the_due_day_is_not_late(clients, works, early):
    page = clients["liaison"].get(report_url(works))
    assert not page.context["late"]
    clients["liaison"].post(report_url(works), progress_post())
    assert not Report.objects.get().late
    html = clients["officer"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert 'value="refuse"' not in html


def test_the_officer_refuses_a_late_report(clients, works, people):
    report = file(works, people["liaison"], 2026, 10, "50", "50")
    assert report.late
    r = clients["officer"].post(
        f"/tracking/reports/{report.pk}/review/", {"action": "refuse", "note": "逾期"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.REFUSED


def test_a_photo_upload_shows_a_thumbnail_on_the_item_page(clients, works):
    data = progress_post(files=[png("before.png"), png("after.png", (20, 90, 200))])
    assert clients["liaison"].post(report_url(works), data).status_code == 302
    report = Report.objects.get()
    photos = Attachment.objects.filter(
        owner_type=services.ATTACHMENT_REPORT, owner_id=str(report.pk)
    )
    assert photos.count() == 2
    html = clients["head"].get(f"/tracking/items/{works.pk}/").content.decode()
    for photo in photos:
        assert f"/files/{photo.pk}/thumbnail/" in html
        assert clients["head"].get(f"/files/{photo.pk}/thumbnail/").status_code == 200
    assert 'alt="Photo before.png"' in html


def test_a_directive_reports_its_handling(clients, directive):
    page = clients["liaison"].get(report_url(directive))
    assert "planned" not in page.context["form"].fields
    data = {
        "year": "115",
        "month": "10",
        "handling": "done",
        "result": "已辦結",
        "work_done": "完成",
    }
    assert clients["liaison"].post(report_url(directive), data).status_code == 302
    assert Report.objects.get().handling == "done"


# The item page's figures -----------------------------------------------------------------


def test_it_draws_the_s_curve_with_a_table_and_states_the_forecast(clients, works, people):
    for month, planned, actual in (
        (6, "10", "10"),
        (7, "25", "24"),
        (8, "40", "35"),
        (9, "55", "45"),
    ):
        file(works, people["liaison"], 2026, month, planned, actual)
    r = clients["head"].get(f"/tracking/items/{works.pk}/")
    html = r.content.decode()
    assert "<svg" in html and "<title id=" in html and "<desc id=" in html
    assert "115/06" in html and "115/09" in html
    assert r.context["forecast"].explanation in html
    reported = [row["label"] for row in r.context["curves"]["rows"] if row["report"]]
    assert reported == ["115/06", "115/07", "115/08", "115/09"]
    assert r.context["curves"]["rows"][-1]["label"] == "115/12"  # the baseline's last month


def test_the_s_curve_escapes_what_it_draws(clients, people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W<b>1",
        title="t",
        lead=city["pw"],
        finish_date=dt.date(2026, 12, 31),
    )
    file(item, people["liaison"], 2026, 9, "40", "40")
    html = clients["liaison"].get(f"/tracking/items/{item.pk}/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "W&lt;b&gt;1" in svg and "<b>" not in svg


def test_it_warns_that_an_on_time_item_will_finish_late(clients, works, people):
    for month, pct in ((8, "12"), (9, "14"), (10, "16")):
        file(works, people["liaison"], 2026, month, pct, pct)
    works.refresh_from_db()
    assert works.lag == Item.Lag.ON_TIME and works.forecast_late
    html = clients["liaison"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert "Will finish late" in html


def test_it_lists_notices_sent_and_the_audit_trail(clients, works):
    Chase.objects.create(item=works, year=2026, month=10, kind=Chase.Kind.OVERDUE, recipients=2)
    r = clients["liaison"].get(f"/tracking/items/{works.pk}/")
    assert len(r.context["chases"]) == 1 and r.context["audit"]
    assert "Overdue" in r.content.decode()


# Item form -------------------------------------------------------------------------------


def item_post(**extra):
    data = {
        "kind": "works",
        "number": "W-115-009",
        "title": "新建停車場",
        "lead": "PW",
        "budget_total": "6,000,000",
        "start_date": "115/02/01",
        "finish_date": "115/12/31",
        "tender_number": "PW11509",
        "contractor": "東區營造",
        "latitude": "23.47",
        "longitude": "120.45",
    }
    data.update(extra)
    return data


def test_the_liaison_creates_an_item_through_the_form(clients, people):
    page = clients["liaison"].get("/tracking/items/new/")
    assert page.status_code == 200
    leads = [code for code, _label in page.context["form"].fields["lead"].choices if code]
    assert leads == ["PW", "PW-1"]  # only the departments the liaison may create for
    r = clients["liaison"].post("/tracking/items/new/", item_post(co_departments=["SOC"]))
    assert r.status_code == 302
    item = Item.objects.get(number="W-115-009")
    assert item.level == Item.Level.CITY and item.budget_total == 6_000_000
    assert item.start_date == dt.date(2026, 2, 1)
    assert [d.code for d in item.co_departments.all()] == ["SOC"]


def test_a_grant_shows_its_source_and_amounts(clients):
    data = item_post(
        kind="basic_grant",
        number="G-115-001",
        grant_source="國發會 一般性補助款",
        grant_amount="3,000,000",
        matching_funds="1000000",
        budget_total="4000000",
    )
    assert clients["liaison"].post("/tracking/items/new/", data).status_code == 302
    item = Item.objects.get(number="G-115-001")
    assert item.level == Item.Level.CITY  # every central grant, whatever the amount
    html = clients["liaison"].get(f"/tracking/items/{item.pk}/").content.decode()
    for text in ("國發會 一般性補助款", "NT$3,000,000", "NT$1,000,000"):
        assert text in html


def test_the_item_form_shows_the_services_message_on_the_field(clients):
    r = clients["liaison"].post("/tracking/items/new/", item_post(level="self"))
    assert r.status_code == 400 and "level" in r.context["form"].errors
    r = clients["liaison"].post("/tracking/items/new/", item_post(lead="SOC"))
    assert r.status_code == 400 and "lead" in r.context["form"].errors
    assert not Item.objects.exists()


def test_those_without_a_role_cannot_create(clients):
    for persona in ("worker", "executive", "other_liaison"):
        r = clients[persona].post("/tracking/items/new/", item_post())
        assert r.status_code in (400, 403), persona
    assert clients["worker"].get("/tracking/items/new/").status_code == 403
    assert not Item.objects.exists()


def test_it_edits_an_item(clients, works):
    page = clients["liaison"].get(f"/tracking/items/{works.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(
        title="民族路人行道改善工程（第二期）", start_date="115/01/15", finish_date="115/12/31"
    )
    r = clients["liaison"].post(f"/tracking/items/{works.pk}/edit/", data)
    assert r.status_code == 302
    works.refresh_from_db()
    assert works.title.endswith("（第二期）") and works.contract_sum == 11_500_000


def test_a_stale_edit_form_is_refused(clients, works, people):
    page = clients["liaison"].get(f"/tracking/items/{works.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(start_date="115/01/15", finish_date="115/12/31", title="我的修改")
    services.item_update(actor=people["head"], item=works, contractor="另一家營造")
    r = clients["liaison"].post(f"/tracking/items/{works.pk}/edit/", data)
    assert r.status_code == 400
    assert "Someone else changed this item" in r.content.decode()
    works.refresh_from_db()
    assert works.title == "民族路人行道改善工程" and works.contractor == "另一家營造"


# Milestones and release ------------------------------------------------------------------


def test_it_adds_a_milestone_and_marks_it_done(clients, works):
    url = f"/tracking/items/{works.pk}/milestones/"
    r = clients["liaison"].post(url, {"milestone-title": "基礎完成", "milestone-due": "bad"})
    assert r.status_code == 400 and "due" in r.context["milestone_form"].errors
    r = clients["liaison"].post(url, {"milestone-title": "基礎完成", "milestone-due": "115/10/31"})
    assert r.status_code == 302
    milestone = Milestone.objects.get()
    r = clients["liaison"].post(
        f"/tracking/milestones/{milestone.pk}/done/", {"done_on": "115/11/02"}
    )
    assert r.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 11, 2)
    assert (
        clients["executive"]
        .post(url, {"milestone-title": "x", "milestone-due": "115/12/01"})
        .status_code
        == 403
    )


def test_it_asks_for_release_and_the_officer_decides(clients, works):
    url = f"/tracking/items/{works.pk}/release/"
    assert clients["head"].post(url, {"result": ""}).status_code == 400
    assert clients["executive"].post(url, {"result": "x"}).status_code == 403
    r = clients["liaison"].post(url, {"result": "完工驗收合格"})
    assert r.status_code == 400  # the evidence is missing, and the page says what
    assert [f for f, _w in r.context["missing"]] == ["completed_on", "files", "actual"]
    r = clients["liaison"].post(
        url, {"result": "完工驗收合格", "completed_on": "115/11/10", "exception_reason": "照片補送"}
    )
    assert r.status_code == 302
    works.refresh_from_db()
    assert works.status == Item.Status.RELEASE_REQUESTED
    html = clients["officer"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert "完工驗收合格" in html and 'name="release-action"' in html
    decide = f"/tracking/items/{works.pk}/release/decide/"
    assert clients["liaison"].post(decide, {"release-action": "approve"}).status_code == 403
    r = clients["officer"].post(decide, {"release-action": "return", "release-note": ""})
    assert r.status_code == 400 and r.context["decision_form"].errors
    approve = {"release-action": "approve", "release-note": "同意"}
    asked = clients["officer"].post(decide, approve)  # irreversible: asked first
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    works.refresh_from_db()
    assert works.status != Item.Status.RELEASED
    assert clients["officer"].post(decide, {**approve, "confirmed": "1"}).status_code == 302
    works.refresh_from_db()
    assert works.status == Item.Status.RELEASED
    listed = clients["officer"].get("/tracking/items/?status=released&q=W-115-001")
    assert [i.pk for i in listed.context["page"]] == [works.pk]
    assert clients["liaison"].get("/tracking/items/").context["page"].paginator.count == 0


def test_release_evidence_shows_on_the_item_page(clients, works):
    r = clients["liaison"].post(
        f"/tracking/items/{works.pk}/release/",
        {"result": "完工驗收合格", "files": png("after.png"), "exception_reason": "進度待更新"},
    )
    assert r.status_code == 302
    photo = Attachment.objects.get(owner_id=str(works.pk))
    html = clients["officer"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert f"/files/{photo.pk}/thumbnail/" in html


# Lists -----------------------------------------------------------------------------------


def test_it_filters_the_list(clients, works, directive, people):
    file(works, people["liaison"], 2026, 10, "50", "38")
    client = clients["officer"]

    def numbers(query):
        return [i.number for i in client.get(f"/tracking/items/?{query}").context["page"]]

    assert numbers("") == ["D-115-001", "W-115-001"]
    assert numbers("kind=works") == ["W-115-001"]
    assert numbers("lag=serious") == ["W-115-001"]
    assert numbers("risk=high") == ["W-115-001"]
    assert numbers("department=SOC") == []
    assert numbers("department=PW&q=停車") == ["D-115-001"]
    assert numbers("level=self") == []
    assert numbers("overdue=on") == []
    assert client.get("/tracking/items/?kind=bogus").status_code == 400


def test_my_reports_lists_the_liaisons_due_and_the_heads_reviews(clients, works, directive, people):
    page = clients["liaison"].get("/tracking/my/")
    assert [row["item"].number for row in page.context["due"]] == ["D-115-001", "W-115-001"]
    assert all(row["late"] for row in page.context["due"])
    assert f"/tracking/items/{works.pk}/report/?year=2026&amp;month=10" in page.content.decode()
    file(works, people["liaison"], 2026, 10, "50", "50")
    page = clients["liaison"].get("/tracking/my/")
    assert [row["item"].number for row in page.context["due"]] == ["D-115-001"]
    reviews = clients["head"].get("/tracking/my/").context["reviews"]
    assert [r.item.number for r in reviews] == ["W-115-001"]
    assert clients["worker"].get("/tracking/my/").context["due"] == []
    assert clients["other_liaison"].get("/tracking/my/").context["due"] == []


# Query counts ----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _items(people, city, n, start=0):
    for i in range(start, start + n):
        services.item_create(
            actor=people["liaison"],
            kind="works",
            number=f"Q-{i:03d}",
            title=f"工程 {i}",
            lead=city["pw"],
            budget_total=1_000_000,
        )


@pytest.mark.parametrize("persona", ["officer", "liaison"])
def test_the_list_query_count_does_not_grow_with_items(
    clients, people, city, persona, django_assert_max_num_queries
):
    _items(people, city, 3)
    few = _count(clients[persona], "/tracking/items/?kind=works&department=PW")
    _items(people, city, 27, start=3)
    with django_assert_max_num_queries(few):
        r = clients[persona].get("/tracking/items/?kind=works&department=PW")
    assert len(r.context["page"]) == 30 and few <= 12


def _months(n):
    year, month = 2026, 10
    out = []
    for _ in range(n):
        out.append((year, month))
        year, month = services.previous_month(year, month)
    return sorted(out)


def test_the_item_page_query_count_does_not_grow_with_reports(
    clients, works, people, django_assert_max_num_queries
):
    months = _months(30)

    def add(rows):
        for i, (year, month) in rows:
            pct = str(3 + i * 3)
            due = works.milestones.filter(done_on__isnull=True)
            done = {m.pk: {"done_on": m.due} for m in due}
            report = file(
                works,
                people["liaison"],
                year,
                month,
                pct,
                pct,
                files=[png()] if i % 10 == 0 else (),
                milestones=done,
            )
            if i % 2:
                reporting.report_approve(actor=people["head"], report=report)
            Chase.objects.create(item=works, year=year, month=month, kind="overdue")
            services.milestone_add(
                actor=people["liaison"], item=works, title=f"m{i}", due=dt.date(year, month, 28)
            )

    numbered = list(enumerate(months))
    add(numbered[:3])
    few = _count(clients["head"], f"/tracking/items/{works.pk}/")
    add(numbered[3:])
    with django_assert_max_num_queries(few):
        r = clients["head"].get(f"/tracking/items/{works.pk}/")
    assert len(r.context["reports"]) == 30 and len(r.context["chases"]) == 30
    assert few <= 20
