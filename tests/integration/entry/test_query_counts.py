"""The entry form and the review page make the same number of queries at 1× and 10× the data.

(The dashboards, the indicator pages and the open data have theirs beside their other tests.)
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from targets.devdata import scale_data_generate
from targets.models import Actual, Department, Target
from tests.integration.dashboard_data import TODAY, count_queries

PERIOD = "2026-Q2"  # a closed quarter: values entered, submitted and approved


def _pages(client) -> dict[str, tuple[int, int]]:
    """(queries, rows shown) of the entry form of a demo province's office and of its review page."""
    users = get_user_model().objects
    department = Department.objects.get(locality__slug="demo-01", code="van-phong-ubnd")
    client.force_login(users.get(username="demo-01.van-phong-ubnd.editor"))
    entry, response = count_queries(client, f"/entry/{PERIOD}/", department=department.pk)
    entry_rows = len(response.context["rows"])
    client.force_login(users.get(username="demo-01.reviewer"))
    review, response = count_queries(client, f"/review/{PERIOD}/", locality="demo-01")
    review_rows = sum(d.assigned for d in response.context["departments"])
    return {"entry": (entry, entry_rows), "review": (review, review_rows)}


def test_the_entry_form_and_the_review_page_make_the_same_queries_at_ten_times_the_data(client, catalogue):
    scale_data_generate(localities=1, extra_indicators=4, today=TODAY)
    small = _pages(client)
    targets, actuals = Target.objects.count(), Actual.objects.count()

    scale_data_generate(localities=10, extra_indicators=60, today=TODAY)
    assert Target.objects.count() > 9 * targets and Actual.objects.count() > 9 * actuals
    large = _pages(client)

    for page in ("entry", "review"):
        assert large[page][0] == small[page][0], page
        assert large[page][1] > 1.5 * small[page][1], page  # the page itself grew with the data
