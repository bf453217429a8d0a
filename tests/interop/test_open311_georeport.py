"""Open311 read by a client others wrote: the PyPI `georeport` package (GET only) against
a live server, in both of its formats. Filing (POST) and the XML documents are checked
against the spec's examples by tests/petitions/test_open311_api.py."""

import pytest
from georeport import GeoReport

from guankao.petitions import clients, handling, public
from tests.seeded import lag_categories

SPOT = {"lat": "23.4800", "long": "120.4490"}


@pytest.fixture
def reported(live_server, categories, people, settings):
    lag_categories()
    settings.GUANKAO_OPEN311_JURISDICTION = "chiayi.gov.tw"
    officer = people["officer"]
    clients.attribute_save(
        actor=officer,
        category=categories["pothole"],
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values="small=小於 30 公分\nlarge=30 公分以上",
    )
    app, _key = clients.client_create(actor=officer, name="interop", contact="dev@example.com")
    open_case, _code = public.file_public_request(
        client=app,
        category="pothole",
        description="中山路有坑洞，請聯絡 0912-345-678",
        attributes={"size": "large"},
        phone="0912-345-678",
        **SPOT,
    )
    replied, _code = public.file_public_request(
        client=None, category="light_out", description="路燈不亮", address="文化路 120 號"
    )
    handling.reply_draft(
        actor=people["head"],
        case=replied,
        text="內部：承包商已修復",
        public_text="已更換燈泡。",
        method="phone",
    )
    return {"open": open_case.number, "replied": replied.number}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_a_definition_and_requests(live_server, reported, fmt):
    client = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="chiayi.gov.tw", output_format=fmt
    )
    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"pothole", "light_out"}

    definition = client.get_service_definition("pothole")
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: one child is a dict, not a list of one
        attributes = [attributes["attribute"]]
    assert attributes[0]["code"] == "size"

    requests = client.get_service_requests()
    assert {r["service_request_id"] for r in requests} == set(reported.values())
    assert all("0912-345-678" not in r["description"] for r in requests)

    closed = client.get_service_requests(status="closed")
    if fmt == "xml":
        closed = [closed]
    assert [r["service_request_id"] for r in closed] == [reported["replied"]]

    one = client.get_service_request(reported["replied"])
    assert one["status"] == "closed" and one["status_notes"] == "已更換燈泡。"
    assert one["agency_responsible"] == "工務處"
