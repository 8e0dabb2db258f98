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
    path("plans/", views.plan_index, name="plans"),
    # Task URLs come before the board's so that "tasks" is never read as a locality.
    path("plans/tasks/<int:pk>/", views.plan_task, name="plan_task"),
    path("plans/tasks/<int:pk>/history/", views.plan_task_history, name="plan_task_history"),
    path("plans/tasks/<int:pk>/evidence/", views.plan_task_evidence, name="plan_task_evidence"),
    path("plans/<slug:locality>/<int:year>/", views.plan_board, name="plan_board"),
    path("plans/<slug:locality>/<int:year>/copy/", views.plan_copy, name="plan_copy"),
]
