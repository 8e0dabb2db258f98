from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/targets/<int:pk>/", views.target_detail, name="target_detail"),
]
