"""Figures at their indicator's precision and unusual jumps in plain words (issue #17, item 5), without
Django: every expected text is written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from targets.figures import Jump, change, explain_jump, places, rounded, unusual_jump


def _number(x: Decimal) -> str:
    """Vietnamese decimal comma, trailing zeros dropped (what the portal's `num` does)."""
    text = format(x.normalize(), "f")
    return text.replace(".", ",")


def _explain(jump: Jump, unit: str = "percent", yearly: bool = False) -> str:
    suffix = "%" if unit == "percent" else ""
    return explain_jump(
        jump,
        unit=unit,
        yearly=yearly,
        gettext=lambda s: s,
        number=_number,
        figure=lambda x: _number(x) + suffix,
    )


@pytest.mark.parametrize(
    ("new", "old", "unit", "expected"),
    [
        (79.5, 77.9501, "percent", Decimal("1.55")),  # "+1,5499" on the review page before
        (74.0, 73.7801, "percent", Decimal("0.22")),  # "+0,2199"
        (61.9, 60.9301, "percent", Decimal("0.97")),  # "+0,9699"
        (Decimal("12.5"), Decimal("47.55"), "percent", Decimal("-35.05")),
        (7, 4, "rank", Decimal("3")),
        (0.81255, 0.7, "score", Decimal("0.1126")),  # half up to four places: 0.11255 → 0.1126
    ],
)
def test_a_change_is_rounded_to_the_units_precision(new, old, unit, expected):
    assert change(new, old, unit) == expected


def test_each_unit_has_its_precision():
    assert [
        places(u) for u in ("percent", "growth_rate", "per_1000", "score", "count", "rank", "milestone")
    ] == [
        2,
        2,
        2,
        4,  # a DTI score is published to four places (0,4874)
        0,
        0,
        0,
    ]
    assert rounded(76.925, "percent") == Decimal("76.93")  # half up, from the float's shortest text
    assert rounded(1234.6, "count") == Decimal("1235")


def test_a_rise_far_above_the_usual_step_reads_in_plain_words():
    # 46 → 47 → 47,5 → 47,55: usual change (1 + 0,5 + 0,05) / 3 = 0,5166… → 0,52; this time +12.
    jump = unusual_jump([46, 47, 47.5, 47.55], 59.55, unit="percent", scale=100)
    assert jump == Jump(
        last=Decimal("47.55"), new=Decimal("59.55"), change=Decimal("12.00"), usual=Decimal("0.52")
    )
    assert _explain(jump) == "Thường tăng khoảng 0,52 điểm mỗi quý; lần này tăng 12 điểm (47,55% → 59,55%)."


def test_a_fall_against_a_rising_series_says_it_fell():
    jump = Jump(last=Decimal("47.55"), new=Decimal("12.50"), change=Decimal("-35.05"), usual=Decimal("0.50"))
    assert _explain(jump) == "Thường tăng khoảng 0,5 điểm mỗi quý; lần này giảm 35,05 điểm (47,55% → 12,5%)."


def test_a_flat_series_and_a_yearly_count_read_without_points():
    jump = Jump(last=Decimal("10"), new=Decimal("25"), change=Decimal("15"), usual=Decimal("0"))
    assert _explain(jump, unit="count", yearly=True) == (
        "Thường gần như không đổi giữa các năm; lần này tăng 15 (10 → 25)."
    )


def test_the_messages_go_through_the_callers_gettext():
    jump = Jump(last=Decimal("1"), new=Decimal("5"), change=Decimal("4"), usual=Decimal("-1"))
    english = {
        "Thường giảm khoảng %(amount)s mỗi quý": "Usually falls by about %(amount)s a quarter",
        "lần này tăng %(amount)s (%(last)s → %(new)s).": "this time it rose by %(amount)s (%(last)s → %(new)s).",
    }
    # A number of places has plural forms: "1 place", "4 places" (it read "1 places").
    places = {"%(n)s bậc": ("%(n)s place", "%(n)s places")}

    def ngettext(singular: str, plural: str, n: int) -> str:
        one, many = places[singular]
        return one if n == 1 else many

    text = explain_jump(
        jump,
        unit="rank",
        yearly=False,
        gettext=lambda s: english.get(s, s),
        ngettext=ngettext,
        number=_number,
        figure=lambda x: f"rank {_number(x)}",
    )
    assert (
        text == "Usually falls by about 1 place a quarter; this time it rose by 4 places (rank 1 → rank 5)."
    )
