"""The Báo cáo's figures (found in review: its formatter rounded 1,234.5 half to even, '1.234', where every
page rounds half up, and dropped the '/1.000 dân' of a rate). A document groups thousands: '1.235'."""

from __future__ import annotations

from django.utils import translation

from reports.bao_cao import figure_text


def test_figures_are_rounded_half_up_with_their_unit_in_vietnamese_whoever_asks():
    assert figure_text(2.5, "count") == "3"  # half up (Python's round gives 2)
    with translation.override("en"):
        assert figure_text(1234.5, "count") == "1.235"
        assert figure_text(3.5, "per_1000") == "3,5/1.000 dân"
        assert figure_text(58.9, "percent") == "58,9%"
        assert figure_text(3.0, "rank", among=34) == "hạng 3/34"
        assert figure_text(1.0, "milestone") == "đã hoàn thành"
    assert figure_text(float("nan"), "percent") == "—"
    assert figure_text(None, "count") == "—"
