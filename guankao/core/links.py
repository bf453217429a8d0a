"""Full addresses for links that leave the site (e-mails, API clients, exports).

Pages link relatively; a link read elsewhere needs the site's address, which the server
cannot guess from a worker or a management command: `GUANKAO_BASE_URL`."""

from django.conf import settings


def absolute(url: str) -> str:
    """`/tracking/items/1/` -> `https://guankao.example.gov.tw/tracking/items/1/`; a full
    address or an empty one is returned as it is."""
    if not url or "://" in url:
        return url
    base = settings.GUANKAO_BASE_URL.rstrip("/")
    return f"{base}{url if url.startswith('/') else '/' + url}"
