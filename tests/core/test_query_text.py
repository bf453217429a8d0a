"""A NUL or control character in a page's address is a 400 page, never a 500 (PostgreSQL
refuses NUL in text), whatever the view does with the parameter."""

import pytest

PAGES = [
    "/staff/?q=a%00b",
    "/staff/?department=P%00W",
    "/plans/?department=P%00W",
    "/scorecard/?department=%01",
    "/audit/?q=%00",
    "/tracking/items/?q=a%00b",
    "/?x%00=1",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_it_refuses_control_characters_in_the_address(clients, url):
    response = clients["officer"].get(url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "U+0000" in text or "U+0001" in text
    assert "<nav" in text  # the page inside the layout, with the menu


@pytest.mark.django_db
def test_it_lets_tabs_and_ordinary_text_through(clients):
    assert clients["officer"].get("/staff/?q=陳").status_code == 200
    assert clients["officer"].get("/api/v1/staff?q=a%00b").status_code in (400, 422)
