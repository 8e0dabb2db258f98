"""The overview's counts of several localities counted at once and split per locality (issue #20): each
locality's part is what counting its rows alone gives, worked out by hand here."""

from __future__ import annotations

import math

import pandas as pd

from reports import dashboards


def _rows(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["locality", "pillar", "status", "latest_origin"])


ASSESSED = _rows(
    ("ha-noi", "cqs", "achieved", "entered"),
    ("ha-noi", "cqs", "off_track", "demo"),
    ("ha-noi", "kts", "insufficient_data", None),
    ("hai-phong", "cqs", "on_track", "published"),
    ("hai-phong", "cqs", "missed", "entered"),
    ("hai-phong", "xhs", "on_track", "entered"),
)


def test_each_localitys_part_is_its_own_count():
    whole = dashboards.overview_counts(ASSESSED)
    ha_noi = dashboards.overview_counts_of(whole, "ha-noi")
    hai_phong = dashboards.overview_counts_of(whole, "hai-phong")

    assert ha_noi["with_targets"] == {"ha-noi"}
    assert set(ha_noi["by_cell"]) == {("ha-noi", "cqs"), ("ha-noi", "kts")}
    # Hà Nội, cqs: achieved 1, off track 1 → on track share 1/2; kts: nothing assessable.
    assert ha_noi["by_cell"][("ha-noi", "cqs")]["achieved"] == 1
    assert ha_noi["by_cell"][("ha-noi", "cqs")]["off_track"] == 1
    assert ha_noi["by_cell"][("ha-noi", "cqs")]["share_on_track"] == 0.5
    assert math.isnan(ha_noi["by_cell"][("ha-noi", "kts")]["share_on_track"])
    assert ha_noi["by_locality"]["ha-noi"]["total"] == 3
    assert ha_noi["demo_cells"] == {("ha-noi", "cqs")} and ha_noi["has_demo"] is True
    # Hải Phòng: 3 targets, on track 2 of 3 assessable; no demo figure.
    assert set(hai_phong["by_locality"]) == {"hai-phong"}
    assert hai_phong["by_locality"]["hai-phong"]["total"] == 3
    assert hai_phong["by_locality"]["hai-phong"]["share_on_track"] == 2 / 3
    assert hai_phong["demo_cells"] == set() and hai_phong["has_demo"] is False
    # A locality without targets: nothing.
    nothing = dashboards.overview_counts_of(whole, "da-nang")
    assert nothing == {
        "with_targets": set(),
        "by_cell": {},
        "by_locality": {},
        "demo_cells": set(),
        "has_demo": False,
    }


def test_split_parts_merge_back_into_the_whole_and_equal_counting_each_alone():
    whole = dashboards.overview_counts(ASSESSED)
    parts = [dashboards.overview_counts_of(whole, slug) for slug in ("ha-noi", "hai-phong")]
    merged = dashboards.merge_overview_counts(parts)
    assert merged["with_targets"] == whole["with_targets"]
    assert merged["demo_cells"] == whole["demo_cells"]
    assert merged["has_demo"] == whole["has_demo"]
    for slug, part in zip(("ha-noi", "hai-phong"), parts, strict=True):
        alone = dashboards.overview_counts(ASSESSED[ASSESSED["locality"] == slug])
        assert part["by_locality"] == alone["by_locality"]
        assert part["by_cell"].keys() == alone["by_cell"].keys()
        for cell, row in alone["by_cell"].items():
            assert {k: v for k, v in row.items() if k != "share_on_track"} == {
                k: v for k, v in part["by_cell"][cell].items() if k != "share_on_track"
            }
