"""URLs of the targets app: catalogue, entry, review, history, assignments and plans."""

from django.urls import path

from .views import catalogue, entry, plans, review

app_name = "targets"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/targets/<int:pk>/", catalogue.target_detail, name="target_detail"),
    path("entry/", entry.entry_worklist, name="entry"),
    path("entry/<str:period>/", entry.entry_form, name="entry_form"),
    path("entry/<str:period>/template.xlsx", entry.entry_template, name="entry_template"),
    path("entry/<str:period>/import/", entry.entry_import, name="entry_import"),
    path("review/assignments/", review.assignments, name="assignments"),
    path("review/reminders/", review.reminders_send, name="reminders_send"),
    path("review/<str:period>/", review.review, name="review"),
    path("review/<str:period>/decide/", review.review_decide, name="review_decide"),
    path("review/<str:period>/lock/", review.period_lock, name="period_lock"),
    path("actuals/<int:pk>/history/", review.actual_history, name="actual_history"),
    path("actuals/<int:pk>/reopen/", review.actual_reopen, name="actual_reopen"),
    path("actuals/<int:pk>/evidence/", review.actual_evidence, name="actual_evidence"),
    path("plans/", plans.plan_index, name="plans"),
    # Task URLs come before the board's so that "tasks" is never read as a locality.
    path("plans/tasks/<int:pk>/", plans.plan_task, name="plan_task"),
    path("plans/tasks/<int:pk>/history/", plans.plan_task_history, name="plan_task_history"),
    path("plans/tasks/<int:pk>/evidence/", plans.plan_task_evidence, name="plan_task_evidence"),
    path("plans/<slug:locality>/<int:year>/", plans.plan_board, name="plan_board"),
    path("plans/<slug:locality>/<int:year>/copy/", plans.plan_copy, name="plan_copy"),
]
