"""TAXII 2.1 addresses (section 4 and 5 of the spec)."""

from django.urls import path

from guankao.security.isac import taxii

COLLECTION = "taxii2/<slug:root>/collections/<str:collection_id>/"

urlpatterns = [
    path("taxii2/", taxii.discovery, name="taxii_discovery"),
    path("taxii2/<slug:root>/", taxii.api_root, name="taxii_root"),
    path("taxii2/<slug:root>/status/<str:status_id>/", taxii.status, name="taxii_status"),
    # taxii2-client asks for the status without the trailing slash
    path("taxii2/<slug:root>/status/<str:status_id>", taxii.status),
    path("taxii2/<slug:root>/collections/", taxii.collections, name="taxii_collections"),
    path(COLLECTION, taxii.collection, name="taxii_collection"),
    path(COLLECTION + "objects/", taxii.objects, name="taxii_objects"),
    path(COLLECTION + "objects/<str:object_id>/", taxii.one_object, name="taxii_object"),
    path(
        COLLECTION + "objects/<str:object_id>/versions/",
        taxii.versions,
        name="taxii_versions",
    ),
    path(COLLECTION + "manifest/", taxii.manifest, name="taxii_manifest"),
]
