"""Plotly figures of statuses (stacked counts, the bullet chart, the status-by-quarter heatmap) and what every
figure shares, built from plain data — pure Python, no database, no plotly import. Figures over time (a
series, an indicator across cities, the rank history) are in `reports.timecharts`.

Each builder returns a figure as a dict (`data`, `layout`, and `narrow`: layout overrides that
`static/js/charts.js` applies on a phone-width screen), ready for `json_script`; non-finite numbers become
null so the JSON is strict. Words come in through `text` (translated by the caller; a missing key shows
the key itself), numbers are formatted by Plotly with the caller's `separators` (",." in Vietnamese).

Status is shown by colour *and* an icon and a label (the palette is Okabe–Ito's, safe for colour-blind
readers), all from the one status vocabulary (`reports.status`: its only import of this project); a figure
that shows demo values carries a visible note saying so.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from targets.periods import SAME_TIME

from .status import COLOURS as STATUS_COLOURS
from .status import ICONS as STATUS_ICONS
from .status import ORDER as STATUS_ORDER

# Series of one chart (cities, levels, a series' own line): a palette of its own that never uses a status
# colour (`reports.status.COLOURS`, a test checks), so that no city's line reads as "achieved" or "missed".
# Dark, distinct hues (Tol's indigo, olive, teal; black, brown, dark grey, plum); beyond seven the dash
# pattern (`SERIES_DASHES`) tells lines apart.
SERIES_COLOURS: tuple[str, ...] = (
    "#332288",  # indigo
    "#000000",  # black
    "#999933",  # olive
    "#44AA99",  # teal
    "#8C510A",  # brown
    "#666666",  # dark grey
    "#762A83",  # plum
)
SERIES_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot")
TARGET_STAR = "#F0E442"  # a target's star: yellow with a dark outline, no status colour either


def series_colour(i: int) -> str:
    return SERIES_COLOURS[i % len(SERIES_COLOURS)]


def series_dash(i: int) -> str:
    return SERIES_DASHES[(i // len(SERIES_COLOURS)) % len(SERIES_DASHES)]


DEMO_COLOUR = "#6d3fa0"  # the site's demo colour (static/css/portal.css --demo)
INK, MUTED, GRID = "#1d2733", "#5b6675", "#e3e7ec"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif'

# The two-tier local government: provinces merged and the district level ended on 2025-07-01.
REFORM_TIME = 2025.5


# --- plain helpers -------------------------------------------------------------------------------------------


def finite(value: Any) -> float | None:
    """A float, or None for None/NaN/infinity (JSON has no NaN)."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def clean(obj: Any) -> Any:
    """The figure as strict JSON types: non-finite floats → None, tuples → lists, numpy scalars → Python."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "item"):  # numpy scalar
        return clean(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def time_to_date(time: float) -> str:
    """A decimal time at the end of a period as the ISO date of that end: 2026.75 → '2026-09-30',
    2026.0 → '2025-12-31' (the end of 2025), 2025.5 → '2025-06-30'."""
    months = round(time * 12) - 1
    year, month0 = divmod(months, 12)
    day = calendar.monthrange(year, month0 + 1)[1]
    return f"{year:04d}-{month0 + 1:02d}-{day:02d}"


def quarter_code(time: float) -> str:
    """The quarter ending at a decimal time: 2026.75 → '2026-Q3', 2026.0 → '2025-Q4'."""
    year, q0 = divmod(round(time * 4) - 1, 4)
    return f"{year}-Q{q0 + 1}"


def last_quarters(as_of: float, n: int = 8) -> list[float]:
    """The end times of the n quarters up to `as_of`, oldest first (2026.75, 8 → 2024.75 … 2026.75)."""
    last = math.floor(as_of * 4 + SAME_TIME) / 4
    return [last - 0.25 * i for i in range(n - 1, -1, -1)]


def shorten(label: str, limit: int) -> str:
    """A label cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else label[: limit - 1]).rstrip(" ,;:-") + "…"


def tick_label(label: str, suffix: str, limit: int) -> str:
    """An axis label on two lines: the label shortened to `limit` characters, then the suffix (the year
    and level that tell rows of one indicator apart), kept whole."""
    short = shorten(label, limit)
    return f"{short}<br>{suffix}" if suffix else short


def tick_labels(labels: Sequence[str], suffixes: Sequence[str], limit: int) -> list[str]:
    """Axis labels (`tick_label`) that tell the rows apart (issue #17: seven rows read the same cut text):
    rows whose shortened labels and suffixes coincide while their full labels differ are shortened less,
    in steps, until they differ (or are whole). Rows of the same target name keep their suffixes apart."""
    limits = [limit] * len(labels)
    while True:
        ticks = [tick_label(lb, sf, lim) for lb, sf, lim in zip(labels, suffixes, limits, strict=True)]
        seen: dict[str, set[str]] = {}
        for tick, full in zip(ticks, labels, strict=True):
            seen.setdefault(tick, set()).add(full)
        clashing = [i for i, tick in enumerate(ticks) if len(seen[tick]) > 1 and limits[i] < len(labels[i])]
        if not clashing:
            return ticks
        for i in clashing:
            limits[i] += 12


def word(text: Mapping[str, str], key: str, **values: Any) -> str:
    """The chart word `key` from `text` (the key itself when missing), with `values` filled in."""
    template = text.get(key, key)
    return template % values if values else template


def base_layout(text: Mapping[str, str], *, height: int, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from: fonts, margins, the language's number separators, `extra` on top."""
    layout: dict[str, Any] = {
        "height": height,
        "autosize": True,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40, "pad": 2},
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "separators": text.get("separators", ",."),
        "hoverlabel": {"font": {"family": FONT}},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
    }
    layout.update(extra)
    return layout


def _bottom_legend() -> dict[str, Any]:
    """A horizontal legend at the bottom of the figure, below the axis title, out of the data's way."""
    return {
        "orientation": "h",
        "x": 0,
        "xref": "container",
        "y": 0,
        "yref": "container",
        "yanchor": "bottom",
        "traceorder": "normal",
    }


def _demo_note(text: Mapping[str, str], *, short: bool = False) -> dict[str, Any]:
    """The note every chart showing demo values carries, top right, in the site's demo colour."""
    return {
        "text": "◆ " + word(text, "demo_short" if short else "demo_note"),
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 1,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"color": DEMO_COLOUR, "size": 10 if short else 12},
        "bgcolor": "#f1e9fa",
        "bordercolor": DEMO_COLOUR,
        "borderwidth": 1,
        "borderpad": 2,
    }


def finish(
    data: list[dict],
    layout: dict,
    *,
    text: Mapping[str, str],
    demo: bool,
    narrow: dict | None = None,
    short_note: bool = False,
) -> dict[str, Any]:
    """The figure as strict JSON (`clean`), with the demo note when it shows demo values (`demo`)."""
    narrow = dict(narrow or {})
    if demo:
        # First, so that the phone layout can swap in the short text by index.
        layout["annotations"] = [_demo_note(text, short=short_note), *layout.get("annotations", [])]
        layout["margin"]["t"] = max(layout["margin"]["t"], 18 if short_note else 34)
        narrow.update(_narrow_note(text))
    return clean({"data": data, "layout": layout, "narrow": narrow})


def _narrow_note(text: Mapping[str, str]) -> dict[str, Any]:
    return {"annotations.0.text": "◆ " + word(text, "demo_short"), "annotations.0.font.size": 11}


def status_label(status: str, labels: Mapping[str, str]) -> str:
    """'✓ Đã đạt': icon and label, so status never rests on colour alone."""
    return f"{STATUS_ICONS.get(status, '')} {labels.get(status, status)}".strip()


# --- status counts -------------------------------------------------------------------------------------------


def status_stack(
    groups: Sequence[str],
    counts: Sequence[Mapping[str, int]],
    *,
    labels: Mapping[str, str],
    text: Mapping[str, str],
    demo: bool = False,
    compact: bool = False,
) -> dict[str, Any]:
    """Horizontal stacked bars, one per group (a pillar, a city), one segment per status with its count.

    `compact` draws a single thin bar without axes or legend, for a card whose status chips (icon, label,
    count) are the legend and the text alternative.
    """
    data = []
    totals = [sum(int(c.get(s, 0) or 0) for s in STATUS_ORDER) for c in counts]
    for status in STATUS_ORDER:
        values = [int(c.get(status, 0) or 0) for c in counts]
        if not any(values):
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": status_label(status, labels),
                "y": list(groups),
                "x": values,
                "marker": {
                    "color": STATUS_COLOURS[status],
                    "line": {"color": "#ffffff", "width": 1},
                },
                # Too narrow a segment keeps its count for the hover and the chips beside the chart.
                "text": [
                    f"{STATUS_ICONS[status]} {v}" if v and v >= MIN_TEXT_SHARE * t else ""
                    for v, t in zip(values, totals, strict=True)
                ],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,
                "hovertemplate": "%{y} · " + status_label(status, labels) + ": %{x}<extra></extra>",
            }
        )
    if compact:
        layout = base_layout(
            text,
            height=64 + (16 if demo else 0),
            barmode="stack",
            showlegend=False,
            margin={"l": 0, "r": 0, "t": 4, "b": 4, "pad": 0},
            xaxis={"visible": False, "fixedrange": True, "range": [0, max(totals, default=0) or 1]},
            yaxis={"visible": False, "fixedrange": True},
        )
        return finish(data, layout, text=text, demo=demo, short_note=True)
    legend_rows = math.ceil(len(data) / 4)
    layout = base_layout(
        text,
        height=110 + 44 * len(groups) + 24 * legend_rows,
        barmode="stack",
        # The legend below the axis title, the demo note alone at the top: nothing on top of each other.
        margin={"l": 10, "r": 10, "t": 36, "b": 60 + 24 * legend_rows, "pad": 2},
        xaxis={
            "title": {"text": word(text, "targets_count"), "standoff": 8},
            "gridcolor": GRID,
            "fixedrange": True,
            "tickformat": "d",
            "automargin": True,
        },
        yaxis={"automargin": True, "autorange": "reversed", "fixedrange": True},
        legend=_bottom_legend(),
    )
    narrow_bottom = 60 + 22 * len(data)  # one legend item a line on a phone
    narrow = {
        "margin.b": narrow_bottom,
        "height": 110 + 44 * len(groups) + 22 * len(data),
        "font.size": 11,
    }
    return finish(data, layout, text=text, demo=demo, narrow=narrow)


# --- the pillar: bullet chart and heatmap ---------------------------------------------------------------------


@dataclass(frozen=True)
class BulletRow:
    """One target on the bullet chart: how far along it is against where the straight line says it
    should be now (both shares of the distance from the baseline to the target)."""

    key: str
    label: str
    status: str
    completion: float | None
    expected: float | None
    hover: str = ""
    suffix: str = ""  # kept whole when the label is shortened: the year and level tell rows apart


MIN_TEXT_SHARE = 0.08  # a stacked segment narrower than this share of its bar shows no text

BULLET_RANGE = (-0.2, 1.25)
AXIS_TITLE_ROOM = 30  # the height the axis title takes below the ticks (automargin), added to the figure  # completion shown on the axis; the bar's text gives the real figure


def bullet(
    rows: Sequence[BulletRow],
    *,
    labels: Mapping[str, str],
    text: Mapping[str, str],
    demo: bool = False,
    label_limit: int = 50,
    narrow_limit: int = 26,
) -> dict[str, Any]:
    """Completion bars (coloured by status, icon and percentage as text) with a tick where the target
    should be today; rows in the given order, top to bottom."""
    keys = [r.key for r in rows]
    low, high = BULLET_RANGE
    data: list[dict] = []
    for status in STATUS_ORDER:
        mine = [r for r in rows if r.status == status]
        if not mine:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": status_label(status, labels),
                "y": [r.key for r in mine],
                "x": [
                    _clip(r.completion, low, high) if finite(r.completion) is not None else 0 for r in mine
                ],
                "marker": {"color": STATUS_COLOURS[status]},
                "text": [
                    f"{STATUS_ICONS[status]} {completion_label(r.completion, text)}"
                    if finite(r.completion) is not None
                    else f"{STATUS_ICONS[status]} {labels.get(status, status)}"
                    for r in mine
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [r.hover for r in mine],
                "hovertemplate": "%{customdata}<extra></extra>",
            }
        )
    expected = [r for r in rows if finite(r.expected) is not None]
    if expected:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": word(text, "expected_now"),
                "y": [r.key for r in expected],
                "x": [_clip(r.expected, low, high) for r in expected],
                "marker": {"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": INK}, "color": INK},
                "customdata": [_percent(r.expected) for r in expected],
                "hovertemplate": word(text, "expected_now") + ": %{customdata}<extra></extra>",
            }
        )
    full = tick_labels([r.label for r in rows], [r.suffix for r in rows], label_limit)
    short = tick_labels([r.label for r in rows], [r.suffix for r in rows], narrow_limit)
    yaxis = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": keys,
        "tickmode": "array",
        "tickvals": keys,
        "ticktext": full,
        "autorange": "reversed",
        "automargin": True,
        "fixedrange": True,
    }
    layout = base_layout(
        text,
        height=0,  # set below, from the rows and the legend
        barmode="overlay",
        bargap=0.35,
        xaxis={
            "range": [low, high],
            "tickmode": "array",
            # No tick beyond 100 %: a bar past it reads "vượt mục tiêu", never "125 %".
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "ticktext": ["0%", "25%", "50%", "75%", "100% " + word(text, "target_100")],
            "gridcolor": GRID,
            "zeroline": True,
            "zerolinecolor": MUTED,
            "title": {"text": word(text, "completion_axis"), "standoff": 10},
            "fixedrange": True,
            "automargin": True,  # the title below the ticks, never over them (issue #17)
        },
        yaxis=yaxis,
        # Room on the right for the text of a bar past the target ("✓ vượt mục tiêu").
        margin={"l": 10, "r": 100, "t": 34, "b": 50, "pad": 2},
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": 1,
                "x1": 1,
                "y0": 0,
                "y1": 1,
                "line": {"color": INK, "width": 1.5, "dash": "dot"},
            }
        ],
        legend=_bottom_legend(),
    )
    # Height: the rows (two-line labels), the axis title and the legend below it (one item a line on a phone).
    n = max(1, len(rows))
    legend_rows = math.ceil(len(data) / 3)
    layout["margin"]["b"] = 60 + 22 * legend_rows
    layout["height"] = 34 + 36 * n + 20 + layout["margin"]["b"] + AXIS_TITLE_ROOM
    narrow_bottom = 70 + 20 * len(data)
    narrow = {
        "yaxis.ticktext": short,
        "font.size": 10,
        "margin.r": 88,  # room for "✓ vượt mục tiêu" beside a bar past the target (issue #17: cut at 390 px)
        "margin.b": narrow_bottom,
        "height": 34 + 40 * n + 20 + narrow_bottom + AXIS_TITLE_ROOM,
        "xaxis.tickvals": [0, 0.5, 1],
        "xaxis.ticktext": ["0%", "50%", "100%"],
        "xaxis.title.text": "",
    }
    return finish(data, layout, text=text, demo=demo, narrow=narrow)


def _clip(value: float | None, low: float, high: float) -> float | None:
    f = finite(value)
    return None if f is None else min(high, max(low, f))


def completion_label(value: float | None, text: Mapping[str, str]) -> str:
    """A completion for chart text, always within 0–100 %: beyond the target "vượt mục tiêu", behind
    the baseline "lùi so với gốc" (the hover and the page's tables give the figure)."""
    f = finite(value)
    if f is not None and f > 1:
        return word(text, "beyond_target")
    if f is not None and f < 0:
        return word(text, "behind_baseline")
    return _percent(f)


def _percent(value: float | None) -> str:
    """A share as a rounded percentage for chart text ('72%'); the page's tables give the exact figure."""
    f = finite(value)
    return "—" if f is None else f"{round(f * 100):d}%"


def status_heatmap(
    *,
    row_keys: Sequence[str],
    row_labels: Sequence[str],
    row_suffixes: Sequence[str] | None = None,
    columns: Sequence[str],
    statuses: Sequence[Sequence[str | None]],
    hovers: Sequence[Sequence[str]],
    labels: Mapping[str, str],
    text: Mapping[str, str],
    demo: bool = False,
    label_limit: int = 50,
    narrow_limit: int = 24,
) -> dict[str, Any]:
    """Status by quarter: one row per series, one column per quarter, each cell coloured by status and
    marked with the status icon; an empty cell means no target applied then."""
    n = len(STATUS_ORDER)
    suffixes = list(row_suffixes or [""] * len(row_labels))
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z = [[code.get(s) if s else None for s in row] for row in statuses]
    icons = [[STATUS_ICONS.get(s, "") if s else "" for s in row] for row in statuses]
    colorscale = []
    for i, status in enumerate(STATUS_ORDER):
        colorscale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    data = [
        {
            "type": "heatmap",
            "x": list(columns),
            "y": list(row_keys),
            "z": z,
            "zmin": -0.5,
            "zmax": n - 0.5,
            "colorscale": colorscale,
            "showscale": False,
            "xgap": 2,
            "ygap": 2,
            "text": icons,
            "texttemplate": "%{text}",
            "textfont": {"size": 14},
            "customdata": [list(h) for h in hovers],
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    ]
    layout = base_layout(
        text,
        height=90 + 36 * max(1, len(row_keys)),
        xaxis={"type": "category", "side": "top", "fixedrange": True, "tickangle": 0},
        yaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": list(row_keys),
            "ticktext": tick_labels(row_labels, suffixes, label_limit),
            "autorange": "reversed",
            "automargin": True,
            "fixedrange": True,
        },
        margin={"l": 10, "r": 10, "t": 60, "b": 10, "pad": 2},
    )
    narrow = {
        "yaxis.ticktext": tick_labels(row_labels, suffixes, narrow_limit),
        "xaxis.tickangle": -60,
        "font.size": 10,
        "margin.t": 80,
        "height": 110 + 38 * max(1, len(row_keys)),
    }
    if demo:
        # The note sits below the plot here: the quarters take the top.
        note = _demo_note(text)
        note.update({"y": 0, "yanchor": "top", "yshift": -4})
        layout["annotations"] = [note]
        layout["margin"]["b"] = 34
        return clean({"data": data, "layout": layout, "narrow": {**narrow, **_narrow_note(text)}})
    return finish(data, layout, text=text, demo=False, narrow=narrow)
