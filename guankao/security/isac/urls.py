from django.urls import include, path

from guankao.security.isac import blocklist, views, views_roots

urlpatterns = [
    path("", include("guankao.security.isac.urls_taxii")),
    path("isac/", views.dashboard, name="isac_dashboard"),
    path("isac/members/", views.members, name="isac_members"),
    path("isac/members/<int:pk>/", views.member_detail, name="isac_member"),
    path("isac/publish/", views.publish, name="isac_publish"),
    path("isac/objects/<str:stix_id>/", views.object_detail, name="isac_object"),
    path("isac/upstreams/", views.upstreams, name="isac_upstreams"),
    path("isac/upstreams/<int:pk>/", views.upstream_detail, name="isac_upstream"),
    path("isac/roots/", views_roots.root_list, name="isac_roots"),
    path("isac/roots/<slug:slug>/", views_roots.root_detail, name="isac_root"),
    path("isac/collections/<uuid:pk>/", views_roots.collection_detail, name="isac_collection"),
    path("isac/blocklist.txt", blocklist.blocklist, name="isac_blocklist"),
]
