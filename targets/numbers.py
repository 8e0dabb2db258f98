"""Parsing figures typed by people — pure Python, no Django.

Officers type Vietnamese (`12,5`, `1.234,5`) or English (`12.5`, `1,234.5`) numbers. Anything that is not
plainly a finite number in range is refused with a message in Vietnamese; nothing is guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_INTEGER_DIGITS = 10  # the database keeps 14 digits, 4 of them decimals
MAX_DECIMALS = 4

_ASCII_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")
_GROUPED_DOTS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


class NumberError(ValueError):
    """A typed figure that is not a number we accept; the message is for the person who typed it."""


def parse_number(text: str, *, whole: bool = False) -> Decimal:
    """`12,5` and `12.5` → 12.5; `1.234,5` and `1,234.5` → 1234.5; for whole numbers `1.000` → 1000.

    With one kind of separator only, it is the decimal mark — except for whole-number units (counts, ranks)
    where `1.000`/`1,000` written in groups of three is a thousands separator, as Vietnamese writes it.
    """
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if raw.endswith("%"):
        raw = raw[:-1]
    if not raw:
        raise NumberError("Vui lòng nhập một số.")
    if not _ASCII_NUMBER.match(raw):
        raise NumberError(f"“{text.strip()[:30]}” không phải là số (ví dụ hợp lệ: 12,5 hoặc 12.5).")
    has_dot, has_comma = "." in raw, "," in raw
    if has_dot and has_comma:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        if raw.count(decimal_mark) > 1:
            raise NumberError(f"“{raw}” có nhiều dấu thập phân.")
        normal = raw.replace(thousands, "").replace(decimal_mark, ".")
    elif has_dot or has_comma:
        mark = "." if has_dot else ","
        grouped = _GROUPED_DOTS if has_dot else _GROUPED_COMMAS
        if raw.count(mark) > 1 and not grouped.match(raw):
            raise NumberError(f"“{raw}” có nhiều dấu thập phân.")
        if raw.count(mark) > 1 or (whole and grouped.match(raw)):
            normal = raw.replace(mark, "")
        else:
            normal = raw.replace(mark, ".")
    else:
        normal = raw
    try:
        value = Decimal(normal)
    except InvalidOperation as exc:
        raise NumberError(f"“{raw}” không phải là số.") from exc
    if not value.is_finite():
        raise NumberError("Giá trị phải là một số hữu hạn.")
    _sign, digits, exponent = value.as_tuple()
    integer_digits = len(digits) + exponent if isinstance(exponent, int) else len(digits)
    if integer_digits > MAX_INTEGER_DIGITS:
        raise NumberError("Giá trị quá lớn.")
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise NumberError(f"Tối đa {MAX_DECIMALS} chữ số sau dấu thập phân.")
    if whole and value != value.to_integral_value():
        raise NumberError("Chỉ tiêu này nhận số nguyên.")
    return value


# The decimal places an indicator's figures are shown and rounded to, by unit (issue #18): whole numbers for
# counts, ranks and milestones; two places for percentages, growth rates and rates per 1,000; four for a
# 0–1 score. A computed figure (a spreadsheet formula's result) is rounded to them, never refused.
UNIT_DECIMALS = {
    "count": 0,
    "rank": 0,
    "milestone": 0,
    "percent": 2,
    "growth_rate": 2,
    "per_1000": 2,
    "index": 2,
    "score": 4,
}


def decimals_for(unit: str) -> int:
    """The decimal places figures of `unit` keep (`UNIT_DECIMALS`; an unknown unit: MAX_DECIMALS)."""
    return UNIT_DECIMALS.get(unit, MAX_DECIMALS)


def shown_decimals(value: float, places: int) -> int:
    """How many decimals `value` needs once rounded to `places`: 100.0 → 0, 12.5 → 1, 66.6667 (2) → 2."""
    rounded = round(value, places)
    for d in range(places):
        if abs(rounded - round(rounded, d)) < 1e-9:
            return d
    return places
