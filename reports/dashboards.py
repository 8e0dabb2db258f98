"""What each dashboard shows: the selectors' frames (engine results) turned into rows, cards and figures.

No query here: views fetch with `reports.selectors` (a fixed number of queries) and pass the frames in.
Every figure on a page is read from `ProgressInputs.at(as_of)`, the path `/open-data/progress.*` takes,
so a page and the open data agree for the same data and as-of quarter (the heatmap's earlier quarters
come from `ProgressInputs.statuses`: the same engine on the same inputs, at each quarter's end).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from targets import known, progress
from targets.models import Level, Origin, Status, Unit
from targets.periods import quarter_of
from targets.templatetags.dti import num, target_text, with_unit

from . import charts, labels
from .selectors import ProgressInputs

OUTCOME_YEAR = 2025  # the deadline has passed: achieved or missed
HORIZON_YEAR = 2030  # the road ahead
HEATMAP_QUARTERS = 8
FIRST_QUARTER_YEAR = 2021  # the as-of picker starts with the first quarter of demo and reported data


@dataclass(frozen=True)
class AsOf:
    """The `?as_of=` of a page: the period code, its decimal time, and whether the user chose it."""

    code: str
    time: float
    explicit: bool = False
    provisional: bool = False  # the current quarter (or year), still being entered: "tạm tính"

    @property
    def label(self) -> str:
        """The code as pages show it: '2026-Q4 (tạm tính)' for the current quarter, still being entered."""
        return _("%(code)s (tạm tính)") % {"code": self.code} if self.provisional else self.code

    @property
    def query(self) -> str:
        """The query string that keeps the chosen as-of on links between dashboards."""
        return f"?as_of={self.code}" if self.explicit else ""


def as_of_choices(as_of: AsOf, today: Any) -> list[tuple[str, str]]:
    """(code, label) for the as-of picker, newest first: the current quarter, labelled provisional ("tạm
    tính", still being entered), then the last closed quarter back to 2021-Q1, plus the current choice
    when it is not among them (a year). Nothing after the current quarter: the future is not shown."""
    year, quarter = quarter_of(today)
    current = f"{year}-Q{quarter}"
    codes = []
    while (year, quarter) >= (FIRST_QUARTER_YEAR, 1):
        codes.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    if as_of.code not in codes:
        codes.insert(0, as_of.code)
    return [(code, _("%(code)s (tạm tính)") % {"code": code} if code == current else code) for code in codes]


# --- small formatting helpers ----------------------------------------------------------------------------------


def localized(row: Mapping[str, Any], key: str) -> str:
    """`name` or, in English, `name_en` when there is one (also `locality_name` / `locality_name_en`)."""
    if (get_language() or "vi").startswith("en") and row.get(f"{key}_en"):
        return str(row[f"{key}_en"])
    return str(row.get(key) or "")


def vi_sort_key(name: str) -> str:
    """Vietnamese alphabetical order (Đà Nẵng before Hà Nội, Đ after D): tones and marks set aside."""
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return plain.lower().replace("đ", "d~")


def _f(value: Any) -> float | None:
    return charts.finite(value)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def value_text(value: Any, unit: str) -> str:
    """A figure in its unit ('53,2%', 'hạng 3', 'đã hoàn thành'), rounded to two decimals."""
    f = _f(value)
    if f is None:
        return "—"
    if unit == Unit.RANK:
        f = round(f, 1)
    return with_unit(_round(f), unit)


def delta_text(value: Any, unit: str, *, signed: bool = False) -> str:
    """A difference in the unit's terms: percentage points, rank places ('2 bậc'), counts."""
    f = _f(value)
    if f is None or unit == Unit.MILESTONE:
        return "—"
    rounded = _round(f)
    sign = ("+" if rounded > 0 else "−" if rounded < 0 else "") if signed else ""
    text = sign + num(abs(rounded) if signed else rounded)
    if unit in (Unit.PERCENT, Unit.GROWTH_RATE):
        return _("%(x)s điểm %%") % {"x": text}
    if unit == Unit.RANK:
        return _("%(x)s bậc") % {"x": text}
    if unit == Unit.PER_1000:
        return _("%(x)s/1.000 dân") % {"x": text}
    return text


def share_text(value: Any) -> str:
    """A share as a percentage: 0.613 → '61%'."""
    f = _f(value)
    return "—" if f is None else f"{num(round(f * 100))}%"


def completion_text(value: Any) -> str:
    """A completion (share of the way from the baseline to the target) as a percentage within 0–100 %:
    beyond the target reads "vượt mục tiêu", behind the baseline "lùi so với gốc" (the figure itself is in
    `completion_title`)."""
    f = _f(value)
    if f is None:
        return "—"
    if f > 1:
        return _("vượt mục tiêu")
    if f < 0:
        return _("lùi so với gốc")
    return share_text(f)


def completion_title(value: Any) -> str:
    """The completion as a multiple of the way ('1,8 lần quãng đường từ gốc đến mục tiêu'), for a tooltip."""
    f = _f(value)
    if f is None:
        return ""
    return _("%(x)s lần quãng đường từ giá trị gốc đến mục tiêu") % {"x": num(round(f, 2))}


def gap_text(gap: Any, unit: str) -> str:
    f = _f(gap)
    if f is None:
        return "—"
    if f <= 0:
        return (
            _("đã đạt") if f == 0 or unit == Unit.MILESTONE else _("vượt %(x)s") % {"x": delta_text(-f, unit)}
        )
    return delta_text(f, unit)


def pace_text(value: Any, unit: str) -> str:
    f = _f(value)
    if f is None or unit == Unit.MILESTONE:
        return "—"
    return _("%(x)s/năm") % {"x": delta_text(f, unit, signed=True)}


def status_chips(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """Non-zero status counts as chips (icon, label, count, colour class): the text beside each chart."""
    names = labels.status_labels()
    return [
        {
            "status": s,
            "icon": charts.STATUS_ICONS[s],
            "label": names[s],
            "count": int(counts.get(s, 0) or 0),
        }
        for s in charts.STATUS_ORDER
        if int(counts.get(s, 0) or 0)
    ]


def status_segments(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The same counts as widths (%) of a CSS stacked bar."""
    total = sum(int(counts.get(s, 0) or 0) for s in charts.STATUS_ORDER)
    return [
        {**chip, "width": round(100 * chip["count"] / total, 2)} for chip in status_chips(counts) if total
    ]


def _target_ns(row: Mapping[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(
        unit=row["unit"], comparator=row["comparator"], value=row["value"], value_max=row["value_max"]
    )


def plotted_target(row: Mapping[str, Any]) -> float | None:
    """The value a target is drawn at: a range's near bound, as the engine measures against it."""
    if row["comparator"] == "range" and _f(row.get("value_max")) is not None:
        return _f(row["value"]) if row["higher_is_better"] else _f(row["value_max"])
    return _f(row["value"])


def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def period_label(code: str | None) -> str:
    """'2024' for an annual figure, '2026-Q3' for a quarter, '—' for none."""
    return code or "—"


def known_text(origin: str | None, known_on: str | None, basis: str | None) -> str:
    """When a figure became known, for a page: 'công bố 21/10/2025', 'duyệt 05/10/2026', or that the
    publication date is unknown (the figure then counts from the end of its period)."""
    if not known_on:
        return ""
    day = ".".join(reversed(known_on.split("-"))).replace(".", "/")
    if basis == known.BASIS_PUBLISHED:
        return _("công bố %(d)s") % {"d": day}
    if basis == known.BASIS_APPROVAL:
        return _("duyệt %(d)s") % {"d": day}
    if origin == Origin.PUBLISHED:
        return _("chưa rõ ngày công bố (tính từ hết kỳ, %(d)s)") % {"d": day}
    return _("tính từ hết kỳ (%(d)s)") % {"d": day}


def target_rows(assessed: pd.DataFrame, *, as_of: AsOf) -> list[dict[str, Any]]:
    """One display row per target of a labelled assessment (`ProgressInputs.at`), in catalogue order.

    Past its deadline a target shows its deadline figure (`latest_*`) and, as information, the newest
    figure after the deadline (`after_*`): "Không đạt — hạng 14 (2022); sau hạn: hạng 3 (2024)"."""
    if assessed.empty:
        return []
    status_names, sdg_names = labels.status_labels(), labels.opensdg_labels()
    order = {s: i for i, s in enumerate(charts.STATUS_ORDER)}
    frame = assessed.sort_values(["pillar_order", "indicator_order", "indicator_code", "level", "year"])
    rows = []
    for target_id, r in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        unit = r["unit"]
        level = r["level"] or ""
        latest_period = _text(r["latest_period"])
        origin = _text(r["latest_origin"])
        indicator_name = localized(r, "indicator_name")
        status_label = status_names.get(r["status"], r["status"])
        provisional = _text(r["provisional_status"])
        if provisional:
            status_label = _("%(s)s (tạm tính: %(p)s)") % {
                "s": status_label,
                "p": status_names.get(provisional, provisional).lower(),
            }
        latest_text = value_text(r["latest"], unit)
        after = _f(r["latest_after_deadline"])
        after_period = _text(r["after_period"])
        after_text = (
            _("sau hạn: %(v)s (%(p)s)") % {"v": value_text(after, unit), "p": period_label(after_period)}
            if after is not None
            else ""
        )
        verdict = status_label
        if _f(r["latest"]) is not None and r["target_time"] <= as_of.time:
            verdict += f" — {latest_text} ({period_label(latest_period)})"
        if after_text:
            verdict += f"; {after_text}"
        rows.append(
            {
                "id": int(target_id),
                "locality": r["locality"],
                "locality_name": localized(r, "locality_name"),
                "pillar": r["pillar"],
                "pillar_order": int(r["pillar_order"]),
                "indicator_code": r["indicator_code"],
                "indicator_name": indicator_name,
                "label": indicator_name + (f" · {level_label(level)}" if level else "") + f" · {r['year']}",
                "year": int(r["year"]),
                "level": level,
                "level_label": level_label(level) if level else "",
                "unit": unit,
                "higher_is_better": bool(r["higher_is_better"]),
                "comparator": r["comparator"],
                "value": r["value"],
                "value_max": r["value_max"],
                "target_text": target_text(_target_ns(r)),
                "target_plot": plotted_target(r),
                "due": float(r["target_time"]),
                "baseline_time": _f(r["baseline_time"]),
                "baseline_value": _f(r["baseline_value"]),
                "status": r["status"],
                "status_label": status_label,
                "provisional_status": provisional,
                "verdict_text": verdict,
                "status_icon": charts.STATUS_ICONS.get(r["status"], ""),
                "status_rank": order.get(r["status"], 99),
                "latest": _f(r["latest"]),
                "latest_time": _f(r["latest_time"]),
                "latest_text": latest_text,
                "latest_period": latest_period,
                "latest_origin": origin,
                "latest_known_on": _text(r["latest_known_on"]),
                "latest_known_text": known_text(
                    origin, _text(r["latest_known_on"]), _text(r["latest_known_basis"])
                ),
                "publication_date_unknown": origin == Origin.PUBLISHED
                and _text(r["latest_known_basis"]) == known.BASIS_PERIOD_END,
                "after": after,
                "after_time": _f(r["latest_after_deadline_time"]),
                "after_period": after_period,
                "after_text": after_text,
                "after_demo": _text(r["after_origin"]) == Origin.DEMO,
                "demo": origin == Origin.DEMO,
                "gap": _f(r["gap"]),
                "gap_text": gap_text(r["gap"], unit),
                "completion": _f(r["completion"]),
                "completion_text": completion_text(r["completion"]),
                "completion_title": completion_title(r["completion"]),
                "expected_completion": _f(r["expected_completion"]),
                "expected_text": share_text(r["expected_completion"]),
                "projected": _f(r["projected"]),
                "projected_text": value_text(r["projected"], unit),
                "projected_completion": _f(r["projected_completion"]),
                "projected_completion_text": completion_text(r["projected_completion"]),
                "projected_completion_title": completion_title(r["projected_completion"]),
                "pace": _f(r["required_pace_per_year"]),
                "pace_text": pace_text(r["required_pace_per_year"], unit),
                "slope": _f(r["slope"]),
                "lower": _f(r["lower"]),
                "upper": _f(r["upper"]),
                "slope_text": pace_text(r["slope"], unit),
                "opensdg_status": r["opensdg_status"],
                "opensdg_label": sdg_names.get(r["opensdg_status"], r["opensdg_status"]),
                "opensdg_icon": charts.OPENSDG_ICONS.get(r["opensdg_status"], ""),
                "opensdg_value": _f(r["opensdg_value"]),
                "opensdg_value_text": num(_round(_f(r["opensdg_value"]))),
                "series_url": reverse("reports:series", args=[r["indicator_code"], r["locality"]])
                + as_of.query,
                "target_url": reverse("targets:target_detail", args=[int(target_id)]),
            }
        )
    return rows


def _counts(frame: pd.DataFrame) -> dict[str, Any]:
    """The engine's roll-up of `frame` as one row: the count of each status, `total`, `share_on_track`."""
    if frame.empty:
        return {}
    return progress.rollup(frame, by=[]).iloc[0].to_dict()


def _has_demo(frame: pd.DataFrame) -> bool:
    return bool(not frame.empty and (frame["latest_origin"] == Origin.DEMO).any())


# --- /dashboard/ ---------------------------------------------------------------------------------------------


def overview(
    *,
    localities: list[dict],
    pillars: list[dict],
    assessed: pd.DataFrame,
    ranks: list[dict],
    as_of: AsOf,
) -> dict[str, Any]:
    """The localities × pillars matrix (status counts, share achieved or on track) and the rank history."""
    with_targets = set(assessed["locality"]) if not assessed.empty else set()
    shown = sorted(
        (loc for loc in localities if loc["valid_to"] is None or loc["slug"] in with_targets),
        key=lambda loc: vi_sort_key(localized(loc, "name")),
    )
    by_cell: dict[tuple, dict] = {}
    by_locality: dict[str, dict] = {}
    demo_cells: set[tuple] = set()
    if not assessed.empty:
        by_cell = progress.rollup(assessed, by=["locality", "pillar"]).to_dict(orient="index")
        by_locality = progress.rollup(assessed, by=["locality"]).to_dict(orient="index")
        demo = assessed.loc[assessed["latest_origin"] == Origin.DEMO, ["locality", "pillar"]]
        demo_cells = set(zip(demo["locality"], demo["pillar"], strict=True))
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
                    "share": _f(counts.get("share_on_track")),
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
    rank_series: dict[str, list[charts.RankPoint]] = {}
    rank_rows = []
    for r in sorted(ranks, key=lambda r: (vi_sort_key(localized(r, "locality__name")), r["time"])):
        name = localized(r, "locality__name")
        demo = r["origin"] == Origin.DEMO
        rank_series.setdefault(name, []).append(
            charts.RankPoint(
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
                "origin": r["origin"],
                "source": r["source"],
                "note": r["note"],
                "get_origin_display": Origin(r["origin"]).label,
                "known_text": known_text(r["origin"], r["known_on"], r["known_basis"]),
            }
        )
    rank_figure = charts.rank_history(rank_series, text=labels.chart_text()) if rank_series else None
    return {
        "matrix": matrix,
        "pillars": [{"slug": p["slug"], "name": localized(p, "name")} for p in pillars],
        "rank_figure": rank_figure,
        "rank_rows": rank_rows,
        "has_demo": _has_demo(assessed) or any(r["origin"] == Origin.DEMO for r in ranks),
    }


# --- /dashboard/<locality>/ ---------------------------------------------------------------------------------


def city(*, pillars: list[dict], assessed: pd.DataFrame, as_of: AsOf, locality: dict) -> dict[str, Any]:
    """One card per pillar, the 2025 outcome and the road to 2030."""
    text, names = labels.chart_text(), labels.status_labels()
    rows = target_rows(assessed, as_of=as_of)
    by_id = {r["id"]: r for r in rows}
    # The targets most behind among those still ahead: the missed ones are in the 2025 outcome below.
    still_open = assessed[assessed["target_time"] > as_of.time] if not assessed.empty else assessed
    behind = progress.most_behind(still_open, n=3, by=["pillar"]) if not still_open.empty else still_open
    cards = []
    for pillar in pillars:
        mine = assessed[assessed["pillar"] == pillar["slug"]] if not assessed.empty else assessed
        if mine.empty:
            continue
        counts = _counts(mine)
        worst = (
            [by_id[int(i)] for i in behind.index[behind["pillar"] == pillar["slug"]]]
            if not behind.empty
            else []
        )
        cards.append(
            {
                "slug": pillar["slug"],
                "name": localized(pillar, "name"),
                "total": len(mine),
                "share_text": share_text(counts["share_on_track"]),
                "chips": status_chips(counts),
                "figure": charts.status_stack(
                    [localized(pillar, "name")],
                    [counts],
                    labels=names,
                    text=text,
                    demo=_has_demo(mine),
                    compact=True,
                ),
                "demo": _has_demo(mine),
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
    for pillar in pillars:
        part = mine[mine["pillar"] == pillar["slug"]]
        if not part.empty:
            groups.append(localized(pillar, "name"))
            counts.append(_counts(part))
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


def pillar(*, inputs: ProgressInputs, as_of: AsOf) -> dict[str, Any]:
    """Bullet chart per target, the status-by-quarter heatmap of the last eight quarters, the table rows."""
    text, names = labels.chart_text(), labels.status_labels()
    assessed = inputs.at(as_of.time)
    rows = target_rows(assessed, as_of=as_of)
    bullet = charts.bullet(
        [
            charts.BulletRow(
                key=f"t{r['id']}",
                label=r["indicator_name"],
                status=r["status"],
                completion=r["completion"],
                expected=r["expected_completion"],
                hover=_bullet_hover(r),
                suffix=" · ".join(x for x in (r["level_label"], str(r["year"])) if x),
            )
            for r in rows
        ],
        labels=names,
        text=text,
        demo=any(r["demo"] for r in rows),
    )
    heatmap, heat_rows, quarters = _heatmap(inputs, rows, as_of=as_of, text=text, names=names)
    return {
        "rows": rows,
        "bullet_figure": bullet if rows else None,
        "heatmap_figure": heatmap if rows else None,
        "heatmap_rows": heat_rows,
        "quarters": quarters,
        "chips": status_chips(_counts(assessed)),
        "has_demo": any(r["demo"] for r in rows),
    }


def _bullet_hover(r: dict[str, Any]) -> str:
    return "<br>".join(
        [
            charts.shorten(r["label"], 70),
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
    inputs: ProgressInputs, rows: list[dict], *, as_of: AsOf, text: dict[str, str], names: dict[str, str]
) -> tuple[dict | None, list[dict], list[str]]:
    """Status per series (indicator × level) and quarter: at each quarter, the status of the target in
    force then (the first whose deadline had not passed; after the last deadline, the last target)."""
    times = charts.last_quarters(as_of.time, HEATMAP_QUARTERS)
    quarters = [charts.quarter_code(t) for t in times]
    statuses_at = inputs.statuses(times)
    series: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        series.setdefault((r["indicator_code"], r["level"]), []).append(r)
    keys, row_labels, suffixes, grid, hovers, table = [], [], [], [], [], []
    for targets in series.values():
        targets = sorted(targets, key=lambda r: r["due"])
        name, suffix = targets[0]["indicator_name"], targets[0]["level_label"]
        label = name + (f" · {suffix}" if suffix else "")
        cells, cell_hovers, cell_table = [], [], []
        for t, quarter in zip(times, quarters, strict=True):
            in_force = next((r for r in targets if r["due"] >= t - 1e-9), targets[-1])
            status = statuses_at[t].get(in_force["id"])
            cells.append(status)
            cell_hovers.append(
                f"{quarter} · {charts.shorten(label, 60)}<br>"
                + _("Mục tiêu %(y)s: %(s)s")
                % {"y": in_force["year"], "s": charts.status_label(status, names)}
            )
            cell_table.append(
                {
                    "status": status,
                    "icon": charts.STATUS_ICONS.get(status, ""),
                    "label": names.get(status, ""),
                    "year": in_force["year"],
                }
            )
        keys.append(f"s{len(keys)}")
        row_labels.append(name)
        suffixes.append(suffix)
        grid.append(cells)
        hovers.append(cell_hovers)
        table.append({"label": label, "cells": cell_table, "series_url": targets[0]["series_url"]})
    if not keys:
        return None, [], quarters
    # The inputs are this locality's pillar: any demo value among them may colour a cell.
    demo = bool((inputs.observations["origin"] == Origin.DEMO).any())
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


# --- /indicators/<code>/ -----------------------------------------------------------------------------------------


def indicator(
    *, indicator: dict, localities: list[dict], inputs: ProgressInputs, as_of: AsOf
) -> dict[str, Any]:
    """One line per city (and level) with its targets, on the same axis."""
    text = labels.chart_text()
    assessed = inputs.at(as_of.time)
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
            charts.CityLine(
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
        charts.comparison_chart(
            lines,
            as_of=as_of.time,
            text=text,
            y_title=_unit_title(unit),
            rank=unit == Unit.RANK,
            percent=unit in (Unit.PERCENT, Unit.GROWTH_RATE),
        )
        if lines
        else None
    )
    return {
        "rows": sorted(rows, key=lambda r: (vi_sort_key(r["locality_name"]), r["level"], r["year"])),
        "figure": figure,
        "has_demo": bool((obs["origin"] == Origin.DEMO).any()),
    }


def _unit_title(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


# --- /indicators/<code>/<locality>/ -------------------------------------------------------------------------------


def series(*, indicator: dict, inputs: ProgressInputs, actuals: list[dict], as_of: AsOf) -> dict[str, Any]:
    """One chart per level of the series, both progress measures per target, and the values table."""
    text = labels.chart_text()
    assessed = inputs.at(as_of.time)
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
                charts.TargetMark(
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
            charts.Point(
                time=a["time"],
                value=a["value"],
                period=a["period__code"],
                kind=_kind(a),
                hover=_point_hover(a),
            )
            for a in values
        ]
        figure = (
            charts.series_chart(
                points=points,
                targets=marks,
                events=[charts.Event(charts.REFORM_TIME, text["reform"])],
                as_of=as_of.time,
                text=text,
                y_title=_unit_title(unit),
                rank=unit == Unit.RANK,
                percent=unit in (Unit.PERCENT, Unit.GROWTH_RATE),
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
        "value_text": value_text(actual["value"], unit)
        + (f" / {actual['ranked_among']}" if actual["ranked_among"] else ""),
        "status": actual["status"],
        "status_label": str(Status(actual["status"]).label),
        "origin": actual["origin"],
        "get_origin_display": str(Origin(actual["origin"]).label),
        "source": actual["source"],
        "note": actual["note"] if actual["origin"] == Origin.PUBLISHED else "",
        "known_text": known_text(actual["origin"], actual["known_on"], actual["known_basis"]),
    }
