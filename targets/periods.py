"""Reporting periods as plain values — pure Python, no Django.

A period code is a quarter (`2026-Q3`) or a year (`2024`, for annual figures such as the DTI rank).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_CODE = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
MIN_PERIOD_YEAR, MAX_PERIOD_YEAR = 2015, 2035


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


def period_end_time(code: str) -> float:
    """Decimal years at the end of a period: 2026-Q3 → 2026.75, 2026-Q4 → 2027.0, the year 2024 → 2025.0."""
    year, quarter = parse_period_code(code)
    return year + quarter / 4 if quarter else float(year + 1)


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
    if time > period_end_time(current_quarter(today)) + 1e-9:
        raise FutureAsOfError(code, current_quarter(today))
    return code, time


def is_provisional(time: float, *, today: dt.date) -> bool:
    """Whether an as-of period has not ended yet (the current quarter, or the current year): its figures
    are still being entered, so what it shows is provisional ("tạm tính")."""
    year, quarter = last_closed_quarter(today)
    return time > year + quarter / 4 + 1e-9
