"""Open311 GeoReport v2 addresses: each resource in .json and .xml."""

from django.urls import path, register_converter

from guankao.petitions import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("open311/discovery.<fmt:fmt>", open311.discovery, name="open311_discovery"),
    path("open311/v2/services.<fmt:fmt>", open311.services, name="open311_services"),
    path(
        "open311/v2/services/<str:code>.<fmt:fmt>",
        open311.service_definition,
        name="open311_service",
    ),
    path("open311/v2/requests.<fmt:fmt>", open311.requests, name="open311_requests"),
    path(
        "open311/v2/requests/<str:number>.<fmt:fmt>",
        open311.request_one,
        name="open311_request",
    ),
    path("open311/v2/tokens/<str:token>.<fmt:fmt>", open311.token, name="open311_token"),
]
