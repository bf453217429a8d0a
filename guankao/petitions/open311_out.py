"""Open311 GeoReport v2 documents in its two formats: JSON, and XML in the spec's element
names (`services/service`, `service_definition/attributes/attribute/values/value`,
`service_requests/request`, `errors/error`, `discovery/endpoints/endpoint/formats/format`),
UTF-8 with the XML declaration. Dates are W3C date-times in the city's time zone."""

import json
from decimal import Decimal
from xml.etree import ElementTree as ET  # noqa: S405 - writing only, never parsing

from django.http import HttpResponse

from guankao.lib import w3c
from guankao.petitions.models import Category, ServiceAttribute
from guankao.petitions.public import PublicCase

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Element names of a list's items in XML (JSON has plain arrays).
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return repr(float(value))  # as JSON writes it: 23.48, not 23.480000
    return str(value)


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        child = ITEMS.get(name, "item")
        for item in value:
            element.append(_element(child, item))
    else:
        element.text = _text(value)
    return element


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


def document(root: str, content, fmt: str, status: int = 200) -> HttpResponse:
    """`content` (a list for the list documents) as JSON, or as XML under `root`."""
    if fmt == "xml":
        tree = _element(root, content)
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="utf-8")
    else:
        body = json.dumps(content, ensure_ascii=False, default=_json_default).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(problems: list[tuple[int, str]], fmt: str, status: int) -> HttpResponse:
    content = [{"code": code, "description": description} for code, description in problems]
    return document("errors", content, fmt, status)


# Resources ----------------------------------------------------------------------------------


def service(category: Category, has_attributes: bool) -> dict:
    keywords = ",".join(category.keywords.split())
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": has_attributes,
        "type": "realtime",
        "keywords": keywords,
        "group": category.parent.name if category.parent_id else "",
    }


def attribute(item: ServiceAttribute) -> dict:
    out = {
        "variable": item.variable,
        "code": item.code,
        "datatype": item.datatype,
        "required": item.required,
        "datatype_description": item.datatype_description,
        "order": item.order,
        "description": item.description,
    }
    if item.datatype in ServiceAttribute.LISTS:
        out["values"] = [{"key": v["key"], "name": v["name"]} for v in item.values]
    return out


def service_definition(category: Category, attributes) -> dict:
    return {"service_code": category.code, "attributes": [attribute(a) for a in attributes]}


def request(case: PublicCase) -> dict:
    return {
        "service_request_id": case.number,
        "status": case.status,
        "status_notes": case.status_notes or None,
        "service_name": case.service_name,
        "service_code": case.service_code,
        "description": case.description,
        "agency_responsible": case.agency_responsible or None,
        "service_notice": None,
        "requested_datetime": w3c.format(case.requested),
        "updated_datetime": w3c.format(case.updated),
        "expected_datetime": w3c.format(case.expected),
        "address": case.address or None,
        "address_id": case.address_id or None,
        "zipcode": case.zipcode or None,
        "lat": case.lat,
        "long": case.long,
        "media_url": case.media_url or None,
    }
