"""How figures read on the dashboards: the as-of of a page, texts for values, gaps, paces and completions,
status chips, and one display row per target of an assessment (`target_rows`).

No query and no engine run here: the page models (`reports.pages`) fetch and assess, and hand the engine's
frames to `reports.dashboards` and to `target_rows`. Words come from gettext (Vietnamese first); status
labels, icons and help texts from the one status vocabulary (`reports.status`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import unicodedata
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from targets import known
from targets.cache import caching, remembered
from targets.formatting import num, target_text, with_unit
from targets.models import Level, Origin, Unit
from targets.periods import period_end_date, quarter_of

from . import charts, status

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
    def end_date(self) -> dt.date:
        """The last day the figures count up to: 2026-Q3 → 30/09/2026 (printed in a page's header)."""
        return period_end_date(self.code)

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


def value_text(value: Any, unit: str, *, among: Any = None) -> str:
    """A figure in its unit ('53,2%', 'hạng 3', 'đã hoàn thành'), rounded to two decimals; a rank with its
    basis when known ('hạng 3/34': 3rd of the 34 units ranked)."""
    f = _f(value)
    if f is None:
        return "—"
    if unit == Unit.RANK:
        f = round(f, 1)
        n = _f(among)
        if n is not None and n >= 1:
            return f"{with_unit(_round(f), unit)}/{int(n)}"
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
        return ngettext("%(x)s bậc", "%(x)s bậc", int(abs(rounded))) % {"x": text}
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
    """Non-zero status counts as chips (icon, label, count, colour class, and what the status means for a
    tooltip): the text beside each chart."""
    names, helps = status.labels(), status.help_texts()
    return [
        {
            "status": s,
            "icon": status.ICONS[s],
            "label": names[s],
            "help": helps[s],
            "count": int(counts.get(s, 0) or 0),
        }
        for s in status.ORDER
        if int(counts.get(s, 0) or 0)
    ]


def status_segments(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The same counts as widths (%) of a CSS stacked bar."""
    total = sum(int(counts.get(s, 0) or 0) for s in status.ORDER)
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


# The engine's figures a display row carries as they are (None where they cannot be computed).
_FIGURES = (
    "gap",
    "completion",
    "expected_completion",
    "projected",
    "projected_completion",
    "slope",
    "lower",
    "upper",
)


def _url(name: str, *args: Any) -> str:
    """`reverse(name, args=args)`, remembered for the URL configuration and prefix in force: a national page
    links hundreds of rows, the same links before and after a write (issue #20)."""
    return _reversed(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, get_language())


@functools.lru_cache(maxsize=100_000)
def _reversed(name: str, args: tuple, prefix: str, urlconf: Any, language: str | None) -> str:
    return reverse(name, args=list(args))


# Changed whenever `target_rows` writes its rows differently: rows remembered by an earlier version of the
# code are then never reused (`remembered` keys them by it).
ROWS_FORMAT = 1


def target_rows(
    assessed: pd.DataFrame,
    *,
    as_of: AsOf,
    remember: tuple[Hashable, ...] | None = None,
    also: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One display row per target of a labelled assessment (`ProgressInputs.at`), in catalogue order.

    Past its deadline a target shows its deadline figure (`latest_*`) and, as information, the newest
    figure after the deadline (`after_*`): "Không đạt — hạng 14 (2022); sau hạn: hạng 3 (2024)".

    With `remember` (a page's scope, e.g. a locality's pillar), each row is kept in the cache under its
    target's whole assessed row (`fingerprint`, a 64-bit hash of every column): after a write only the rows
    of the targets it re-assessed are formatted again (issue #20); the rows are the same either way.
    `also(row)`: more keys a page makes from a row alone (kept with the row)."""
    if assessed.empty:
        return []
    frame = assessed.sort_values(["pillar_order", "indicator_order", "indicator_code", "level", "year"])
    if remember is None or not caching():
        rows = _target_rows(frame, as_of=as_of)
        return [{**row, **also(row)} for row in rows] if also else rows
    fingerprints = dict(
        zip(frame.index.tolist(), pd.util.hash_pandas_object(frame, index=True).tolist(), strict=True)
    )

    key = (
        *remember,
        "target-rows",
        ROWS_FORMAT,
        also.__qualname__ if also else None,
        get_language(),
        as_of,
        get_script_prefix(),
    )
    # A row's `fingerprint` stands for everything it was built from (its assessed row and `key`): whoever
    # keeps something made from the row alone may key it by the fingerprint (`tables.PillarTargetTable`).
    context = hashlib.sha256(repr(key).encode()).hexdigest()[:16]

    def build(ids: list[Hashable]) -> dict[Hashable, dict[str, Any]]:
        rows = _target_rows(frame.loc[ids], as_of=as_of)
        if also:
            rows = [{**row, **also(row)} for row in rows]
        return {row["id"]: {**row, "fingerprint": f"{fingerprints[row['id']]:x}:{context}"} for row in rows}

    by_id = remembered(key, fingerprints, build)
    return [by_id[target_id] for target_id in frame.index.tolist()]


def _target_rows(frame: pd.DataFrame, *, as_of: AsOf) -> list[dict[str, Any]]:
    status_names, sdg_names = status.labels(), status.opensdg_labels()
    order = {s: i for i, s in enumerate(status.ORDER)}
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
        latest_text = value_text(r["latest"], unit, among=r.get("latest_ranked_among"))
        after = _f(r["latest_after_deadline"])
        after_period = _text(r["after_period"])
        after_text = (
            _("sau hạn: %(v)s (%(p)s)")
            % {
                "v": value_text(after, unit, among=r.get("after_ranked_among")),
                "p": period_label(after_period),
            }
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
                "status_icon": status.ICONS.get(r["status"], ""),
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
                **{name: _f(r[name]) for name in _FIGURES},
                "gap_text": gap_text(r["gap"], unit),
                "completion_text": completion_text(r["completion"]),
                "completion_title": completion_title(r["completion"]),
                "expected_text": share_text(r["expected_completion"]),
                "projected_text": value_text(r["projected"], unit),
                "projected_completion_text": completion_text(r["projected_completion"]),
                "projected_completion_title": completion_title(r["projected_completion"]),
                "pace": _f(r["required_pace_per_year"]),
                "pace_text": pace_text(r["required_pace_per_year"], unit),
                "slope_text": pace_text(r["slope"], unit),
                "opensdg_status": r["opensdg_status"],
                "opensdg_label": sdg_names.get(r["opensdg_status"], r["opensdg_status"]),
                "opensdg_icon": status.OPENSDG_ICONS.get(r["opensdg_status"], ""),
                "opensdg_value": _f(r["opensdg_value"]),
                "opensdg_value_text": num(_round(_f(r["opensdg_value"]))),
                "series_url": _url("reports:series", r["indicator_code"], r["locality"]) + as_of.query,
                "target_url": _url("targets:target_detail", int(target_id)),
            }
        )
    return rows
