from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("open-data/", views.open_data_index, name="open_data"),
    path("open-data/targets.<str:fmt>", views.open_data_targets, name="open_data_targets"),
    path("open-data/progress.<str:fmt>", views.open_data_progress, name="open_data_progress"),
    path("open-data/actuals.<str:fmt>", views.open_data_actuals, name="open_data_actuals"),
    path("reports/", views.report_index, name="report_index"),
    path("reports/download/", views.report_download, name="report_download"),
    path("dashboard/", views.dashboard_overview, name="overview"),
    path("dashboard/<slug:locality>/", views.dashboard_city, name="city"),
    path("dashboard/<slug:locality>/<slug:pillar>/", views.dashboard_pillar, name="pillar"),
    path("indicators/<slug:code>/", views.indicator_comparison, name="indicator"),
    path("indicators/<slug:code>/<slug:locality>/", views.indicator_series, name="series"),
]
