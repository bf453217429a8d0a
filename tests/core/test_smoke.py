import pytest

PAGES = [
    "/",
    "/staff/",
    "/staff/?q=li&department=PW",
    "/calendar/?date=115/11/27&days=6",
    "/account/",
    "/account/two-factor/",
    "/notifications/",
    "/departments/",
    "/account/password/",
]


@pytest.mark.parametrize("persona", ["liaison", "head", "officer", "admin", "executive"])
def test_it_serves_every_page_to_every_persona(clients, persona):
    for url in PAGES:
        r = clients[persona].get(url)
        assert r.status_code == 200, (url, r.content[:500])


def test_it_serves_the_audit_page_to_officers(clients):
    assert clients["officer"].get("/audit/?action=login&since=115/01/01").status_code == 200
    assert clients["officer"].get("/audit/export.csv").status_code == 200
    assert clients["officer"].get("/audit/export.ods").status_code == 200
