"""The ISAC's personas on top of the security ones: the household registration office is a
member (its security officer acts as it), the neighbouring county is a member with TAXII
credentials only, and the CISO runs the ISAC."""

import base64
import json
import uuid

import pytest
import stix2

from guankao.security.isac import defaults, services
from guankao.security.isac.models import Collection

MEDIA = "application/taxii+json;version=2.1"


def basic(member_secret) -> str:
    member, secret = member_secret
    raw = f"{member.username}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


@pytest.fixture
def isac(sec_people, agencies):
    defaults.ensure()  # a live server's test flushes the tables the migration filled
    ciso = sec_people["ciso"]
    county = services.member_create(
        actor=ciso,
        name="嘉義縣政府",
        kind="neighbour",
        contact_name="縣府資安窗口",
        contact_email="soc@cyhg.gov.tw",
    )
    office = services.member_create(
        actor=ciso,
        name="東區戶政事務所",
        kind="agency",
        agency=agencies["office"],
        contact_name="戶政資安人員",
        contact_email="hre@example.gov.tw",
    )
    collections = {c.alias: c for c in Collection.objects.all()}
    return {"county": county, "office": office, "ciso": ciso, "c": collections}


class Taxii:
    """A TAXII caller through Django's test client."""

    def __init__(self, client, auth: str):
        self.client, self.auth = client, auth

    def get(self, path, **params):
        return self.client.get(path, params, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=self.auth)

    def post(self, path, objects=None, body=None, content_type=MEDIA):
        data = body if body is not None else json.dumps({"objects": objects})
        return self.client.post(
            path, data, content_type=content_type, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=self.auth
        )

    def delete(self, path, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(
            path + (f"?{query}" if query else ""), HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=self.auth
        )


@pytest.fixture
def county_taxii(client, isac):
    return Taxii(client, basic(isac["county"]))


def url(collection, tail="objects/") -> str:
    return f"/taxii2/chiayi/collections/{collection.pk}/{tail}"


def indicator(value="198.51.100.7", **kwargs) -> dict:
    obj = stix2.Indicator(
        pattern=f"[ipv4-addr:value = '{value}']",
        pattern_type="stix",
        valid_from=kwargs.pop("valid_from", "2026-01-01T00:00:00Z"),
        **kwargs,
    )
    return json.loads(obj.serialize())


def new_id(kind="indicator") -> str:
    return f"{kind}--{uuid.uuid4()}"
