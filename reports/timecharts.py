"""Plotly figures over time, built from plain data — pure Python, no database, no plotly import: one series
with its targets (the series page), one indicator across cities (the indicator page), the DTI rank history
(the overview).

The shared pieces (layout, demo note, strict JSON, the decimal time scale) are `reports.charts`'; see its
docstring for the conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .charts import (
    DEMO_COLOUR,
    GRID,
    INK,
    MUTED,
    REFORM_TIME,
    SERIES_COLOURS,
    TARGET_STAR,
    base_layout,
    finish,
    finite,
    series_colour,
    series_dash,
    time_to_date,
    word,
)

OWN = SERIES_COLOURS[0]  # a series' own line and points (never a status colour)

# --- one series over time ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A reported value: kind is 'approved', 'published', 'demo' (all approved) or 'submitted'."""

    time: float
    value: float
    period: str
    kind: str
    hover: str = ""


@dataclass(frozen=True)
class TargetMark:
    """A target with what the series chart draws for it: the marker at the deadline, and while it is
    still ahead (`open`), the straight line from the baseline and the projection (dashed)."""

    year: int
    due: float
    value: float
    label: str
    baseline: tuple[float, float] | None = None
    projection: tuple[float, float, float, float] | None = None  # (t0, v0, t1, v1)
    open: bool = True


@dataclass(frozen=True)
class Event:
    time: float
    label: str


POINT_STYLE: dict[str, dict[str, Any]] = {
    "approved": {"symbol": "circle", "size": 9, "color": OWN},
    "published": {"symbol": "square", "size": 10, "color": "#000000"},
    "demo": {"symbol": "diamond", "size": 9, "color": DEMO_COLOUR},
    "submitted": {"symbol": "circle-open", "size": 10, "color": OWN, "line": {"width": 2}},
}


@dataclass(frozen=True)
class ValueAxis:
    """The value axis of a chart over time: its title (the unit), inverted for a rank (1st at the top),
    ticks with "%" for a percentage."""

    title: str = ""
    rank: bool = False
    percent: bool = False

    def layout(self, **extra: Any) -> dict[str, Any]:
        yaxis: dict[str, Any] = {
            "title": {"text": self.title},
            "gridcolor": GRID,
            **extra,
            "automargin": True,
        }
        if self.rank:
            yaxis["autorange"] = "reversed"
        if self.percent:
            yaxis["ticksuffix"] = "%"
        return yaxis


def _time_layout(
    text: Mapping[str, str],
    *,
    height: int,
    times: Sequence[float],
    yaxis: dict[str, Any],
    events: Sequence[Event],
    as_of: float,
) -> dict[str, Any]:
    """The layout of a chart over time: a date axis over `times`, the events and the as-of line marked."""
    shapes, annotations = _time_marks(events, as_of, text)
    return base_layout(
        text,
        height=height,
        xaxis=_time_axis(times),
        yaxis=yaxis,
        shapes=shapes,
        annotations=annotations,
        margin={"l": 10, "r": 20, "t": 40, "b": 20, "pad": 2},
        legend={"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
    )


def series_chart(
    *,
    points: Sequence[Point],
    targets: Sequence[TargetMark],
    events: Sequence[Event],
    as_of: float,
    text: Mapping[str, str],
    axis: ValueAxis = ValueAxis(),
) -> dict[str, Any]:
    """One series: the approved values joined by a line, each kind of value with its own marker
    (approved solid, submitted hollow, published square, demo diamond), the targets as stars, the
    straight line from the baseline to each open target, the projection to its deadline (dashed), the
    as-of line and the events (the 2025 reform)."""
    data: list[dict] = []
    approved = sorted((p for p in points if p.kind != "submitted"), key=lambda p: p.time)
    if approved:
        line = {"color": OWN, "width": 2}
        times, values = [p.time for p in approved], [p.value for p in approved]
        data.append(_trace("lines", word(text, "actual_line"), times, values, line=line, hoverinfo="skip"))
    for kind in ("approved", "published", "demo", "submitted"):
        mine = [p for p in points if p.kind == kind]
        if not mine:
            continue
        style = POINT_STYLE[kind]
        marker = {"symbol": style["symbol"], "size": style["size"], "color": style["color"]}
        if "line" in style:
            marker["line"] = {**style["line"], "color": style["color"]}
        data.append(
            _trace(
                "markers",
                word(text, f"kind_{kind}"),
                [p.time for p in mine],
                [p.value for p in mine],
                marker=marker,
                customdata=[[p.period, p.hover] for p in mine],
                hovertemplate="%{customdata[0]}: %{y}<br>%{customdata[1]}<extra></extra>",
            )
        )
    for i, target in enumerate(sorted(targets, key=lambda t: t.due)):
        colour = series_colour(i + 2)
        if target.open and target.baseline is not None:
            name = word(text, "straight_line", year=target.year)
            ends = (target.baseline, (target.due, target.value))
            data.append(_target_line(name, ends, {"color": colour, "width": 1.5, "dash": "dot"}))
        if target.open and target.projection is not None:
            t0, v0, t1, v1 = target.projection
            name = word(text, "projection", year=target.year)
            data.append(
                _target_line(name, ((t0, v0), (t1, v1)), {"color": colour, "width": 2, "dash": "dash"})
            )
    if targets:
        ordered = sorted(targets, key=lambda t: t.due)
        data.append(
            _trace(
                "markers+text",
                word(text, "targets"),
                [t.due for t in ordered],
                [t.value for t in ordered],
                text=[str(t.year) for t in ordered],
                textposition="top center",
                marker={
                    "symbol": "star",
                    "size": 15,
                    "color": TARGET_STAR,
                    "line": {"width": 1, "color": INK},
                },
                customdata=[t.label for t in ordered],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    times = [p.time for p in points] + [t.due for t in targets] + [e.time for e in events] + [as_of]
    times += [t.baseline[0] for t in targets if t.baseline]
    yaxis = axis.layout(zeroline=False)
    layout = _time_layout(text, height=430, times=times, yaxis=yaxis, events=events, as_of=as_of)
    demo = any(p.kind == "demo" for p in points)
    narrow = {"height": 520, "font.size": 11, "legend.font.size": 10, "xaxis.dtick": "M24"}
    return finish(data, layout, text=text, demo=demo, narrow=narrow)


def _target_line(
    name: str, ends: tuple[tuple[float, float], tuple[float, float]], line: dict[str, Any]
) -> dict[str, Any]:
    """A straight line towards a target, from (time, value) to (time, value): the line from the baseline
    (dotted) or the projection to the deadline (dashed)."""
    (t0, v0), (t1, v1) = ends
    return _trace("lines", name, [t0, t1], [v0, v1], line=line, hovertemplate=name + ": %{y}<extra></extra>")


def _trace(
    mode: str, name: str, times: Sequence[float], values: Sequence[float], **rest: Any
) -> dict[str, Any]:
    """A scatter trace over time: x the end dates of the decimal `times`, y the `values`."""
    return {
        "type": "scatter",
        "mode": mode,
        "name": name,
        "x": [time_to_date(t) for t in times],
        "y": list(values),
        **rest,
    }


def _time_axis(times: Sequence[float]) -> dict[str, Any]:
    """A date axis over the given decimal times, a little wider than them; an explicit range, because
    Plotly widens an automatic one for marker text (a phone screen would show fifteen empty years)."""
    known = [t for t in (finite(t) for t in times) if t is not None]
    low, high = (min(known), max(known)) if known else (2021.0, 2031.0)
    return {
        "type": "date",
        "range": [time_to_date(low - 0.25), time_to_date(high + 0.5)],
        "tickformat": "%Y",
        "dtick": "M12",
        # Each year's label sits in the middle of its year: a figure for 2022 (plotted at its end,
        # 31/12/2022) reads as 2022's, not as next year's.
        "ticklabelmode": "period",
        "gridcolor": GRID,
        "automargin": True,
    }


def _time_marks(events: Sequence[Event], as_of: float, text: Mapping[str, str]) -> tuple[list, list]:
    """Vertical lines with a label: each event, and the as-of time."""
    shapes, annotations = [], []
    marks = [(e.time, e.label, MUTED) for e in events] + [(as_of, word(text, "as_of_mark"), INK)]
    for i, (time, label, colour) in enumerate(marks):
        x = time_to_date(time)
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 1, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "text": label,
                "xref": "x",
                "yref": "paper",
                "x": x,
                "y": 1 - 0.07 * i,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 11, "color": colour},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, annotations


# --- one indicator across cities ---------------------------------------------------------------------------------

STAR_SPREAD = 0.06  # years between two cities' stars at one deadline (about three weeks)


@dataclass(frozen=True)
class CityLine:
    """One city's (and level's) approved values and its targets on the comparison chart."""

    name: str
    times: Sequence[float]
    values: Sequence[float]
    periods: Sequence[str]
    demo: Sequence[bool]
    targets: Sequence[tuple[float, float, str]] = field(default_factory=tuple)  # (due, value, label)


def comparison_chart(
    lines: Sequence[CityLine], *, as_of: float, text: Mapping[str, str], axis: ValueAxis = ValueAxis()
) -> dict[str, Any]:
    """One line per city with its targets as stars of the same colour, on one axis, so cities can be
    compared on the same concept; demo values are diamonds."""
    data: list[dict] = []
    n = len(lines)
    for i, line in enumerate(lines):
        colour = series_colour(i)
        # The cities' targets often share a deadline and a value: each city's stars sit a little to the
        # side of it (three weeks per city, centred), so that none hides another; the hover gives the date.
        shift = (i - (n - 1) / 2) * STAR_SPREAD
        data.append(
            _trace(
                "lines+markers",
                line.name,
                line.times,
                line.values,
                legendgroup=line.name,
                line={"color": colour, "width": 2, "dash": series_dash(i)},
                marker={
                    "color": colour,
                    "size": 8,
                    "symbol": ["diamond" if d else "circle" for d in line.demo],
                },
                customdata=[
                    [p, word(text, "kind_demo") if d else ""]
                    for p, d in zip(line.periods, line.demo, strict=True)
                ],
                hovertemplate=line.name + " · %{customdata[0]}: %{y} %{customdata[1]}<extra></extra>",
            )
        )
        if line.targets:
            data.append(
                _trace(
                    "markers",
                    word(text, "targets_of", name=line.name),
                    [due + shift for due, _, _ in line.targets],
                    [value for _, value, _ in line.targets],
                    legendgroup=line.name,
                    showlegend=False,
                    marker={
                        "symbol": "star",
                        "size": 14,
                        "color": colour,
                        "line": {"width": 1, "color": INK},
                    },
                    customdata=[label for _, _, label in line.targets],
                    hovertemplate=line.name + " · %{customdata}<extra></extra>",
                )
            )
    times = [t for line in lines for t in line.times] + [d for line in lines for d, _, _ in line.targets]
    events = [Event(REFORM_TIME, word(text, "reform"))]
    layout = _time_layout(
        text, height=440, times=[*times, as_of, REFORM_TIME], yaxis=axis.layout(), events=events, as_of=as_of
    )
    demo = any(any(line.demo) for line in lines)
    narrow = {"height": 500, "font.size": 11, "xaxis.dtick": "M24"}
    return finish(data, layout, text=text, demo=demo, narrow=narrow)


# --- the DTI rank history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankPoint:
    year: int
    rank: float
    among: int | None
    demo: bool = False
    source: str = ""


def rank_history(
    series: Mapping[str, Sequence[RankPoint]], *, text: Mapping[str, str], top: int | None = None
) -> dict[str, Any]:
    """Each city's DTI rank by year, the rank axis inverted (1st at the top), every point labelled with
    how many units were ranked ('3/34': 63 provinces until 2023, 34 after the 2025 mergers)."""
    data = []
    worst = max((p.rank for pts in series.values() for p in pts), default=10)
    positions = rank_label_positions(series, close=max(1.5, worst * 0.09))
    for i, (name, points) in enumerate(series.items()):
        colour = series_colour(i)
        pts = sorted(points, key=lambda p: p.year)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": name,
                "x": [p.year for p in pts],
                "y": [p.rank for p in pts],
                # Every rank with its basis: "3/34" (rank 3 of the 34 units ranked that year).
                "text": [f"{_rank(p.rank)}/{p.among}" if p.among else _rank(p.rank) for p in pts],
                # Cities close together in a year: their labels above, below and beside, not on each other.
                "textposition": [positions[(name, p.year)] for p in pts],
                "textfont": {"size": 11, "color": colour},
                "cliponaxis": False,
                "line": {"color": colour, "width": 2, "dash": series_dash(i)},
                "marker": {
                    "color": colour,
                    "size": 10,
                    "symbol": ["diamond-open" if p.demo else "circle" for p in pts],
                    "line": {"width": 2, "color": colour},
                },
                "customdata": [
                    [
                        word(text, "rank_of", rank=_rank(p.rank), among=p.among or "?"),
                        word(text, "kind_demo") if p.demo else (p.source or ""),
                    ]
                    for p in pts
                ],
                "hovertemplate": name + " · %{x}: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            }
        )
    years = sorted({p.year for pts in series.values() for p in pts})
    bottom = worst + max(2, worst * 0.12)
    top = 1 - max(0.8, bottom * 0.07)  # room above the 1st for its label
    layout = base_layout(
        text,
        height=400,
        xaxis={
            "title": {"text": word(text, "ranking_year"), "standoff": 12},
            "tickmode": "array",
            "tickvals": years,
            "ticktext": [str(y) for y in years],
            "range": [years[0] - 0.5, years[-1] + 0.5] if years else None,
            "gridcolor": GRID,
            "fixedrange": True,
            "automargin": True,  # the title below the ticks, never over them
        },
        yaxis={
            "title": {"text": word(text, "rank_axis"), "standoff": 8},
            "autorange": False,
            "range": [bottom, top],  # inverted: 1st at the top
            "tickmode": "array",
            "tickvals": rank_ticks(bottom),
            "gridcolor": GRID,
            "zeroline": False,
            "fixedrange": True,
            "automargin": True,
        },
        margin={"l": 10, "r": 20, "t": 40, "b": 70, "pad": 2},
        legend=_below_legend(),
    )
    if top:
        layout["shapes"] = [
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": 0.5,
                "y1": top + 0.5,
                "fillcolor": SERIES_COLOURS[0],  # not a status colour: the band is the goal, not a verdict
                "opacity": 0.07,
                "line": {"width": 0},
            }
        ]
    demo = any(p.demo for pts in series.values() for p in pts)
    narrow = {"font.size": 10, "xaxis.title.text": "", "height": 420}
    return finish(data, layout, text=text, demo=demo, narrow=narrow)


def rank_label_positions(
    series: Mapping[str, Sequence[RankPoint]], *, close: float
) -> dict[tuple[str, int], str]:
    """Where each point's label goes, so that the labels of cities ranked close together in one year do not
    sit on each other (issue #17): within a run of points less than `close` ranks apart, the first above,
    the last below, those between to the right and the left in turn; a point alone: above."""
    out: dict[tuple[str, int], str] = {}
    by_year: dict[int, list[tuple[float, str]]] = {}
    for name, points in series.items():
        for p in points:
            by_year.setdefault(p.year, []).append((p.rank, name))
    for year, ranked in by_year.items():
        ranked.sort()
        runs: list[list[tuple[float, str]]] = []
        for point in ranked:
            if runs and point[0] - runs[-1][-1][0] < close:
                runs[-1].append(point)
            else:
                runs.append([point])
        for run in runs:
            for k, (_, name) in enumerate(run):
                if k == 0:
                    where = "top center"
                elif k == len(run) - 1:
                    where = "bottom center"
                else:
                    where = ("middle right", "middle left")[(k - 1) % 2]
                out[(name, year)] = where
    return out


def _below_legend() -> dict[str, Any]:
    """A horizontal legend under the whole figure (below the axis title), out of the ticks' way."""
    return {"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom"}


def rank_ticks(bottom: float) -> list[int]:
    """The rank axis's ticks down to `bottom`: the 1st, then multiples of a round step giving about five
    ticks, none closer to the 1st than half a step (issue #17: 1, 3 and 5 were crushed together on an axis
    down to 48). 48 → [1, 10, 20, 30, 40]; 8 → [1, 2, 4, 6, 8]."""
    span = max(1.0, bottom - 1)
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 5), 100)
    ticks = [1] + [v for v in range(step, int(bottom) + 1, step) if v - 1 >= step / 2]
    return ticks


def _rank(value: float) -> str:
    return str(round(value)) if float(value).is_integer() else f"{value:g}"
