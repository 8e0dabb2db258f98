"""Chart builders: plain data in, strict-JSON Plotly figures out — no database, no Django."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pytest

from reports import charts, status, timecharts

TEXT = {
    "demo_note": "DEMO NOTE",
    "demo_short": "demo",
    "straight_line": "line %(year)s",
    "reform": "reform",
    "beyond_target": "BEYOND",
    "behind_baseline": "BEHIND",
}
LABELS = {s: s.upper() for s in status.ORDER}
ROOT = Path(__file__).resolve().parents[2]


def _json(figure: dict) -> dict:
    """The figure survives strict JSON (what json_script + JSON.parse need): no NaN, no tuples."""
    return json.loads(json.dumps(figure, allow_nan=False))


def _notes(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"].get("annotations", [])]


def test_charts_module_imports_no_django_and_of_this_project_only_the_status_vocabulary():
    tree = ast.parse((ROOT / "reports" / "charts.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith(("django", "plotly", "targets")) for name in imported)
    assert {name for name in imported if name.startswith(("reports", "status"))} == {"status"}  # `.status`


@pytest.mark.parametrize(
    ("time", "date", "quarter"),
    [
        (2026.75, "2026-09-30", "2026-Q3"),
        (2026.0, "2025-12-31", "2025-Q4"),
        (2025.5, "2025-06-30", "2025-Q2"),
    ],
)
def test_decimal_times_become_the_end_dates_and_quarters_they_stand_for(time, date, quarter):
    assert charts.time_to_date(time) == date
    assert charts.quarter_code(time) == quarter


def test_the_last_eight_quarters_end_at_the_as_of_quarter():
    quarters = [charts.quarter_code(t) for t in charts.last_quarters(2026.75)]
    assert quarters == [
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert charts.quarter_code(charts.last_quarters(2026.0, 1)[0]) == "2025-Q4"


def test_non_finite_numbers_become_null_so_the_json_is_strict():
    cleaned = charts.clean({"a": [1.0, math.nan, math.inf, (2, None)], "b": True})
    assert cleaned == {"a": [1.0, None, None, [2, None]], "b": True}


def test_long_labels_are_cut_at_a_word_and_keep_their_year_and_level():
    label = charts.tick_label("Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", "cấp xã · 2030", 24)
    first, second = label.split("<br>")
    assert len(first) <= 24 and first.endswith("…") and second == "cấp xã · 2030"
    assert charts.shorten("ngắn", 10) == "ngắn"


def test_status_stack_has_one_segment_per_status_present_with_icon_and_label():
    figure = _json(
        charts.status_stack(
            ["Chính quyền số", "Kinh tế số"],
            [{"achieved": 3, "missed": 1}, {"achieved": 1, "on_track": 4}],
            labels=LABELS,
            text=TEXT,
        )
    )
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["✓ ACHIEVED", "↗ ON_TRACK", "⊘ MISSED"]  # the dashboards' order, absent ones left out
    achieved = figure["data"][0]
    assert achieved["x"] == [3, 1] and achieved["marker"]["color"] == status.COLOURS["achieved"]
    assert achieved["text"] == ["✓ 3", "✓ 1"]
    assert "DEMO NOTE" not in " ".join(_notes(figure))


def test_a_chart_with_demo_values_says_so_and_a_phone_gets_the_short_note():
    figure = _json(charts.status_stack(["x"], [{"achieved": 2}], labels=LABELS, text=TEXT, demo=True))
    assert _notes(figure)[0] == "◆ DEMO NOTE"
    assert figure["narrow"]["annotations.0.text"] == "◆ demo"
    compact = _json(
        charts.status_stack(["x"], [{"achieved": 2}], labels=LABELS, text=TEXT, demo=True, compact=True)
    )
    assert _notes(compact)[0] == "◆ demo" and compact["layout"]["showlegend"] is False


def test_bullet_bars_show_completion_by_status_and_never_a_percentage_beyond_the_target():
    rows = [
        charts.BulletRow("t1", "Dịch vụ công", "on_track", 0.8, 0.55, suffix="2030"),
        charts.BulletRow("t2", "Hồ sơ", "missed", 3.5, 1.0, suffix="2025"),
        charts.BulletRow("t3", "Mốc", "insufficient_data", None, None, suffix="2030"),
    ]
    figure = _json(charts.bullet(rows, labels=LABELS, text=TEXT))
    bars = {t["name"]: t for t in figure["data"] if t["type"] == "bar"}
    assert bars["↗ ON_TRACK"]["x"] == [0.8] and bars["↗ ON_TRACK"]["text"] == ["↗ 80%"]
    # Beyond the axis the bar stops at its end, and its text says "beyond the target", never "350%".
    assert bars["⊘ MISSED"]["x"] == [charts.BULLET_RANGE[1]] and bars["⊘ MISSED"]["text"] == ["⊘ BEYOND"]
    assert all(int(t.rstrip("%")) <= 100 for t in figure["layout"]["xaxis"]["ticktext"][:4])
    assert not any("125" in t for t in figure["layout"]["xaxis"]["ticktext"])
    assert bars["? INSUFFICIENT_DATA"]["text"] == ["? INSUFFICIENT_DATA"]  # no figure: the label instead
    ticks = next(t for t in figure["data"] if t["type"] == "scatter")
    assert ticks["y"] == ["t1", "t2"] and ticks["x"] == [0.55, 1.0]
    assert figure["layout"]["yaxis"]["categoryarray"] == ["t1", "t2", "t3"]  # rows keep the given order
    assert figure["layout"]["yaxis"]["ticktext"][0] == "Dịch vụ công<br>2030"


def test_heatmap_codes_each_cell_by_status_and_marks_it_with_the_icon():
    figure = _json(
        charts.status_heatmap(
            row_keys=["s0", "s1"],
            row_labels=["A", "B"],
            row_suffixes=["", "cấp xã"],
            columns=["2026-Q2", "2026-Q3"],
            statuses=[["on_track", "achieved"], [None, "missed"]],
            hovers=[["a", "b"], ["c", "d"]],
            labels=LABELS,
            text=TEXT,
            demo=True,
        )
    )
    heat = figure["data"][0]
    order = list(status.ORDER)
    assert heat["z"] == [[order.index("on_track"), order.index("achieved")], [None, order.index("missed")]]
    assert heat["text"] == [["↗", "✓"], ["", "⊘"]]
    # Band i of the discrete colour scale is status i's colour.
    scale = heat["colorscale"]
    assert scale[2 * order.index("missed")][1] == status.COLOURS["missed"]
    assert _notes(figure) == ["◆ DEMO NOTE"]


def test_series_chart_draws_each_kind_of_value_the_targets_the_line_and_the_projection():
    figure = _json(
        timecharts.series_chart(
            points=[
                timecharts.Point(2025.25, 40, "2025-Q1", "approved"),
                timecharts.Point(2025.75, 44, "2025-Q3", "demo"),
                timecharts.Point(2026.0, 45, "2025", "published", "nguồn: https://example.vn"),
                timecharts.Point(2026.75, 53, "2026-Q3", "submitted"),
            ],
            targets=[
                timecharts.TargetMark(2025, 2026.0, 50, "2025", baseline=(2025.25, 40), open=False),
                timecharts.TargetMark(
                    2030, 2031.0, 80, "2030", baseline=(2025.25, 40), projection=(2026.0, 45, 2031.0, 70)
                ),
            ],
            events=[timecharts.Event(charts.REFORM_TIME, "reform")],
            as_of=2026.75,
            text=TEXT,
            axis=timecharts.ValueAxis(percent=True),
        )
    )
    by_name = {t["name"]: t for t in figure["data"]}
    assert by_name["kind_approved"]["marker"]["symbol"] == "circle"
    assert by_name["kind_submitted"]["marker"]["symbol"] == "circle-open"  # hollow: not yet approved
    assert by_name["kind_published"]["customdata"] == [["2025", "nguồn: https://example.vn"]]
    assert by_name["kind_demo"]["marker"]["symbol"] == "diamond"
    # The line joins approved values only (submitted ones are not counted yet).
    assert by_name["actual_line"]["y"] == [40, 44, 45]
    assert by_name["line 2030"]["x"] == ["2025-03-31", "2030-12-31"] and "line 2025" not in by_name
    assert by_name["projection"]["line"]["dash"] == "dash" and by_name["projection"]["y"] == [45, 70]
    assert by_name["targets"]["x"] == ["2025-12-31", "2030-12-31"] and by_name["targets"]["y"] == [50, 80]
    lines = [s["x0"] for s in figure["layout"]["shapes"]]
    assert lines == ["2025-06-30", "2026-09-30"]  # the reform, then the as-of line
    assert _notes(figure)[0] == "◆ DEMO NOTE"


def test_rank_history_inverts_the_axis_and_labels_each_rank_with_how_many_were_ranked():
    figure = _json(
        timecharts.rank_history(
            {
                "Hà Nội": [
                    timecharts.RankPoint(2023, 6, 63, source="https://a"),
                    timecharts.RankPoint(2024, 1, 34),
                ],
                "Hải Phòng": [
                    timecharts.RankPoint(2024, 3, 34),
                    timecharts.RankPoint(2025, 2, None, demo=True),
                ],
            },
            text=TEXT,
        )
    )
    ha_noi, hai_phong = figure["data"]
    assert ha_noi["text"] == ["6/63", "1/34"]
    low, high = figure["layout"]["yaxis"]["range"]
    assert low > high  # inverted: first place at the top
    assert hai_phong["marker"]["symbol"] == ["circle", "diamond-open"]
    assert _notes(figure)[0] == "◆ DEMO NOTE"
    assert "DEMO NOTE" not in " ".join(
        _notes(timecharts.rank_history({"Hà Nội": [timecharts.RankPoint(2024, 1, 34)]}, text=TEXT))
    )


def test_comparison_chart_gives_each_city_a_line_and_its_targets_in_its_colour():
    figure = _json(
        timecharts.comparison_chart(
            [
                timecharts.CityLine(
                    "Hà Nội", [2025.0, 2026.0], [17.1, 20.0], ["2024", "2025"], [False, True]
                ),
                timecharts.CityLine(
                    "Đà Nẵng", [2026.0], [19.8], ["2025"], [False], targets=[(2031.0, 30.0, "≥ 30%")]
                ),
            ],
            as_of=2026.75,
            text=TEXT,
        )
    )
    names = [t["name"] for t in figure["data"]]
    assert names[:2] == ["Hà Nội", "Đà Nẵng"]
    da_nang_target = figure["data"][2]
    assert da_nang_target["marker"]["symbol"] == "star"
    assert da_nang_target["marker"]["color"] == figure["data"][1]["line"]["color"]
    assert figure["data"][0]["marker"]["symbol"] == ["circle", "diamond"]
    start, end = figure["layout"]["xaxis"]["range"]
    assert start < "2025-01-01" and end > "2030-12-31"  # the axis covers the values and the targets
