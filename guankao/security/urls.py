from django.urls import path

from guankao.security import views

urlpatterns = [
    path("security/agencies/", views.agencies, name="security_agencies"),
]
