"""The one time scale of the portal — pure Python, no Django.

Owns: period codes (`2026-Q3` a quarter, `2024` a year for annual figures such as the DTI rank), their
dates, the decimal-year scale every figure is placed on (the end of a period: 2026-Q3 → 2026.75, the year
2024 → 2025.0; a day: 2025-06-30 → 2025.5), the tolerance used to compare two times on it (`SAME_TIME`)
and the as-of mask built on it (`known_by`), quarters, the periods offered for entry
(`entry_period_codes`), and the end of the district level (`DISTRICT_LEVEL_ENDS`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import numpy as np

_CODE = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
MIN_PERIOD_YEAR, MAX_PERIOD_YEAR = 2015, 2035

# Period ends are exact quarters on the decimal scale; two times closer than this are the same time.
SAME_TIME = 1e-9

# Resolution 202/2025/QH15: district-level administration ended on 1 July 2025. No district figure is
# reported for a period that starts after this day.
DISTRICT_LEVEL_ENDS = dt.date(2025, 6, 30)


def district_level_reports(starts_on: dt.date) -> bool:
    """Whether a period starting on `starts_on` still has a district level (it started by 2025-06-30)."""
    return starts_on <= DISTRICT_LEVEL_ENDS


def parse_period_code(code: str) -> tuple[int, int | None]:
    """`2026-Q3` → (2026, 3); `2024` → (2024, None). Raises ValueError with a Vietnamese message."""
    match = _CODE.match(code or "")
    if not match:
        raise ValueError(f"Mã kỳ báo cáo “{code}” không hợp lệ (ví dụ: 2026-Q3 hoặc 2024).")
    year = int(match["year"])
    if not MIN_PERIOD_YEAR <= year <= MAX_PERIOD_YEAR:
        raise ValueError(f"Năm {year} nằm ngoài khoảng {MIN_PERIOD_YEAR}–{MAX_PERIOD_YEAR}.")
    return year, int(match["quarter"]) if match["quarter"] else None


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def last_closed_quarter(today: dt.date) -> tuple[int, int]:
    """The last quarter that has ended before `today` (2026-11-22 → 2026-Q3)."""
    year, quarter = quarter_of(today)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def default_deadline(year: int, quarter: int, day: int = 6) -> dt.date:
    """Circular 02/2023/TT-BTTTT: a quarterly report is due on the 6th of the quarter's last month."""
    return dt.date(year, 3 * quarter, day)


def period_end_date(code: str) -> dt.date:
    """The last day of a period: 2026-Q3 → 2026-09-30, the year 2024 → 2024-12-31."""
    year, quarter = parse_period_code(code)
    return dt.date(year, 12, 31) if quarter is None else quarter_bounds(year, quarter)[1]


def end_time(year: int, quarter: int | None) -> float:
    """Decimal years at the end of a quarter (`quarter` 1–4) or of a year (`quarter` None)."""
    return year + quarter / 4 if quarter else float(year + 1)


def period_end_time(code: str) -> float:
    """Decimal years at the end of a period: 2026-Q3 → 2026.75, 2026-Q4 → 2027.0, the year 2024 → 2025.0."""
    return end_time(*parse_period_code(code))


def day_times(day):
    """`date_to_time` for a pandas column of days (datetime64), vectorised (NaT → NaN)."""
    years = day.dt.year + (day.dt.month - 1) / 12 + day.dt.day / day.dt.days_in_month / 12
    return years.to_numpy(dtype=float, na_value=np.nan)


def end_times(year, quarter):
    """`end_time` for columns of years and quarters (NaN/None quarter: a year), vectorised with numpy."""
    quarter = np.asarray(quarter, dtype=float)
    year = np.asarray(year, dtype=float)
    return np.where(np.isnan(quarter), year + 1.0, year + np.nan_to_num(quarter) / 4)


def known_by(times, as_of: float):
    """The as-of mask: which `times` (a number or a numpy/pandas column) are at or before `as_of`."""
    return times <= as_of + SAME_TIME


def date_to_time(day: dt.date) -> float:
    """A date as decimal years on the same scale as period ends: 2025-06-30 → 2025.5, 2025-12-31 → 2026.0."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return day.year + (day.month - 1) / 12 + day.day / days_in_month / 12


class FutureAsOfError(ValueError):
    """An as-of after the current quarter: nothing is known about the future (method v2, rule 5)."""

    def __init__(self, code: str, current: str) -> None:
        self.code, self.current = code, current
        super().__init__(
            f"Thời điểm {code} chưa đến: chỉ xem được số liệu đến hết quý hiện tại ({current}, tạm tính)."
        )


def current_quarter(today: dt.date) -> str:
    """The quarter `today` is in, as a code: 2026-11-29 → 2026-Q4."""
    year, quarter = quarter_of(today)
    return f"{year}-Q{quarter}"


def resolve_as_of(code: str | None, *, today: dt.date) -> tuple[str, float]:
    """`?as_of=` → (code, decimal time). Empty means the last closed quarter. An as-of after the current
    quarter raises FutureAsOfError; a bad code ValueError (both with a Vietnamese message)."""
    if not code:
        year, quarter = last_closed_quarter(today)
        code = f"{year}-Q{quarter}"
    time = period_end_time(code)
    if not known_by(time, period_end_time(current_quarter(today))):
        raise FutureAsOfError(code, current_quarter(today))
    return code, time


def is_provisional(time: float, *, today: dt.date) -> bool:
    """Whether an as-of period has not ended yet (the current quarter, or the current year): its figures
    are still being entered, so what it shows is provisional ("tạm tính")."""
    year, quarter = last_closed_quarter(today)
    return not known_by(time, end_time(year, quarter))


# The periods offered for entry (the worklist): a rule on period codes, asked by access and the pages.
OPEN_QUARTERS = 5  # the current quarter and the four before it


def entry_period_codes(today: dt.date) -> list[str]:
    """Periods offered for entry: the current quarter, the four before it, and last year (annual figures)."""
    year, quarter = quarter_of(today)
    codes = []
    for _ in range(OPEN_QUARTERS):
        codes.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    codes.append(str(today.year - 1))
    return codes


def newest_first(code: str) -> tuple[int, int]:
    """Newest first: a year's quarters, then the year itself (its annual figures)."""
    year, quarter = parse_period_code(code)
    return (-year, -(quarter or 0))


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(code: str) -> str:
    """A period as Vietnamese documents write it: '2026-Q3' → 'Quý III/2026', '2025' → 'Năm 2025'; a code
    that is not a period is returned as it is."""
    try:
        year, quarter = parse_period_code(code)
    except ValueError:
        return code
    return f"Quý {_ROMAN[quarter]}/{year}" if quarter else f"Năm {year}"


def previous_period_code(code: str) -> str:
    """The period before: '2026-Q1' → '2025-Q4', '2026-Q3' → '2026-Q2', '2026' → '2025'."""
    year, quarter = parse_period_code(code)
    if quarter is None:
        return str(year - 1)
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def live_quarters(today: dt.date) -> tuple[str, ...]:
    """The as-of quarters whose assessments are stored and kept current by every write (issue #20): the
    last closed quarter (the pages' default) and the current one (provisional)."""
    year, quarter = last_closed_quarter(today)
    return (f"{year}-Q{quarter}", current_quarter(today))
