"""Review writes: approve or return submitted values, reopen an approved one, lock or unlock a locality's
period, assign indicators to departments, and the deadline reminders sent to departments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import access
from ..cache import (
    data_changed,  # called after every write that changes what pages and reports show
    figures_changed,  # in the transaction of every write that changes approved figures
)
from ..formatting import typed_number
from ..models import (
    Actual,
    Assignment,
    Department,
    Indicator,
    Locality,
    LocalityPeriod,
    ReportingPeriod,
    Status,
    comment_length,
)
from ..periods import entry_period_codes
from ..plans import successor_on
from ..selectors.entry import worklist
from .catalogue import period_get_or_create
from .checks import change_reason, length_errors, refuse_if_locked
from .errors import EntryError, ReviewError


def actuals_approve(*, user, seen: dict[int, int]) -> int:
    """Approve submitted values, all or nothing (the checks: see `_actuals_decide`). Returns how many."""
    return _actuals_decide(user=user, seen=seen, status=Status.APPROVED, comment="", reason="Duyệt")


def actuals_return(*, user, seen: dict[int, int], comment: str) -> int:
    """Return submitted values to their editors with a required comment, all or nothing."""
    comment = (comment or "").strip()
    if not comment:
        raise ReviewError("Vui lòng ghi ý kiến khi trả lại số liệu.")
    if too_long := length_errors(comment_length, comment):
        raise ReviewError(" ".join(too_long))
    reason = change_reason(f"Trả lại: {comment}")
    return _actuals_decide(user=user, seen=seen, status=Status.RETURNED, comment=comment, reason=reason)


def _actuals_decide(*, user, seen: dict[int, int], status: str, comment: str, reason: str) -> int:
    """Set submitted values to `status` (approved or returned) with the reviewer's `comment`.

    `seen` maps each value's id to the version the reviewer was shown. A value that changed since (returned
    and resubmitted, edited, decided by another reviewer) is refused with its current figure: a reviewer
    never approves or returns a value they have not seen. Values outside the reviewer's scope, not
    submitted, or in a locked period refuse the whole decision.
    """
    with transaction.atomic():
        actuals = list(
            Actual.objects.select_for_update()
            .filter(pk__in=list(seen))
            .select_related("locality", "period", "indicator")
            .order_by("pk")
        )
        if len(actuals) != len(seen) or not actuals:
            raise ReviewError("Không tìm thấy số liệu cần thẩm định.")
        for a in actuals:
            if not access.can_review(user, a.locality_id):
                raise ReviewError("Bạn không có quyền thẩm định số liệu này.")
        changed = [a for a in actuals if a.version != seen[a.pk]]
        if changed:
            raise ReviewError(
                gettext("Chưa thẩm định gì: số liệu đã thay đổi từ khi bạn mở trang, vui lòng xem lại")
                + " — "
                + "; ".join(
                    gettext("%(indicator)s (%(period)s): nay là %(value)s, trạng thái “%(status)s”")
                    % {
                        "indicator": a.indicator.name,
                        "period": a.period.code,
                        "value": typed_number(a.value),
                        "status": Status(a.status).label,
                    }
                    for a in changed
                )
                + "."
            )
        for a in actuals:
            if a.status != Status.SUBMITTED:
                raise ReviewError(
                    f"Chỉ số liệu “đã gửi” mới được thẩm định ({a.indicator_id}, {a.period.code})."
                )
        for lp_key in {(a.locality_id, a.period_id) for a in actuals}:
            a = next(x for x in actuals if (x.locality_id, x.period_id) == lp_key)
            try:
                refuse_if_locked(a.locality, a.period, for_update=True)
            except EntryError as exc:
                raise ReviewError(exc.general[0]) from exc
        now = timezone.now()
        for a in actuals:
            a.status = status
            a.review_comment = comment
            a.reviewed_at = now
            a.reviewed_by = user
            a.version += 1
            a._change_reason = reason
            a._history_user = user
            a.save()
        # Approving adds the figure, returning a submitted one changes none: both re-assess its series (a
        # millisecond each), in this transaction.
        figures_changed((a.locality_id, a.indicator_id, a.period.ends_on) for a in actuals)
    data_changed()
    return len(actuals)


def actual_reopen(*, user, actual_id: int, reason: str) -> Actual:
    """A reviewer reopens an approved value (it goes back to the editor as returned); the reason is audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Vui lòng ghi lý do mở lại số liệu đã duyệt.")
    if too_long := length_errors(comment_length, reason):
        raise ReviewError(" ".join(too_long))
    with transaction.atomic():
        a = (
            Actual.objects.select_for_update()
            .select_related("locality", "period")
            .filter(pk=actual_id)
            .first()
        )
        if a is None or not access.can_review(user, a.locality_id):
            raise ReviewError("Không tìm thấy số liệu.")
        if not access.reopenable(a):
            raise ReviewError("Chỉ số liệu đã duyệt do đơn vị nhập mới mở lại được.")
        try:
            refuse_if_locked(a.locality, a.period, for_update=True)
        except EntryError as exc:
            raise ReviewError(exc.general[0]) from exc
        a.status = Status.RETURNED
        a.review_comment = reason
        a.reviewed_at = timezone.now()
        a.reviewed_by = user
        a.version += 1
        a._change_reason = change_reason(f"Mở lại: {reason}")
        a._history_user = user
        a.save()
        figures_changed([(a.locality_id, a.indicator_id, a.period.ends_on)])
    data_changed()
    return a


def period_lock(*, user, locality: Locality, period: ReportingPeriod) -> LocalityPeriod:
    """Lock a locality's period (reviewers): no value of it can change until it is unlocked; audited."""
    return _period_set_lock(user=user, locality=locality, period=period, locked=True)


def period_unlock(*, user, locality: Locality, period: ReportingPeriod) -> LocalityPeriod:
    """Unlock a locality's period (reviewers); audited in the period's history."""
    return _period_set_lock(user=user, locality=locality, period=period, locked=False)


def _period_set_lock(*, user, locality: Locality, period: ReportingPeriod, locked: bool) -> LocalityPeriod:
    if not access.can_review(user, locality):
        raise ReviewError("Bạn không có quyền khoá kỳ báo cáo của địa phương này.")
    with transaction.atomic():
        lp = LocalityPeriod.objects.select_for_update().filter(locality=locality, period=period).first()
        lp = lp or LocalityPeriod(locality=locality, period=period)
        if locked == lp.is_locked:
            raise ReviewError(f"Kỳ {period.code} đã {'khoá' if locked else 'mở'} từ trước.")
        if locked and period.pk is not None:
            returned = Actual.objects.filter(locality=locality, period=period, status=Status.RETURNED).count()
            if not access.period_lockable(returned=returned):
                raise ReviewError(
                    gettext(
                        "Chưa khoá kỳ %(period)s: còn %(n)d giá trị đã trả lại đang chờ đơn vị sửa. "
                        "Khi đơn vị gửi lại và bạn thẩm định xong, kỳ mới khoá được."
                    )
                    % {"period": period.code, "n": returned}
                )
        lp.locked_at = timezone.now() if locked else None
        lp.locked_by = user if locked else None
        lp._change_reason = "Khoá kỳ" if locked else "Mở khoá kỳ"
        lp._history_user = user
        lp.save()
    data_changed()
    return lp


def assignment_set(
    *, user, locality: Locality, indicator: Indicator, level: str, department: Department | None
):
    """Give an indicator (at a level) of a locality to one department, or to none (reviewers)."""
    if not access.can_review(user, locality):
        raise ReviewError("Bạn không có quyền phân công chỉ tiêu của địa phương này.")
    if department is not None and department.locality_id != locality.pk:
        raise ReviewError("Đơn vị không thuộc địa phương này.")
    with transaction.atomic():
        Assignment.objects.filter(department__locality=locality, indicator=indicator, level=level).exclude(
            department=department
        ).delete()
        if department is not None:
            Assignment.objects.get_or_create(department=department, indicator=indicator, level=level)
    data_changed()


@dataclass(frozen=True)
class Reminder:
    department: str
    period: str
    deadline: dt.date
    missing: int
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class SuccessionReport:
    moved: int  # assignments now held by the successor
    merged: int  # assignments the successor already held (the ended department's copy removed)


def _department_links() -> dict[int, tuple[dt.date | None, int | None]]:
    """Every department's (valid_to, successor id), for `targets.plans.successor_on`: one query."""
    return {
        pk: (valid_to, successor)
        for pk, valid_to, successor in Department.objects.values_list("pk", "valid_to", "successor_id")
    }


def department_successions_apply(*, today: dt.date) -> SuccessionReport:
    """Give the assignments of departments that have ended to the department answering for them `today`
    (issue #16: the Sở TTTT's to the Sở KH&CN from 1 March 2025, the district committees' to the commune
    committees from 1 July 2025). The figures the ended department entered keep its name (`Actual.department`):
    history keeps the name of the time. Idempotent; run by `load_catalogue` and `send_reminders`."""
    links = _department_links()
    ended = [pk for pk, (valid_to, successor) in links.items() if valid_to and valid_to < today and successor]
    moved = merged = 0
    with transaction.atomic():
        for assignment in Assignment.objects.filter(department_id__in=ended):
            target = successor_on(assignment.department_id, today, links)
            if target == assignment.department_id:
                continue
            held = Assignment.objects.filter(
                department_id=target, indicator_id=assignment.indicator_id, level=assignment.level
            ).exists()
            if held:
                assignment.delete()
                merged += 1
            else:
                assignment.department_id = target
                assignment.save(update_fields=["department"])
                moved += 1
    if moved or merged:
        data_changed()
    return SuccessionReport(moved=moved, merged=merged)


def reminders_send(*, today: dt.date, days: int = 7) -> list[Reminder]:
    """E-mail every department with unsubmitted indicators in an open quarter due within `days` or past.
    Returns every reminder due, sent or not (a department without an address gets none)."""
    due = _reminders(today=today, days=days)
    for reminder, subject, body in due:
        if reminder.recipients:
            send_mail(subject, body, None, list(reminder.recipients))
    return [reminder for reminder, _, _ in due]


def reminders_due(*, today: dt.date, days: int = 7) -> list[Reminder]:
    """The reminders `reminders_send` would send, without sending them (the command's --dry-run)."""
    return [reminder for reminder, _, _ in _reminders(today=today, days=days)]


def _reminders(*, today: dt.date, days: int) -> list[tuple[Reminder, str, str]]:
    """Each reminder due, with the subject and body of its e-mail."""
    periods = [period_get_or_create(code=c) for c in entry_period_codes(today) if "-Q" in c]
    periods = [p for p in periods if p.starts_on <= today]
    departments = list(
        Department.objects.select_related("locality").filter(assignments__isnull=False).distinct()
    )
    # A department that has ended is reminded through the one answering for it today (issue #16).
    links = _department_links()
    answering = {d.pk: successor_on(d.pk, today, links) for d in departments}
    successors = {
        d.pk: d
        for d in Department.objects.filter(pk__in=set(answering.values()) - {d.pk for d in departments})
    }
    by_id = {**{d.pk: d for d in departments}, **successors}
    editors = access.editor_emails(list(by_id.values()))
    out = []
    for line in worklist(departments, periods):
        missing = line.assigned - line.submitted
        if missing <= 0 or line.state.locked or (line.state.deadline - today).days > days:
            continue
        to = by_id[answering[line.department.pk]]
        recipients = tuple(sorted({*editors.get(to.pk, []), *([to.email] if to.email else [])}))
        reminder = Reminder(
            department=to.name,
            period=line.state.period.code,
            deadline=line.state.deadline,
            missing=missing,
            recipients=recipients,
        )
        overdue = today > line.state.deadline
        subject = f"[DTI Portal] {'Quá hạn' if overdue else 'Sắp đến hạn'} báo cáo kỳ {reminder.period}: còn {missing} chỉ tiêu chưa gửi"
        body = (
            f"Kính gửi {to.name},\n\n"
            f"Kỳ báo cáo {reminder.period} ({line.department.locality.name}) có hạn nộp ngày {reminder.deadline:%d/%m/%Y}"
            f"{' và đã quá hạn' if overdue else ''}. Đơn vị còn {missing} chỉ tiêu chưa gửi duyệt.\n"
            f"Vui lòng đăng nhập DTI Portal, mục Nhập số liệu, để hoàn thành.\n\n"
            "Thư này được gửi tự động; vui lòng không trả lời."
        )
        out.append((reminder, subject, body))
    return out
