"""The one time scale (targets/periods.py): pure Python, the decimal-year scale, the as-of mask and the
end of the district level. Expected values worked out by hand."""

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from targets import periods

ROOT = Path(__file__).resolve().parents[2]


def test_the_time_scale_imports_no_django_and_nothing_of_this_project():
    tree = ast.parse((ROOT / "targets" / "periods.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "calendar", "datetime", "re", "numpy"}


def test_a_period_ends_at_a_decimal_year_and_a_day_sits_on_the_same_scale():
    assert periods.end_time(2026, 3) == 2026.75
    assert periods.end_time(2024, None) == 2025.0
    assert periods.period_end_time("2026-Q4") == 2027.0
    assert periods.period_end_date("2026-Q3") == dt.date(2026, 9, 30)
    assert periods.period_end_date("2024") == dt.date(2024, 12, 31)
    assert periods.date_to_time(dt.date(2025, 6, 30)) == 2025.5


def test_columns_of_periods_and_days_become_the_same_times_as_one_at_a_time():
    times = periods.end_times(pd.Series([2026, 2024]), pd.Series([3.0, np.nan]))
    assert times.tolist() == [2026.75, 2025.0]
    days = pd.to_datetime(pd.Series(["2025-06-30", None]))
    out = periods.day_times(days)
    assert out[0] == 2025.5 and np.isnan(out[1])


def test_the_as_of_mask_keeps_what_ends_at_or_before_the_as_of_time():
    times = np.array([2026.5, 2026.75, 2027.0])
    assert periods.known_by(times, 2026.75).tolist() == [True, True, False]
    # A time computed another way that lands a rounding error after the as-of still counts as the same time.
    assert periods.known_by(2026.75 + 1e-12, 2026.75)


def test_no_district_figure_for_a_period_starting_after_2025_06_30():
    assert dt.date(2025, 6, 30) == periods.DISTRICT_LEVEL_ENDS
    assert periods.district_level_reports(dt.date(2025, 4, 1))
    assert not periods.district_level_reports(dt.date(2025, 7, 1))
