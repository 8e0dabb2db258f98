"""The domain of DTI Portal: where targets come from, what they are, and the figures reported against them.

Model methods use only the row's own fields; anything across relations lives in selectors or services.
The models live in four modules (base, catalogue, reporting, plans); Django and every caller import them
from here, the app's models module, with the audit-trail models django-simple-history creates beside
Actual and PlanTask (HistoricalActual, HistoricalPlanTask).
"""

from .base import MAX_YEAR, MIN_YEAR, comment_length, note_length
from .catalogue import (
    Comparator,
    Document,
    Frequency,
    Indicator,
    Level,
    Locality,
    Pillar,
    Target,
    Unit,
    validate_value_for_unit,
)
from .freshness import ASSESSMENT_FLOATS, ASSESSMENT_TEXTS, Assessment, FigureChange, Job, JobState
from .plans import (
    Component,
    HistoricalPlanTask,
    Plan,
    PlanTask,
    TaskState,
    TaskStatus,
)
from .reporting import (
    Actual,
    Assignment,
    Department,
    HistoricalActual,
    LocalityPeriod,
    Membership,
    Origin,
    PeriodKind,
    ReportingPeriod,
    Role,
    Status,
    evidence_upload_to,
)

__all__ = [
    "ASSESSMENT_FLOATS",
    "ASSESSMENT_TEXTS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Actual",
    "Assessment",
    "Assignment",
    "Comparator",
    "Component",
    "Department",
    "Document",
    "FigureChange",
    "Frequency",
    "HistoricalActual",
    "HistoricalPlanTask",
    "Indicator",
    "Job",
    "JobState",
    "Level",
    "Locality",
    "LocalityPeriod",
    "Membership",
    "Origin",
    "PeriodKind",
    "Pillar",
    "Plan",
    "PlanTask",
    "ReportingPeriod",
    "Role",
    "Status",
    "Target",
    "TaskState",
    "TaskStatus",
    "Unit",
    "comment_length",
    "evidence_upload_to",
    "note_length",
    "validate_value_for_unit",
]
