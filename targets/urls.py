from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("entry/", views.entry_worklist, name="entry"),
    path("entry/<str:period>/", views.entry_form, name="entry_form"),
    path("entry/<str:period>/template.xlsx", views.entry_template, name="entry_template"),
    path("entry/<str:period>/import/", views.entry_import, name="entry_import"),
    path("review/assignments/", views.assignments, name="assignments"),
    path("review/<str:period>/", views.review, name="review"),
    path("review/<str:period>/decide/", views.review_decide, name="review_decide"),
    path("review/<str:period>/lock/", views.period_lock, name="period_lock"),
    path("actuals/<int:pk>/history/", views.actual_history, name="actual_history"),
    path("actuals/<int:pk>/reopen/", views.actual_reopen, name="actual_reopen"),
    path("actuals/<int:pk>/evidence/", views.actual_evidence, name="actual_evidence"),
]
