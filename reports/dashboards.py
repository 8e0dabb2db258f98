"""What each dashboard page shows: the engine's frames turned into rows, cards and figures.

No query and no engine run here: the page models (`reports.pages`) fetch with `reports.selectors`, assess
with the engine and pass the frames in. Every figure on a page is read from `reports.pages.assess`, the
path `/open-data/progress.*` takes, so a page and the open data agree for the same data and as-of quarter
(the heatmap's earlier quarters come from `reports.pages.statuses_at`: the same engine on the same inputs,
at each quarter's end). Counts and shares are the engine's roll-up (`progress.rollup`), never recounted.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from targets import progress
from targets.formatting import figure_text, num, rank_with_basis
from targets.models import Origin, Status, Unit
from targets.periods import known_by

from . import charts, labels, status, timecharts
from .display import (
    AsOf,
    known_text,
    level_label,
    localized,
    share_text,
    status_chips,
    status_segments,
    target_rows,
    value_text,
    vi_sort_key,
)
from .selectors import ProgressInputs

OUTCOME_YEAR = 2025  # the deadline has passed: achieved or missed
HORIZON_YEAR = 2030  # the road ahead
HEATMAP_QUARTERS = 8


def _counts(frame: pd.DataFrame) -> dict[str, Any]:
    """The engine's roll-up of `frame` as one row: the count of each status, `total`, `share_on_track`."""
    if frame.empty:
        return {}
    return progress.rollup(frame, by=[]).iloc[0].to_dict()


def _has_demo(frame: pd.DataFrame) -> bool:
    return bool(not frame.empty and (frame["latest_origin"] == Origin.DEMO).any())


# --- /dashboard/ ---------------------------------------------------------------------------------------------


def overview_counts(assessed: pd.DataFrame) -> dict[str, Any]:
    """What the overview's matrix needs from the assessments (columns locality, pillar, status,
    latest_origin): the engine's roll-ups per locality × pillar and per locality, the cells with a demo
    figure, the localities with targets. Computed per locality and merged (`merge_overview_counts`), it is
    the same as computed over all of them at once: each roll-up groups by locality."""
    if assessed.empty:
        return {
            "with_targets": set(),
            "by_cell": {},
            "by_locality": {},
            "demo_cells": set(),
            "has_demo": False,
        }
    demo = assessed.loc[assessed["latest_origin"] == Origin.DEMO, ["locality", "pillar"]].drop_duplicates()
    return {
        "with_targets": set(assessed["locality"].unique()),
        "by_cell": progress.rollup(assessed, by=["locality", "pillar"]).to_dict(orient="index"),
        "by_locality": progress.rollup(assessed, by=["locality"]).to_dict(orient="index"),
        "demo_cells": set(zip(demo["locality"].tolist(), demo["pillar"].tolist(), strict=True)),
        "has_demo": not demo.empty,
    }


def overview_counts_of(counts: dict[str, Any], locality: str) -> dict[str, Any]:
    """The part of `overview_counts` (of several localities) that is one locality's: the same as
    `overview_counts` of that locality's rows alone (each roll-up groups by locality). Counting every
    locality at once and splitting costs two roll-ups instead of two per locality (issue #20)."""
    demo_cells = {cell for cell in counts["demo_cells"] if cell[0] == locality}
    return {
        "with_targets": counts["with_targets"] & {locality},
        "by_cell": {k: v for k, v in counts["by_cell"].items() if k[0] == locality},
        "by_locality": {k: v for k, v in counts["by_locality"].items() if k == locality},
        "demo_cells": demo_cells,
        "has_demo": bool(demo_cells),
    }


def merge_overview_counts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """`overview_counts` of disjoint sets of localities, as one."""
    return {
        "with_targets": set().union(*(p["with_targets"] for p in parts)),
        "by_cell": {k: v for p in parts for k, v in p["by_cell"].items()},
        "by_locality": {k: v for p in parts for k, v in p["by_locality"].items()},
        "demo_cells": set().union(*(p["demo_cells"] for p in parts)),
        "has_demo": any(p["has_demo"] for p in parts),
    }


def overview(
    *,
    localities: list[dict],
    pillars: list[dict],
    counts: dict[str, Any],
    ranks: list[dict],
    as_of: AsOf,
    former: list[dict] = (),
) -> dict[str, Any]:
    """The localities × pillars matrix (status counts, share achieved or on track) and the rank history:
    every rank with its basis ('hạng 17/34'), a pre-merger unit's rank labelled as its predecessor's
    history ('hạng 2/63 — Đà Nẵng cũ', issue #16)."""
    with_targets = counts["with_targets"]
    shown = sorted(
        (loc for loc in localities if loc["valid_to"] is None or loc["slug"] in with_targets),
        key=lambda loc: vi_sort_key(localized(loc, "name")),
    )
    by_cell, by_locality, demo_cells = counts["by_cell"], counts["by_locality"], counts["demo_cells"]
    has_demo = counts["has_demo"]
    matrix = []
    for loc in shown:
        cells = []
        for pillar in pillars:
            key = (loc["slug"], pillar["slug"])
            counts = by_cell.get(key, {"total": 0})
            cells.append(
                {
                    "pillar": pillar["slug"],
                    "pillar_name": localized(pillar, "name"),
                    "total": int(counts.get("total", 0)),
                    "share": charts.finite(counts.get("share_on_track")),
                    "share_text": share_text(counts.get("share_on_track")),
                    "chips": status_chips(counts),
                    "segments": status_segments(counts),
                    "demo": key in demo_cells,
                    "url": reverse("reports:pillar", args=[loc["slug"], pillar["slug"]]) + as_of.query,
                }
            )
        totals = by_locality.get(loc["slug"], {"total": 0})
        matrix.append(
            {
                "slug": loc["slug"],
                "name": localized(loc, "name"),
                "merged": loc["valid_to"] is not None,
                "cells": cells,
                "total": int(totals.get("total", 0)),
                "share_text": share_text(totals.get("share_on_track")),
                "chips": status_chips(totals),
                "url": reverse("reports:city", args=[loc["slug"]]) + as_of.query,
            }
        )
    rank_series: dict[str, list[timecharts.RankPoint]] = {}
    rank_rows = []
    for r in sorted(ranks, key=lambda r: (vi_sort_key(localized(r, "locality__name")), r["time"])):
        name = localized(r, "locality__name")
        demo = r["origin"] == Origin.DEMO
        rank_series.setdefault(name, []).append(
            timecharts.RankPoint(
                year=int(r["period__year"]),
                rank=float(r["value"]),
                among=r["ranked_among"],
                demo=demo,
                source=r["source"],
            )
        )
        rank_rows.append(
            {
                "locality_name": name,
                "year": r["period__year"],
                "rank": num(r["value"]),
                "among": r["ranked_among"],
                "rank_text": rank_with_basis(r["value"], r["ranked_among"]),
                "origin": r["origin"],
                "source": r["source"],
                "note": r["note"],
                "note_en": r["note_en"],
                "qualifier": r["qualifier"],
                "get_origin_display": Origin(r["origin"]).label,
                "known_text": known_text(r["origin"], r["known_on"], r["known_basis"]),
            }
        )
    for f in former:
        rank_rows.append(
            {
                "locality_name": localized(f, "locality__name"),
                "year": f["year"],
                "rank": num(f["value"]),
                "among": f["ranked_among"],
                "rank_text": rank_with_basis(f["value"], f["ranked_among"], localized(f, "unit_name")),
                "former": True,
                "origin": Origin.PUBLISHED,
                "source": f["source"],
                "note": f["note"],
                "note_en": f["note_en"],
                "qualifier": f["qualifier"],
                "published_on": f["published_on"],
                "get_origin_display": Origin.PUBLISHED.label,
                "known_text": "",
            }
        )
    rank_rows.sort(key=lambda r: (vi_sort_key(r["locality_name"]), r["year"], bool(r.get("former"))))
    rank_figure = timecharts.rank_history(rank_series, text=labels.chart_text()) if rank_series else None
    return {
        "matrix": matrix,
        "pillars": [{"slug": p["slug"], "name": localized(p, "name")} for p in pillars],
        "rank_figure": rank_figure,
        "rank_rows": rank_rows,
        "has_demo": has_demo or any(r["origin"] == Origin.DEMO for r in ranks),
    }


# --- /dashboard/<locality>/ ---------------------------------------------------------------------------------


def city(
    *,
    pillars: list[dict],
    assessed: pd.DataFrame,
    as_of: AsOf,
    locality: dict,
    remember: tuple | None = None,
) -> dict[str, Any]:
    """One card per pillar, the 2025 outcome and the road to 2030 (`remember`: see `target_rows`)."""
    text, names = labels.chart_text(), status.labels()
    # The targets most behind among those still ahead: the missed ones are in the 2025 outcome below.
    still_open = assessed[assessed["target_time"] > as_of.time] if not assessed.empty else assessed
    behind = progress.most_behind(still_open, n=3, by=["pillar"]) if not still_open.empty else still_open
    # Rows (texts, links) only for the targets the page lists: those most behind and those due in the two
    # years shown. A province has about 1,500 targets; formatting them all cost more than the figures.
    if not assessed.empty:
        listed = assessed["year"].isin([OUTCOME_YEAR, HORIZON_YEAR]) | assessed.index.isin(behind.index)
        rows = target_rows(assessed[listed], as_of=as_of, remember=remember, also=_city_row_html)
    else:
        rows = target_rows(assessed, as_of=as_of)
    by_id = {r["id"]: r for r in rows}
    cards = []
    # One roll-up for every pillar's card, and the pillars with a demo figure, rather than one pass each.
    by_pillar = progress.rollup(assessed, by=["pillar"]) if not assessed.empty else None
    demo_pillars = (
        set(assessed.loc[assessed["latest_origin"] == Origin.DEMO, "pillar"]) if not assessed.empty else set()
    )
    for pillar in pillars:
        if by_pillar is None or pillar["slug"] not in by_pillar.index:
            continue
        counts = by_pillar.loc[pillar["slug"]].to_dict()
        demo = pillar["slug"] in demo_pillars
        worst = (
            [by_id[int(i)] for i in behind.index[behind["pillar"] == pillar["slug"]]]
            if not behind.empty
            else []
        )
        cards.append(
            {
                "slug": pillar["slug"],
                "name": localized(pillar, "name"),
                "total": int(counts["total"]),
                "share_text": share_text(counts["share_on_track"]),
                "chips": status_chips(counts),
                "figure": charts.status_stack(
                    [localized(pillar, "name")],
                    [counts],
                    labels=names,
                    text=text,
                    demo=demo,
                    compact=True,
                ),
                "demo": demo,
                "behind": worst,
                "url": reverse("reports:pillar", args=[locality["slug"], pillar["slug"]]) + as_of.query,
            }
        )
    return {
        "cards": cards,
        "outcome": _year_block(assessed, rows, pillars, OUTCOME_YEAR, text=text, names=names),
        "road": _year_block(assessed, rows, pillars, HORIZON_YEAR, text=text, names=names),
        "outcome_due": as_of.time >= progress.target_due_time(OUTCOME_YEAR),
        "has_demo": _has_demo(assessed),
    }


def _city_row_html(row: dict[str, Any]) -> dict[str, str]:
    """A listed row's table row as the city page writes it (made once per row, kept with it:
    `target_rows(also=…)`): a province lists hundreds of targets due in 2025 and 2030."""
    if row["year"] == OUTCOME_YEAR:
        return {"list_html": render_to_string("reports/_target_list_row.html", {"row": row})}
    if row["year"] == HORIZON_YEAR and row["status"] in _WORRY:
        return {"road_html": render_to_string("reports/_road_row.html", {"row": row})}
    return {}


_WORRY = (
    progress.MISSED,
    progress.AWAITING_FINAL,
    progress.REGRESSING,
    progress.OFF_TRACK,
    progress.NEEDS_ACCELERATION,
    progress.INSUFFICIENT_DATA,
    progress.ON_TRACK,
)


def _year_block(
    assessed: pd.DataFrame,
    rows: list[dict],
    pillars: list[dict],
    year: int,
    *,
    text: dict[str, str],
    names: dict[str, str],
) -> dict[str, Any] | None:
    """The targets due by `year`, counted per pillar (a stacked bar each) and listed."""
    mine = assessed[assessed["year"] == year] if not assessed.empty else assessed
    if mine.empty:
        return None
    groups, counts = [], []
    by_pillar = progress.rollup(mine, by=["pillar"])  # one roll-up for every pillar's bar
    for pillar in pillars:
        if pillar["slug"] in by_pillar.index:
            groups.append(localized(pillar, "name"))
            counts.append(by_pillar.loc[pillar["slug"]].to_dict())
    listed = [r for r in rows if r["year"] == year]
    overall = _counts(mine)
    return {
        "year": year,
        "total": int(overall["total"]),
        "chips": status_chips(overall),
        "achieved": int(overall[progress.ACHIEVED]),
        "missed": int(overall[progress.MISSED]),
        "awaiting": int(overall[progress.AWAITING_FINAL]),
        "figure": charts.status_stack(groups, counts, labels=names, text=text, demo=_has_demo(mine)),
        "rows": listed,
        # What it would take: the targets not yet achieved, most worrying first.
        "open_rows": sorted(
            (r for r in listed if r["status"] in _WORRY),
            key=lambda r: (_WORRY.index(r["status"]), r["pillar_order"], r["indicator_name"]),
        ),
    }


# --- /dashboard/<locality>/<pillar>/ -------------------------------------------------------------------------


def pillar(
    *,
    assessed: pd.DataFrame,
    history: dict[float, pd.Series],
    demo_figures: bool,
    as_of: AsOf,
    remember: tuple | None = None,
) -> dict[str, Any]:
    """Bullet chart per target, the status-by-quarter heatmap of the last eight quarters (`history`: each
    target's status at each quarter's end, oldest first; `demo_figures`: whether a demo figure is among the
    pillar's, which may colour a cell), the table rows."""
    text, names = labels.chart_text(), status.labels()
    rows = target_rows(assessed, as_of=as_of, remember=remember, also=_bullet_hover)
    bullet = charts.bullet(
        [
            charts.BulletRow(
                key=f"t{r['id']}",
                label=r["indicator_name"],
                status=r["status"],
                completion=r["completion"],
                expected=r["expected_completion"],
                hover=r["bullet_hover"],
                suffix=" · ".join(x for x in (r["level_label"], str(r["year"])) if x),
            )
            for r in rows
        ],
        labels=names,
        text=text,
        demo=any(r["demo"] for r in rows),
    )
    heatmap, heat_rows, quarters = _heatmap(demo_figures, rows, history, text=text, names=names)
    return {
        "rows": rows,
        "bullet_figure": bullet if rows else None,
        "heatmap_figure": heatmap if rows else None,
        "heatmap_rows": heat_rows,
        "quarters": quarters,
        "chips": status_chips(_counts(assessed)),
        "has_demo": any(r["demo"] for r in rows),
    }


def _bullet_hover(r: dict[str, Any]) -> dict[str, str]:
    """The bullet chart's hover text of a row (made once per row, kept with it: `target_rows(also=…)`)."""
    return {"bullet_hover": _bullet_hover_text(r)}


def _bullet_hover_text(r: dict[str, Any]) -> str:
    return "<br>".join(
        [
            r["label"],  # the full name: the axis shows it shortened
            f"{r['status_icon']} {r['status_label']}",
            _("Mục tiêu: %(t)s · mới nhất: %(v)s (%(p)s)")
            % {"t": r["target_text"], "v": r["latest_text"], "p": r["latest_period"] or "—"},
            _("Hoàn thành: %(c)s · cần đạt đến nay: %(e)s")
            % {
                "c": r["completion_text"]
                + (
                    f" ({r['completion_title']})"
                    if r["completion_text"] != share_text(r["completion"])
                    else ""
                ),
                "e": r["expected_text"],
            },
        ]
        + ([r["after_text"]] if r["after_text"] else [])
        + ([_("Minh hoạ (demo)")] if r["demo"] else [])
    )


def _heatmap(
    demo: bool,
    rows: list[dict],
    history: dict[float, pd.Series],
    *,
    text: dict[str, str],
    names: dict[str, str],
) -> tuple[dict | None, list[dict], list[str]]:
    """Status per series (indicator × level) and quarter: at each quarter, the status of the target in
    force then (the first whose deadline had not passed; after the last deadline, the last target)."""
    times = list(history)
    quarters = [charts.quarter_code(t) for t in times]
    series: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        series.setdefault((r["indicator_code"], r["level"]), []).append(r)
    keys, row_labels, suffixes, grid, hovers, table = [], [], [], [], [], []
    target_of_year = _("Mục tiêu %(y)s: %(s)s")  # translated once: a province's pillar has hundreds of cells
    for targets in series.values():
        targets = sorted(targets, key=lambda r: r["due"])
        name, suffix = targets[0]["indicator_name"], targets[0]["level_label"]
        label = name + (f" · {suffix}" if suffix else "")
        cells, cell_hovers, cell_table = [], [], []
        for t, quarter in zip(times, quarters, strict=True):
            in_force = next((r for r in targets if known_by(t, r["due"])), targets[-1])
            cell_status = history[t].get(in_force["id"])
            cells.append(cell_status)
            cell_hovers.append(
                f"{quarter} · {label}<br>"
                + target_of_year % {"y": in_force["year"], "s": charts.status_label(cell_status, names)}
            )
            cell_table.append(
                {
                    "status": cell_status,
                    "icon": status.ICONS.get(cell_status, ""),
                    "label": names.get(cell_status, ""),
                    "year": in_force["year"],
                }
            )
        keys.append(f"s{len(keys)}")
        row_labels.append(name)
        suffixes.append(suffix)
        grid.append(cells)
        hovers.append(cell_hovers)
        row = {"label": label, "cells": cell_table, "series_url": targets[0]["series_url"]}
        table.append({**row, "html": _heat_row_html(row)})
    if not keys:
        return None, [], quarters
    figure = charts.status_heatmap(
        row_keys=keys,
        row_labels=row_labels,
        row_suffixes=suffixes,
        columns=quarters,
        statuses=grid,
        hovers=hovers,
        labels=names,
        text=text,
        demo=demo,
    )
    return figure, table, quarters


def _heat_row_html(row: dict[str, Any]) -> str:
    """A row of the heatmap's table as HTML, written here rather than by the template: a province's pillar has
    hundreds of cells, which a template renders ten times slower (issue #20). Every value escaped as the
    template escapes it (`html.escape` of its text, as Django's `escape`)."""

    def escape(value: Any) -> str:
        return html.escape(str(value))

    cells = "".join(
        f'<td class="status-{escape(c["status"])}" title="{escape(c["year"])}"><span class="icon" '
        f'aria-hidden="true">{escape(c["icon"])}</span> {escape(c["label"])} <small>({escape(c["year"])})'
        "</small></td>"
        for c in row["cells"]
    )
    return mark_safe(
        f'<tr><th scope="row"><a href="{escape(row["series_url"])}">{escape(row["label"])}</a></th>\n'
        f"        {cells}</tr>"
    )


# --- /indicators/<code>/ -----------------------------------------------------------------------------------------


def indicator(
    *, indicator: dict, localities: list[dict], inputs: ProgressInputs, assessed: pd.DataFrame, as_of: AsOf
) -> dict[str, Any]:
    """One line per city (and level) with its targets, on the same axis."""
    text = labels.chart_text()
    rows = target_rows(assessed, as_of=as_of)
    by_id = {loc["id"]: loc for loc in localities}
    obs = inputs.known_at(as_of.time).sort_values(["locality_id", "level", "obs_time"])
    lines = []
    keys = sorted(
        {(int(i), lv) for i, lv in zip(obs["locality_id"], obs["level"], strict=True)}
        | {
            (int(i), lv)
            for i, lv in zip(
                inputs.targets.get("locality_id", []), inputs.targets.get("level", []), strict=True
            )
        },
        key=lambda k: (vi_sort_key(localized(by_id[k[0]], "name")) if k[0] in by_id else "", k[1]),
    )
    # Grouped once: a national indicator page has a line per province and level.
    parts = {(int(k[0]), k[1]): part for k, part in obs.groupby(["locality_id", "level"], sort=False)}
    empty = obs.iloc[0:0]
    targets_of: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        targets_of.setdefault((r["locality"], r["level"]), []).append(r)
    for locality_id, level in keys:
        if locality_id not in by_id:
            continue
        loc = by_id[locality_id]
        part = parts.get((locality_id, level), empty)
        name = localized(loc, "name") + (f" · {level_label(level)}" if level else "")
        mine = targets_of.get((loc["slug"], level), [])
        lines.append(
            timecharts.CityLine(
                name=name,
                times=part["obs_time"].tolist(),
                values=part["obs_value"].tolist(),
                periods=part["obs_period"].tolist(),
                demo=(part["origin"] == Origin.DEMO).tolist(),
                targets=[
                    (
                        r["due"],
                        r["target_plot"],
                        _("Mục tiêu %(y)s: %(t)s · %(s)s")
                        % {"y": r["year"], "t": r["target_text"], "s": r["status_label"]},
                    )
                    for r in mine
                    if r["target_plot"] is not None
                ],
            )
        )
    unit = indicator["unit"]
    figure = (
        timecharts.comparison_chart(
            lines,
            as_of=as_of.time,
            text=text,
            axis=_value_axis(unit),
        )
        if lines
        else None
    )
    return {
        "rows": sorted(rows, key=lambda r: (vi_sort_key(r["locality_name"]), r["level"], r["year"])),
        "figure": figure,
        "has_demo": bool((obs["origin"] == Origin.DEMO).any()),
    }


def _value_axis(unit: str) -> timecharts.ValueAxis:
    """The value axis of a chart of `unit`: its name, a rank's inverted, a percentage's ticks with "%"."""
    return timecharts.ValueAxis(
        title=str(Unit(unit).label) if unit in Unit.values else unit,
        rank=unit == Unit.RANK,
        percent=unit in (Unit.PERCENT, Unit.GROWTH_RATE),
    )


# --- /indicators/<code>/<locality>/ -------------------------------------------------------------------------------


def series(
    *,
    indicator: dict,
    inputs: ProgressInputs,
    assessed: pd.DataFrame,
    actuals: list[dict],
    as_of: AsOf,
    former: list[dict] = (),
) -> dict[str, Any]:
    """One chart per level of the series, both progress measures per target, and the values table."""
    text = labels.chart_text()
    rows = target_rows(assessed, as_of=as_of)
    unit = indicator["unit"]
    obs = inputs.known_at(as_of.time)
    levels = sorted({r["level"] for r in rows} | {a["level"] for a in actuals})
    sections = []
    for level in levels:
        mine = [r for r in rows if r["level"] == level]
        values = [a for a in actuals if a["level"] == level]
        earliest = _earliest(obs[obs["level"] == level])
        marks = []
        for r in mine:
            if r["target_plot"] is None:
                continue
            baseline = (
                (r["baseline_time"], r["baseline_value"])
                if r["baseline_time"] is not None and r["baseline_value"] is not None
                else earliest
            )
            projection = None
            if None not in (r["projected"], r["slope"], r["latest_time"]) and r["due"] > r["latest_time"]:
                # Both ends inside the indicator's domain, as the forecast itself (method v2, rule 3).
                v0 = _clip(
                    r["projected"] - r["slope"] * (r["due"] - r["latest_time"]), r["lower"], r["upper"]
                )
                projection = (r["latest_time"], v0, r["due"], r["projected"])
            marks.append(
                timecharts.TargetMark(
                    year=r["year"],
                    due=r["due"],
                    value=r["target_plot"],
                    label=_("Mục tiêu %(y)s: %(t)s · %(s)s")
                    % {"y": r["year"], "t": r["target_text"], "s": r["status_label"]},
                    baseline=baseline,
                    projection=projection,
                    open=r["due"] > as_of.time and r["status"] != progress.NOT_APPLICABLE,
                )
            )
        points = [
            timecharts.Point(
                time=a["time"],
                value=a["value"],
                period=a["period__code"],
                kind=_kind(a),
                hover=_point_hover(a),
            )
            for a in values
        ]
        figure = (
            timecharts.series_chart(
                points=points,
                targets=marks,
                events=[timecharts.Event(charts.REFORM_TIME, text["reform"])],
                as_of=as_of.time,
                text=text,
                axis=_value_axis(unit),
            )
            if points or marks
            else None
        )
        sections.append(
            {
                "key": level or "all",
                "level": level,
                "level_label": level_label(level) if level else "",
                "rows": mine,
                "figure": figure,
                "values": [_value_row(a, unit) for a in reversed(values)],
                "has_demo": any(a["origin"] == Origin.DEMO for a in values),
            }
        )
    return {
        "sections": sections,
        "has_demo": any(s["has_demo"] for s in sections),
        # A pre-merger unit's figures: the predecessor's history, not part of the series (issue #16).
        "former_values": [
            {
                "year": f["year"],
                "value_text": figure_text(
                    f["value"],
                    unit,
                    among=f["ranked_among"],
                    qualifier=f["qualifier"],
                    former_unit=localized(f, "unit_name"),
                ),
                "origin": Origin.PUBLISHED,
                "source": f["source"],
                "note": f["note"],
                "note_en": f["note_en"],
                "qualifier": f["qualifier"],
                "published_on": f["published_on"],
            }
            for f in former
        ],
    }


def _clip(value: float, lower: float | None, upper: float | None) -> float:
    if lower is not None and value < lower:
        return lower
    if upper is not None and value > upper:
        return upper
    return value


def _earliest(obs: pd.DataFrame) -> tuple[float, float] | None:
    """The engine's baseline when the document gives none: the earliest observation (ties averaged)."""
    if obs.empty:
        return None
    first = obs["obs_time"].min()
    return float(first), float(obs.loc[obs["obs_time"] == first, "obs_value"].mean())


def _kind(actual: dict) -> str:
    if actual["status"] == Status.SUBMITTED:
        return "submitted"
    if actual["origin"] == Origin.PUBLISHED:
        return "published"
    if actual["origin"] == Origin.DEMO:
        return "demo"
    return "approved"


def _point_hover(actual: dict) -> str:
    parts = [str(Status(actual["status"]).label), str(Origin(actual["origin"]).label)]
    if actual["ranked_among"]:
        parts.append(_("trong %(n)s đơn vị") % {"n": actual["ranked_among"]})
    if actual["origin"] == Origin.PUBLISHED and actual["source"]:
        parts.append(charts.shorten(actual["source"], 60))
    return " · ".join(parts)


def _value_row(actual: dict, unit: str) -> dict[str, Any]:
    return {
        "period": actual["period__code"],
        "value_text": rank_with_basis(actual["value"], actual["ranked_among"])
        if unit == Unit.RANK
        else figure_text(actual["value"], unit, qualifier=actual.get("qualifier", "")),
        "qualifier": actual.get("qualifier", ""),
        "note_en": actual.get("note_en", "") if actual["origin"] == Origin.PUBLISHED else "",
        "status": actual["status"],
        "status_label": str(Status(actual["status"]).label),
        "origin": actual["origin"],
        "get_origin_display": str(Origin(actual["origin"]).label),
        "source": actual["source"],
        "note": actual["note"] if actual["origin"] == Origin.PUBLISHED else "",
        "known_text": known_text(actual["origin"], actual["known_on"], actual["known_basis"]),
        "framework": actual.get("framework", ""),  # a DTI score or rank: its year's framework (issue #21)
    }


def reporting_coverage(*, localities: list[dict], pillars: list[dict], rows: list[dict]) -> list[dict]:
    """Per locality, per pillar: targets with current data out of all, and the share (for the status page)."""
    by_key = {(r["locality"], r["pillar"]): r for r in rows}
    out = []
    for loc in localities:
        cells = []
        for p in pillars:
            r = by_key.get((loc["slug"], p["slug"]), {"total": 0, "current": 0})
            cells.append(
                {
                    "pillar": localized(p, "name"),
                    "total": r["total"],
                    "current": r["current"],
                    "share_text": share_text(r["current"] / r["total"]) if r["total"] else "",
                }
            )
        total = sum(c["total"] for c in cells)
        current = sum(c["current"] for c in cells)
        out.append(
            {
                "slug": loc["slug"],
                "name": localized(loc, "name"),
                "cells": cells,
                "total": total,
                "current": current,
                "share_text": share_text(current / total) if total else "",
            }
        )
    return [r for r in out if r["total"]]


def reporting_departments(*, localities: list[dict], departments: list[dict]) -> list[dict]:
    """Per locality, its departments with assigned indicators and when each last reported (newest first)."""
    names = {loc["id"]: localized(loc, "name") for loc in localities}
    out = []
    for loc in localities:
        mine = [d for d in departments if d["locality_id"] == loc["id"] and (d["assigned"] or d["figures"])]
        if not mine:
            continue
        mine.sort(key=lambda d: (d["last"] is None, -(d["last"].timestamp() if d["last"] else 0), d["name"]))
        out.append(
            {
                "name": names[loc["id"]],
                "departments": [{**d, "label": localized(d, "name") or d["name"]} for d in mine],
            }
        )
    return out


# --- /dashboard/<locality>/brief/ ------------------------------------------------------------------------------

BRIEF_BEHIND = 5  # the targets most behind on the brief
BRIEF_CHANGES = 6  # status changes listed (the count of all of them is given)

# How good a status is, to say whether a change is for the better (lower is better); the statuses without a
# verdict (insufficient data, no longer applies) have no direction.
_GOODNESS = {
    progress.ACHIEVED: 0,
    progress.ON_TRACK: 1,
    progress.NEEDS_ACCELERATION: 2,
    progress.AWAITING_FINAL: 3,
    progress.OFF_TRACK: 4,
    progress.REGRESSING: 5,
    progress.MISSED: 6,
}


def city_brief(
    *,
    pillars: list[dict],
    assessed: pd.DataFrame,
    before: pd.DataFrame,
    previous_code: str,
    ranks: list[dict],
    departments: dict[tuple[int, str], list[dict]],
    as_of: AsOf,
    locality: dict,
) -> dict[str, Any]:
    """The leader's one-page brief: where each pillar stands (now and a quarter before), the targets whose
    status changed since, the five most behind with the department reporting each, the DTI rank with its
    basis."""
    names = status.labels()
    rows = target_rows(assessed, as_of=as_of)
    by_id = {r["id"]: r for r in rows}
    pillar_rows = []
    for pillar in pillars:
        mine = assessed[assessed["pillar"] == pillar["slug"]] if not assessed.empty else assessed
        if mine.empty:
            continue
        then = before[before["pillar"] == pillar["slug"]] if not before.empty else before
        now_counts, then_counts = _counts(mine), _counts(then)
        share_now, share_then = charts.finite(now_counts.get("share_on_track")), None
        if then_counts:
            share_then = charts.finite(then_counts.get("share_on_track"))
        both = share_now is not None and share_then is not None
        # The difference of the two shares as shown (each rounded to a whole percent), so the three agree.
        change = round(share_now * 100) - round(share_then * 100) if both else None
        pillar_rows.append(
            {
                "name": localized(pillar, "name"),
                "total": len(mine),
                "share_text": share_text(share_now),
                "before_text": share_text(share_then),
                "change": change,
                "change_text": "—"
                if change is None
                else (f"+{change}" if change > 0 else f"{change}").replace("-", "−"),
                "segments": status_segments(now_counts),
                "chips": [c for c in status_chips(now_counts) if c["count"]],
                "url": reverse("reports:pillar", args=[locality["slug"], pillar["slug"]]) + as_of.query,
            }
        )
    changes = []
    if not assessed.empty and not before.empty:
        then_status = before["status"]
        for target_id, now_status in assessed["status"].items():
            old = then_status.get(target_id)
            if old is None or old == now_status or int(target_id) not in by_id:
                continue
            row = by_id[int(target_id)]
            was, now = _GOODNESS.get(old), _GOODNESS.get(now_status)
            # Better or worse only between two verdicts; a first verdict (or none any more) is news.
            direction = "news" if was is None or now is None else ("up" if now < was else "down")
            changes.append(
                {
                    "row": row,
                    "from_label": f"{status.ICONS[old]} {names.get(old, old)}",
                    "to_label": f"{status.ICONS[now_status]} {names.get(now_status, now_status)}",
                    "direction": direction,
                    "order": (("down", "news", "up").index(direction), -(now or 0), row["indicator_name"]),
                }
            )
        changes.sort(key=lambda c: c["order"])  # the worsened first, then the news, the worst verdict first
    still_open = assessed[assessed["target_time"] > as_of.time] if not assessed.empty else assessed
    behind_frame = progress.most_behind(still_open, n=BRIEF_BEHIND) if not still_open.empty else still_open
    behind = []
    for target_id in behind_frame.index:
        row = by_id[int(target_id)]
        series = assessed.loc[target_id]
        depts = departments.get((int(series["indicator_id"]), series["level"] or ""), [])
        behind.append({"row": row, "department": ", ".join(localized(d, "name") for d in depts)})
    dti = [r for r in ranks if r["period__quarter"] is None] or ranks
    rank = _brief_rank(dti)
    overall = _counts(assessed)
    return {
        "pillars": pillar_rows,
        "changes": changes[:BRIEF_CHANGES],
        "changes_total": len(changes),
        "changes_better": sum(c["direction"] == "up" for c in changes),
        "changes_worse": sum(c["direction"] == "down" for c in changes),
        "previous_code": previous_code,
        "behind": behind,
        "rank": rank,
        "chips": [c for c in status_chips(overall) if c["count"]] if overall else [],
        "total": len(assessed),
        # The share is of the targets that can be judged (with data, still applying, final figure in): the
        # page names that number, not every target (found in review).
        "assessable": int(overall.get("assessable", 0)) if overall else 0,
        "share_text": share_text(overall.get("share_on_track")) if overall else "—",
        "has_demo": _has_demo(assessed) or any(r["origin"] == Origin.DEMO for r in ranks),
    }


def _brief_rank(ranks: list[dict]) -> dict[str, Any] | None:
    """The newest DTI rank known with its basis ("hạng 3/34 (2024)") and the one before it."""
    if not ranks:
        return None
    ordered = sorted(ranks, key=lambda r: r["time"])

    def text(r: dict) -> str:
        return f"{value_text(r['value'], Unit.RANK, among=r['ranked_among'])} ({r['period__code']})"

    newest = ordered[-1]
    previous = ordered[-2] if len(ordered) > 1 else None
    # Places gained, only between two rankings of the same units (63 provinces until 2024, 34 after).
    same_basis = previous is not None and previous["ranked_among"] == newest["ranked_among"]
    moved = round(float(previous["value"]) - float(newest["value"])) if same_basis else None
    return {
        "text": text(newest),
        "previous_text": text(previous) if previous else "",
        "moved": moved,
        "moved_by": None if moved is None else abs(moved),  # how many places, for the plural form
        "demo": newest["origin"] == Origin.DEMO,
        "source": newest["source"] if newest["origin"] == Origin.PUBLISHED else "",
    }
