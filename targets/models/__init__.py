"""The domain of DTI Portal: where targets come from, what they are, and the figures reported against them.

Model methods use only the row's own fields; anything across relations lives in selectors or services.
The models live in four modules (base, catalogue, reporting, plans); Django and every caller import them
from here, the app's models module, with the audit-trail models django-simple-history creates beside
Actual and PlanTask (HistoricalActual, HistoricalPlanTask).
"""

from .base import MAX_YEAR, MIN_YEAR, comment_length, note_length
from .catalogue import (
    Aggregation,
    Comparator,
    Document,
    Frequency,
    Indicator,
    Level,
    Locality,
    Pillar,
    Provenance,
    Target,
    Unit,
    validate_value_for_unit,
)
from .frameworks import Framework, FrameworkIndex, IndexLevel, IndexLink, IndexScore
from .freshness import ASSESSMENT_FLOATS, ASSESSMENT_TEXTS, Assessment, FigureChange, Job, JobState
from .narrative import HistoricalReportNarrative, HistoricalReportSettings, ReportNarrative, ReportSettings
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
    FormerUnitFigure,
    HistoricalActual,
    LocalityPeriod,
    Membership,
    Origin,
    PeriodKind,
    Qualifier,
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
    "Aggregation",
    "Assessment",
    "Assignment",
    "Comparator",
    "Component",
    "Department",
    "Document",
    "FigureChange",
    "FormerUnitFigure",
    "Framework",
    "FrameworkIndex",
    "Frequency",
    "HistoricalActual",
    "HistoricalPlanTask",
    "HistoricalReportNarrative",
    "HistoricalReportSettings",
    "IndexLevel",
    "IndexLink",
    "IndexScore",
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
    "Provenance",
    "Qualifier",
    "ReportNarrative",
    "ReportSettings",
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
