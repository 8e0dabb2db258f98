"""History reads: who changed a value or a plan task, when, and what it was before."""

from __future__ import annotations

from ..models import (
    Actual,
    PlanTask,
    TaskStatus,
)


def _history_rows(obj, fields: tuple[str, ...], first: tuple[str, ...], shown=None) -> list[dict]:
    """Every recorded version of `obj` (django-simple-history), newest first, with what changed: one query.

    `fields` are compared with the previous version; for the first version only `first` are listed.
    `shown(name, old, new)` may turn a change into what the page displays (labels instead of codes).
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    out = []
    for i, rec in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        for name in fields:
            new, old = getattr(rec, name), getattr(older, name) if older else None
            if older is None and name not in first:
                continue
            if new != old:
                changes.append(shown(name, old, new) if shown else (name, old, new))
        out.append(
            {
                "when": rec.history_date,
                "who": rec.history_user,
                "reason": rec.history_change_reason or "",
                "kind": rec.history_type,
                "changes": changes,
                "version": rec.version,
            }
        )
    return out


def actual_history(actual: Actual) -> list[dict]:
    """Every recorded version of a value, newest first, with what changed: one query."""
    fields = ("value", "status", "note", "evidence_url", "evidence_name", "review_comment")
    return _history_rows(actual, fields, first=("value", "status"))


def plan_task_detail(task) -> dict:
    """What the task page shows beside the task: co-operating agencies, linked indicators. Two queries."""
    return {
        "cooperating": list(task.cooperating.order_by("name")),
        "indicators": list(task.indicators.select_related("pillar").order_by("pillar__order", "order")),
    }


def plan_task_history(task) -> list[dict]:
    """Every recorded version of a task, newest first, with what changed: one query."""

    statuses = dict(TaskStatus.choices)

    def shown(name: str, old, new):
        if name == "status":
            new, old = statuses.get(new, new), statuses.get(old, old) if old else None
        return (PlanTask._meta.get_field(name).verbose_name, old, new)

    fields = ("status", "progress_note", "evidence_url", "evidence_name", "deadline")
    return _history_rows(task, fields, first=("status",), shown=shown)
