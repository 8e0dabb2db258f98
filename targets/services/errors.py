"""The refusals the services raise (and the conflicts they report): the caller shows the message; a refused
service call has written nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Conflict:
    theirs: Decimal | None
    yours: str
    by: str
    at: dt.datetime | None
    version: int = 0  # the stored version, whose value is `theirs`
    # True: the editor changed the row too, and must choose (keep mine / take theirs). False: the editor
    # left the row as shown, it changed meanwhile; the form shows the current value in its place.
    mine: bool = True


class EntryError(Exception):
    """A save refused as a whole: messages per row key and field; nothing was written."""

    def __init__(
        self,
        *,
        errors: dict[str, dict[str, list[str]]] | None = None,
        warnings: dict[str, str] | None = None,
        conflicts: dict[str, Conflict] | None = None,
        general: list[str] | None = None,
    ):
        self.errors = errors or {}
        self.warnings = warnings or {}
        self.conflicts = conflicts or {}
        self.general = general or []
        super().__init__("; ".join(self.general) or "entry refused")


class ReviewError(Exception):
    """A review action refused; the message is for the reviewer. Nothing was written."""


@dataclass(frozen=True)
class TaskConflict:
    """Someone saved the task since the form was opened: both versions, so nothing is silently lost."""

    their_status: str
    their_note: str
    your_status: str
    your_note: str
    by: str
    at: dt.datetime | None


class TaskUpdateError(Exception):
    """A task update refused as a whole: messages per field, or a conflict; nothing was written."""

    def __init__(
        self,
        *,
        errors: dict[str, list[str]] | None = None,
        conflict: TaskConflict | None = None,
        general: list[str] | None = None,
    ):
        self.errors = errors or {}
        self.conflict = conflict
        self.general = general or []
        super().__init__("; ".join(self.general) or "task update refused")


class PlanError(Exception):
    """A plan action refused; the message is for the reviewer. Nothing was written."""


class ReportTextError(Exception):
    """A Báo cáo narrative or letterhead refused as a whole: Vietnamese messages per field ("" for the
    whole form); nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
