from decimal import Decimal

import pytest

from guankao.core.errors import ServiceError
from guankao.plans import services
from guankao.plans.models import Measurement


def test_it_edits_kpi_settings_and_thresholds_in_the_page(clients, kpis):
    kpi = kpis["rate"]
    page = clients["liaison"].get(f"/plans/kpis/{kpi.pk}/")
    form = page.context["settings_form"]
    data = {f"kpi-{k}": v for k, v in form.initial.items()}
    data.update({"kpi-on_track_pct": "95", "kpi-at_risk_pct": "80", "action": "settings"})
    r = clients["liaison"].post(f"/plans/kpis/{kpi.pk}/", data)
    assert r.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.on_track_from, kpi.at_risk_from) == (Decimal("0.95"), Decimal("0.80"))
    data.update({"kpi-on_track_pct": "70", "kpi-at_risk_pct": "90"})
    r = clients["liaison"].post(f"/plans/kpis/{kpi.pk}/", data)
    assert r.status_code == 400 and r.context["settings_form"].errors


@pytest.mark.parametrize("persona", ["executive", "officer"])
def test_it_refuses_values_from_those_who_do_not_report(clients, kpis, persona):
    kpi = kpis["rate"]
    r = clients[persona].post(
        f"/plans/kpis/{kpi.pk}/", {"action": "record", "year": "114", "period": "1", "value": "90"}
    )
    assert r.status_code == 403
    assert not Measurement.objects.filter(kpi=kpi).exists()


def test_it_refuses_a_new_frequency_once_values_exist(people, kpis):
    kpi = kpis["rate"]
    services.measurement_record(actor=people["liaison"], kpi=kpi, year=2025, period=1, value="90")
    with pytest.raises(ServiceError) as caught:
        services.kpi_update(actor=people["liaison"], kpi=kpi, frequency="quarterly")
    assert caught.value.problems[0].field == "frequency"


def test_it_names_the_evidence_field_when_the_file_is_refused(clients, kpis):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kpi = kpis["rate"]
    bad = SimpleUploadedFile(
        "evidence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    r = clients["liaison"].post(
        f"/plans/kpis/{kpi.pk}/",
        {"action": "record", "year": "114", "period": "1", "value": "90", "evidence_file": bad},
    )
    assert r.status_code == 400
    assert "evidence_file" in r.context["measurement_form"].errors
    assert not Measurement.objects.filter(kpi=kpi).exists()


def test_it_draws_the_years_chart_on_the_kpi_page(clients, people, kpis):
    kpi = kpis["rate"]
    for year in (2025, 2026):
        m = services.measurement_record(
            actor=people["liaison"], kpi=kpi, year=year, period=1, value="85"
        )
        services.measurement_approve(actor=people["head"], measurement_id=m.pk)
    page = clients["head"].get(f"/plans/kpis/{kpi.pk}/?year=2025").content.decode()
    assert page.count("<svg") == 2 and 'role="img"' in page


@pytest.fixture
def quarters_metric():
    from guankao.plans import registry

    def records(period, scope):
        yield registry.Record("test", str(period.number), f"counted in {period.name}")

    registry.register("test.quarters", label="test", formula="test", records=records)(
        lambda period, scope: None
    )
    yield "test.quarters"
    registry._metrics.pop("test.quarters")


def test_it_traces_a_computed_kpi_over_the_whole_year(clients, people, kpis, quarters_metric):
    kpi = kpis["ratio"]  # quarterly
    services.kpi_update(actor=people["officer"], kpi=kpi, metric_key=quarters_metric)
    html = clients["officer"].get(f"/plans/kpis/{kpi.pk}/?year=2025").content.decode()
    # Every quarter of the past year, not only the first.
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        assert f"counted in {quarter}" in html
    html = clients["officer"].get(f"/plans/kpis/{kpi.pk}/?year=2099").content.decode()
    assert "counted in" not in html
