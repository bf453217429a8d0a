"""Tags on controlled cases (secops): set on the item form, audited, and the metric of
KPI 五-2 over the cases tagged 資安防護."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry
from guankao.plans import registry
from guankao.tracking import services
from guankao.tracking.metrics import TAGGED_MILESTONES_TAG
from guankao.tracking.models import Item, Tag

from .conftest import NOW


@pytest.fixture(autouse=True)
def frozen(monkeypatch, settings):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    settings.LANGUAGE_CODE = "en"


def test_the_item_form_sets_tags_and_the_trail_keeps_them(clients, works):
    page = clients["liaison"].get(f"/tracking/items/{works.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(
        start_date="115/01/15", finish_date="115/12/31", tags="資安防護、 智慧城市,資安防護"
    )
    assert clients["liaison"].post(f"/tracking/items/{works.pk}/edit/", data).status_code == 302
    assert sorted(works.tags.values_list("name", flat=True)) == ["智慧城市", "資安防護"]
    entry = AuditEntry.objects.filter(object_type="tracking.item", object_id=str(works.pk)).first()
    assert entry.changes["tags"] == [[], ["智慧城市", "資安防護"]]
    page = clients["liaison"].get(f"/tracking/items/{works.pk}/edit/")
    assert page.context["form"].initial["tags"] == "智慧城市、資安防護"


@pytest.mark.parametrize("tags", ["a" * 31, ",".join(str(n) for n in range(11)), "bad\x00tag"])
def test_bad_tags_are_refused(people, works, tags):
    with pytest.raises(ServiceError) as refused:
        services.item_update(actor=people["liaison"], item=works, tags=tags)
    assert refused.value.problems[0].field == "tags"
    assert not Tag.objects.exists()


def test_the_metric_counts_tagged_milestones_done_by_their_due_date(people, works, city):
    services.item_update(actor=people["liaison"], item=works, tags=[TAGGED_MILESTONES_TAG])
    other = services.item_create(
        actor=people["liaison"], kind="major", number="M-1", title="其他", lead=city["pw"]
    )
    for item, due, done in [
        (works, dt.date(2026, 4, 30), dt.date(2026, 4, 28)),
        (works, dt.date(2026, 5, 31), dt.date(2026, 6, 10)),  # late
        (works, dt.date(2026, 6, 30), None),  # not done
        (other, dt.date(2026, 5, 1), None),  # not tagged
    ]:
        m = services.milestone_add(
            actor=people["liaison"], item=item, title=f"查核點{due}", due=due
        )
        if done:
            services.milestone_done(actor=people["liaison"], milestone=m, done_on=done)
    metric = registry.get("tracking.tagged_milestones_on_time")
    value, on_time, due = metric.compute(registry.Period(2026, 2, 4), None)
    assert (on_time, due) == (1, 3)
    assert len(list(metric.records(registry.Period(2026, 2, 4), None))) == 3
    assert metric.compute(registry.Period(2026, 1, 4), None) is None
    assert metric.compute(registry.Period(2026, 2, 4), city["soc"]) is None
    assert Item.objects.filter(tags__name=TAGGED_MILESTONES_TAG).count() == 1
