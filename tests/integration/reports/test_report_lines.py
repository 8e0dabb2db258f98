"""The report's target lines (`reports.excel.data`) carry the engine's assessment as it is: each figure a float
or None where the engine has none (NaN), each text "" where missing, a rank's basis a whole number, the
provisional verdict labelled, the quarter before's figure and status beside it (issue #20: the lines are now
built column by column; every field is checked here against the engine's frames read directly)."""

from __future__ import annotations

import datetime as dt
import math

from reports import pages, selectors
from reports.display import AsOf
from reports.status import labels
from targets.devdata import demo_data_generate
from targets.models import Locality, Origin


def _figure(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _text(value):
    return value if isinstance(value, str) else ""


def test_every_target_line_carries_the_engines_figures_and_the_quarter_before(catalogue, settings):
    settings.ASSESSMENTS_STORED = False  # the engine's path; the stored rows' path is compared elsewhere
    demo_data_generate(seed=7, today=dt.date(2026, 11, 22))
    ids = list(Locality.objects.filter(is_country=False).values_list("id", flat=True))
    data = pages.report(
        locality_ids=ids,
        as_of=AsOf(code="2026-Q3", time=2026.75),
        pillar_slugs=None,
        today=dt.date(2026, 11, 29),
    )
    inputs = selectors.progress_inputs(locality_ids=ids, labels="slugs")
    now = pages.assess(inputs, 2026.75)
    before = pages.assess(inputs, 2026.5)
    names = labels()
    lines = list(data.targets)
    assert len(lines) == len(now) > 100
    seen = {"ranked": 0, "missing": 0, "provisional": 0, "demo": 0}
    for line in lines:
        row = now.loc[line.target_id]
        expected = {
            "latest": _figure(row["latest"]),
            "latest_period": _text(row["latest_period"]),
            "gap": _figure(row["gap"]),
            "completion": _figure(row["completion"]),
            "status": row["status"],
            "projected": _figure(row["projected"]),
            "pace": _figure(row["required_pace_per_year"]),
            "latest_is_demo": row["latest_origin"] == Origin.DEMO,
            "after_deadline": _figure(row["latest_after_deadline"]),
            "after_deadline_period": _text(row["after_period"]),
            "after_deadline_among": None
            if _figure(row["after_ranked_among"]) is None
            else int(row["after_ranked_among"]),
            "latest_among": None
            if _figure(row["latest_ranked_among"]) is None
            else int(row["latest_ranked_among"]),
            "provisional_label": f"tạm tính: {names[row['provisional_status']].lower()}"
            if isinstance(row["provisional_status"], str)
            else "",
            "lower": _figure(row["lower"]),
            "upper": _figure(row["upper"]),
            "previous_latest": _figure(before.loc[line.target_id, "latest"]),
            "previous_status": before.loc[line.target_id, "status"],
        }
        assert {name: getattr(line, name) for name in expected} == expected, line.target_id
        seen["ranked"] += line.latest_among is not None
        seen["missing"] += line.latest is None
        seen["provisional"] += bool(line.provisional_label)
        seen["demo"] += line.latest_is_demo
    assert seen["ranked"] and seen["missing"] and seen["demo"], seen  # not a trivial comparison
