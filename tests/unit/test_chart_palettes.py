"""Issue #17, item 13: one palette for statuses everywhere (red for missed), another for cities that never
uses a status colour; labels that tell targets apart; ranks that are not crushed; stars that do not hide
each other. Pure: no database."""

from __future__ import annotations

import re
from pathlib import Path

from reports import charts, status, timecharts

ROOT = Path(__file__).resolve().parents[2]
TEXT = {"rank_of": "hạng %(rank)s/%(among)s"}


def _hue_is_red(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r > 150 and g < 60 and b < 80


def test_missed_is_red_and_no_other_status_is():
    assert status.COLOURS["missed"] == "#B2182B" and _hue_is_red(status.COLOURS["missed"])
    assert [k for k, c in status.COLOURS.items() if _hue_is_red(c)] == ["missed"]


def test_the_excel_fills_are_the_status_colours_lightened_so_they_cannot_drift():
    # By hand: 30 % of the colour on white. #B2182B → (255−77·0.3, 255−231·0.3, 255−212·0.3) = E8 BA BF.
    assert status.FILLS["missed"] == "E8BABF"
    # #009E73 → (255−255·0.3, 255−97·0.3, 255−140·0.3) = (178.5 → B2, 225.9 → E2, 213 → D5)
    assert status.FILLS["achieved"] == "B2E2D5"


def test_the_table_chips_use_the_same_colours_as_the_charts():
    css = (ROOT / "static" / "css" / "dashboards.css").read_text(encoding="utf-8")
    assert ".status-missed { --st: #B2182B; }" in css


def test_the_city_palette_never_uses_a_status_colour():
    used = {c.upper() for c in status.COLOURS.values()}
    assert not used & {c.upper() for c in charts.SERIES_COLOURS}
    assert charts.TARGET_STAR.upper() not in used
    assert len(set(charts.SERIES_COLOURS)) == len(charts.SERIES_COLOURS)


def _colours_in(figure: dict) -> set[str]:
    found = set()
    for trace in figure["data"]:
        for part in ("line", "marker"):
            colour = (trace.get(part) or {}).get("color")
            if isinstance(colour, str):
                found.add(colour.upper())
    return found


def test_city_lines_series_and_rank_charts_draw_no_status_colour():
    used = {c.upper() for c in status.COLOURS.values()}
    lines = [
        timecharts.CityLine(
            name=f"City {i}", times=[2024.0, 2025.0], values=[10, 20], periods=["2023", "2024"],
            demo=[False, False], targets=[(2026.0, 30, "2025: ≥ 30")],
        )
        for i in range(9)
    ]  # fmt: skip
    comparison = timecharts.comparison_chart(lines, as_of=2026.75, text={})
    ranks = timecharts.rank_history(
        {f"City {i}": [timecharts.RankPoint(2023, 5 + i, 63)] for i in range(3)}, text=TEXT, top=5
    )
    series = timecharts.series_chart(
        points=[
            timecharts.Point(2025.0, 50, "2024", "approved"),
            timecharts.Point(2026.0, 55, "2025", "submitted"),
        ],
        targets=[timecharts.TargetMark(2025, 2026.0, 60, "2025: 60", baseline=(2024.0, 50))],
        events=[],
        as_of=2026.75,
        text={},
    )
    for figure in (comparison, ranks, series):
        assert not _colours_in(figure) & used
    assert ranks["layout"]["shapes"][0]["fillcolor"].upper() not in used


def test_cities_beyond_the_palette_are_told_apart_by_their_dash():
    styles = [(charts.series_colour(i), charts.series_dash(i)) for i in range(14)]
    assert len(set(styles)) == 14


def test_the_stars_of_cities_with_the_same_deadline_sit_side_by_side():
    lines = [
        timecharts.CityLine(
            name=name, times=[2025.0], values=[10], periods=["2024"], demo=[False],
            targets=[(2026.0, 30, "2025: ≥ 30")],
        )
        for name in ("A", "B", "C")
    ]  # fmt: skip
    figure = timecharts.comparison_chart(lines, as_of=2026.75, text={})
    stars = [t for t in figure["data"] if t.get("marker", {}).get("symbol") == "star"]
    xs = [t["x"][0] for t in stars]
    # 2026.0 − 0.06, 2026.0, 2026.0 + 0.06 years: 2025-12-09 (month ends: .94 → Dec), 2025-12-31, 2026-01-31
    assert len(set(xs)) == 3
    assert xs[1] == "2025-12-31"


def test_rows_with_the_same_cut_name_get_longer_labels_until_they_differ():
    names = [
        "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
        "Tỷ lệ hồ sơ công việc được xử lý hoàn toàn trực tuyến",
        "Tỷ lệ dân số có tài khoản",
    ]
    ticks = charts.tick_labels(names, ["2025", "2025", "2025"], 26)
    assert len(set(ticks)) == 3
    assert ticks[2] == "Tỷ lệ dân số có tài khoản<br>2025"  # short enough: untouched
    assert all(t.endswith("<br>2025") for t in ticks)
    # The same name at two levels: the suffix tells them apart, the name stays short.
    same = charts.tick_labels([names[0], names[0]], ["cấp xã · 2025", "cấp tỉnh · 2025"], 26)
    assert same[0].split("<br>")[0] == same[1].split("<br>")[0] and same[0] != same[1]


def test_the_rank_axis_never_crushes_the_first_ranks():
    assert timecharts.rank_ticks(48.2) == [1, 10, 20, 30, 40]  # 1/3/5 no longer crushed on an axis to 48
    assert timecharts.rank_ticks(8) == [1, 2, 4, 6, 8]
    assert timecharts.rank_ticks(70) == [1, 20, 40, 60]


def test_the_rank_chart_keeps_its_axis_title_off_the_ticks_and_every_rank_with_its_basis():
    figure = timecharts.rank_history(
        {"Hà Nội": [timecharts.RankPoint(2020, 43, 63), timecharts.RankPoint(2024, 1, 34)]}, text=TEXT
    )
    layout = figure["layout"]
    assert layout["xaxis"]["automargin"] is True and layout["xaxis"]["title"]["standoff"] >= 10
    assert figure["data"][0]["text"] == ["43/63", "1/34"]
    assert [c[0] for c in figure["data"][0]["customdata"]] == ["hạng 43/63", "hạng 1/34"]
    _low, high = layout["yaxis"]["range"]
    assert high < 0.5 and figure["data"][0]["cliponaxis"] is False  # room above the 1st for its label


def test_cities_ranked_close_together_put_their_labels_above_below_and_beside():
    figure = timecharts.rank_history(
        {
            "A": [timecharts.RankPoint(2023, 6, 63), timecharts.RankPoint(2024, 1, 34)],
            "B": [timecharts.RankPoint(2023, 8, 63), timecharts.RankPoint(2024, 3, 34)],
            "C": [timecharts.RankPoint(2023, 40, 63), timecharts.RankPoint(2024, 2, 34)],
        },
        text=TEXT,
    )
    where = {t["name"]: t["textposition"] for t in figure["data"]}
    # 2023: A (6) and B (8) close, C (40) alone; 2024: A (1), C (2), B (3) all close.
    assert where == {
        "A": ["top center", "top center"],
        "B": ["bottom center", "bottom center"],
        "C": ["top center", "middle right"],
    }


def test_the_hover_gives_the_full_name():
    long = "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)"
    row = charts.BulletRow(key="t1", label=long, status="achieved", completion=1.0, expected=0.5, hover=long)
    figure = charts.bullet([row], labels={}, text={})
    assert figure["data"][0]["customdata"] == [long]
    assert re.search("…", figure["layout"]["yaxis"]["ticktext"][0])


def test_the_bullet_chart_keeps_its_axis_title_off_the_ticks_and_room_for_its_text():
    row = charts.BulletRow(key="t1", label="A", status="achieved", completion=1.2, expected=0.5)
    figure = charts.bullet([row], labels={}, text={})
    layout = figure["layout"]
    assert layout["xaxis"]["automargin"] is True and layout["xaxis"]["title"]["standoff"] >= 10
    assert layout["margin"]["r"] >= 100 and figure["narrow"]["margin.r"] >= 88
