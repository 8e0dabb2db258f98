"""The site menu and where each person lands (issue #17, item 6).

The menu is built from the user's roles (`access.roles`: what each page would allow), with two counts:
values waiting for review (reviewers) and quarters with values still to send (editors). Reads go through
`selectors.navigation`; the whole menu costs a fixed number of queries (none for the public, at most five
for a user who both enters and reviews) and only when a page shows it (a lazy object in the context).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import access
from .periods import last_closed_quarter
from .selectors import navigation as nav_selectors


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url: str
    count: int | None = None  # shown as a badge when positive
    count_label: str = ""  # what the count means, for the badge's title and screen readers
    current: bool = False


# The menu item each URL name belongs to, so that the current section is marked.
_SECTIONS = {
    "reports:overview": "dashboards",
    "reports:city": "dashboards",
    "reports:city_brief": "dashboards",
    "reports:pillar": "dashboards",
    "reports:indicator": "dashboards",
    "reports:series": "dashboards",
    "reports:reporting_status": "reporting",
    "targets:entry": "entry",
    "targets:entry_form": "entry",
    "targets:entry_import": "entry",
    "targets:review": "review",
    "targets:assignments": "review",
    "targets:actual_history": "review",
    "reports:report_index": "reports",
    "targets:catalogue": "catalogue",
    "targets:target_detail": "catalogue",
    "targets:plans": "plans",
    "targets:plan_board": "plans",
    "targets:plan_task": "plans",
    "targets:plan_task_history": "plans",
    "reports:open_data": "open_data",
}


def review_landing(user, busiest: list | None = None) -> str:
    """Where a reviewer starts: the quarter with the most values waiting for review (of any of their
    localities); with none waiting, the last closed quarter (of their only locality, or the chooser)."""
    if busiest is None:
        busiest = nav_selectors.busiest_quarters(access.review_localities(user))
    if busiest:
        top = busiest[0]
        return f"{reverse('targets:review', args=[top.period])}?locality={top.locality_slug}"
    year, quarter = last_closed_quarter(timezone.localdate())
    return reverse("targets:review", args=[f"{year}-Q{quarter}"])


def landing(request: HttpRequest):
    """Each person lands on their work: the superuser on the overview, an editor on the worklist, a reviewer
    on the quarter with the most values waiting, a leader on their city's dashboard; anyone else on the
    catalogue. The public goes to the open data."""
    r = access.roles(request.user)
    if not r.authenticated:
        return redirect("reports:open_data")
    if r.superuser:
        return redirect("reports:overview")
    if r.enters:
        return redirect("targets:entry")
    if r.reviews:
        return redirect(review_landing(request.user))
    if r.leads:
        city = access.localities_for(request.user).filter(pk__in=r.leader_localities).order_by("name").first()
        if city is not None:
            return redirect("reports:city", locality=city.slug)
    return redirect("targets:catalogue")


def menu(request: HttpRequest) -> list[MenuItem]:
    """The menu items the user may open, in order, with their counts and the current one marked."""
    user = request.user
    r = access.roles(user)
    match = getattr(request, "resolver_match", None)
    section = _SECTIONS.get(match.view_name if match else "", "")
    items: list[MenuItem] = []

    def add(key: str, label: str, url: str, count: int | None = None, count_label: str = "") -> None:
        items.append(MenuItem(key, label, url, count, count_label, current=key == section))

    add("dashboards", _("Bảng điều hành"), reverse("reports:overview"))
    if r.enters:
        due = None
        if not r.superuser:  # a superuser may enter for anyone, but has no quarter of their own to send
            due = nav_selectors.quarters_due(access.entry_departments(user), timezone.localdate())
        add("entry", _("Nhập số liệu"), reverse("targets:entry"), due, _("kỳ còn số liệu phải gửi"))
    if r.reviews:
        busiest = nav_selectors.busiest_quarters(access.review_localities(user))
        waiting = sum(q.waiting for q in busiest)
        add("review", _("Thẩm định"), review_landing(user, busiest), waiting, _("giá trị chờ thẩm định"))
    if r.exports:
        add("reports", _("Báo cáo"), reverse("reports:report_index"))
    add("reporting", _("Tình hình báo cáo"), reverse("reports:reporting_status"))
    if r.authenticated:
        add("catalogue", _("Danh mục chỉ tiêu"), reverse("targets:catalogue"))
        add("plans", _("Kế hoạch DTI"), reverse("targets:plans"))
    add("open_data", _("Dữ liệu mở"), reverse("reports:open_data"))
    if r.superuser:
        add("admin", _("Quản trị"), reverse("admin:index"))
    return items


def context(request: HttpRequest) -> dict:
    """Template context processor: `nav_menu`, computed only if a template shows it."""
    return {"nav_menu": SimpleLazyObject(lambda: menu(request))}
