from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("open-data/", views.open_data_index, name="open_data"),
    path("open-data/targets.<str:fmt>", views.open_data_targets, name="open_data_targets"),
    path("open-data/progress.<str:fmt>", views.open_data_progress, name="open_data_progress"),
]
