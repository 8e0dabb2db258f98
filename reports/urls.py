"""URLs of the reports app: dashboards, reports, the public pages and open data."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    # Before targets' own "" (targets:home, where a signed-in user lands): the public home page.
    path("", views.home, name="home"),
    path("reporting-status/", views.reporting_status, name="reporting_status"),
    path("open-data/", views.open_data_index, name="open_data"),
    path("open-data/datapackage.json", views.open_data_package, name="open_data_package"),
    path("open-data/catalog.jsonld", views.open_data_dcat, name="open_data_dcat"),
    path("open-data/dti-portal-open-data.zip", views.open_data_zip, name="open_data_zip"),
    path("open-data/indicators/<slug:code>.csv", views.open_data_indicator_csv, name="open_data_indicator"),
    path(
        "open-data/targets.<str:fmt>", views.open_data_file, {"dataset": "targets"}, name="open_data_targets"
    ),
    path(
        "open-data/progress.<str:fmt>",
        views.open_data_file,
        {"dataset": "progress"},
        name="open_data_progress",
    ),
    path(
        "open-data/actuals.<str:fmt>", views.open_data_file, {"dataset": "actuals"}, name="open_data_actuals"
    ),
    path("open-data/<slug:dataset>.<str:fmt>", views.open_data_file, name="open_data_file"),
    path("reports/", views.report_index, name="report_index"),
    path("reports/download/", views.report_download, name="report_download"),
    path("reports/bao-cao/", views.report_bao_cao, name="report_bao_cao"),
    path("reports/narrative/", views.report_narrative, name="report_narrative"),
    path("reports/jobs/<int:pk>/", views.job_page, name="job"),
    path("reports/jobs/<int:pk>/file/", views.job_file, name="job_file"),
    path("dashboard/", views.dashboard_overview, name="overview"),
    path("dashboard/<slug:locality>/", views.dashboard_city, name="city"),
    # Before the pillar's URL, so that "brief" is never read as a pillar.
    path("dashboard/<slug:locality>/brief/", views.dashboard_city_brief, name="city_brief"),
    path("dashboard/<slug:locality>/<slug:pillar>/", views.dashboard_pillar, name="pillar"),
    path("indicators/<slug:code>/", views.indicator_comparison, name="indicator"),
    path("indicators/<slug:code>/<slug:locality>/", views.indicator_series, name="series"),
]
