from django.urls import include, path

urlpatterns = [
    path("", include("guankao.security.isac.urls_taxii")),
]
