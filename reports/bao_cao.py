"""The Báo cáo of a locality and quarter (issue #18): `build_bao_cao` returns the bytes of a .docx in the
form of Decree 30/2020/NĐ-CP. A plain function of ids and a date — no request — so a view, the
`export_report --format docx` command or a background job can call it alike.

Its figures come from the page model (`reports.pages.report`: the same engine path as the dashboards, the
Excel report and open data), the responsible departments from the assignments, sections IV and V and the
notes per pillar from the reviewer's narrative, the letterhead, "Nơi nhận" and the signer from the locality's
settings (`targets.selectors.narrative`). `reports.word` writes it.
"""

from __future__ import annotations

import datetime as dt
import math

from targets import figures
from targets.formatting import unit_suffix
from targets.models import Locality
from targets.numbers import decimals_for
from targets.periods import is_provisional, parse_period_code, period_end_time, previous_period_code
from targets.progress import ACHIEVED, MISSED, NEEDS_ACCELERATION, OFF_TRACK, REGRESSING
from targets.selectors import narrative as narrative_selectors

from . import pages, selectors
from .display import AsOf
from .excel.writer import TargetLine
from .word import BaoCao, PillarTable, write_bao_cao

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Section III: the targets behind their path, still before their deadline.
BEHIND = (OFF_TRACK, REGRESSING, NEEDS_ACCELERATION)
# Section I.2: what changed since the period before.
CHANGES = (
    (ACHIEVED, "Mục tiêu mới đạt"),
    (OFF_TRACK, "Mục tiêu mới có nguy cơ không đạt"),
    (MISSED, "Mục tiêu mới không đạt (đã quá hạn)"),
)


def period_words(code: str) -> str:
    """'2026-Q3' → 'quý III năm 2026'; '2025' → 'năm 2025'."""
    year, quarter = parse_period_code(code)
    return f"quý {ROMAN[quarter]} năm {year}" if quarter else f"năm {year}"


def figure_text(value: float | None, unit: str, *, among: int | None = None) -> str:
    """A figure in Vietnamese, kept to its indicator's precision: '58,9%', '1.200', 'hạng 3/34' (a rank with
    the number of units ranked, when known); '—' if none."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "milestone":
        return "đã hoàn thành" if value >= 1 else "chưa hoàn thành"
    places = decimals_for(unit)
    # Rounded half up as every page rounds (`targets.figures.rounded`), grouped by thousands as a document is.
    text = f"{figures.rounded(value, unit):,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    if unit == "rank":
        return f"hạng {text}/{among}" if among else f"hạng {text}"
    return text + unit_suffix(unit)


def _pace_text(value: float | None, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    size = figure_text(abs(value), unit)
    if unit in ("percent", "growth_rate"):
        size = size.removesuffix("%") + " điểm %"
    elif unit == "rank":
        size = size.removeprefix("hạng ") + " bậc"
    return f"{size}/năm"


def _name(t: TargetLine) -> str:
    return f"{t.indicator} ({t.level})" if t.level else t.indicator


def _what_it_takes(t: TargetLine) -> str:
    target = f"{t.target} năm {t.year}"
    if t.unit == "milestone":
        return f"Để đạt mục tiêu {target}, cần hoàn thành trước hạn."
    if t.pace is None or not math.isfinite(t.pace):
        return f"Để đạt mục tiêu {target}, cần có số liệu mới để đánh giá xu hướng."
    gap = f" (còn cách {figure_text(abs(t.gap), t.unit).removeprefix('hạng ')})" if t.gap is not None else ""
    projected = (
        f"; theo xu hướng hiện tại, đến hạn dự báo đạt {figure_text(t.projected, t.unit)}"
        if t.projected is not None
        else ""
    )
    return f"Để đạt mục tiêu {target}{gap}, cần tăng tốc đạt {_pace_text(t.pace, t.unit)}{projected}."


def build_bao_cao(*, locality_id: int, period_code: str, today: dt.date) -> bytes:
    """The Báo cáo of `locality_id` for the quarter (or year) `period_code`, dated `today`, as .docx bytes.
    Raises Locality.DoesNotExist or ValueError (a bad period code)."""
    locality = Locality.objects.get(pk=locality_id)
    time = period_end_time(period_code)
    as_of = AsOf(period_code, time, provisional=is_provisional(time, today=today))
    data = pages.report(locality_ids=[locality.pk], as_of=as_of, pillar_slugs=None, today=today)
    targets = list(data.targets)
    departments = selectors.responsible_departments(locality_id=locality.pk)
    head = narrative_selectors.letterhead(locality)
    text = narrative_selectors.narrative(locality, period_code)
    labels = data.status_labels

    overview = []
    for slug, name in data.pillars:
        row = data.summary.get(slug)
        if not row or not row.get("total"):
            continue
        parts = [f"{int(row[s])} {labels[s].lower()}" for s in labels if int(row.get(s, 0) or 0)]
        share = row.get("share_on_track")
        share_text = (
            f"; tỷ lệ đạt hoặc đúng tiến độ {round(100 * share)}%"
            if share is not None and math.isfinite(share)
            else ""
        )
        overview.append(f"{name}: {int(row['total'])} mục tiêu, gồm {', '.join(parts)}{share_text}.")
    changes = [
        (
            heading,
            [
                f"{_name(t)}: {t.target} năm {t.year} (số liệu mới nhất {figure_text(t.latest, t.unit, among=t.latest_among)})"
                for t in targets
                if t.status == status and t.previous_status != status
            ],
        )
        for status, heading in CHANGES
    ]
    tables = []
    for slug, name in data.pillars:
        rows = [
            (
                _name(t),
                f"{t.target} ({t.year})",
                f"{figure_text(t.latest, t.unit, among=t.latest_among)} ({period_words(t.latest_period)})"
                if t.latest is not None and t.latest_period
                else "—",
                labels.get(t.status, t.status),
                _pace_text(t.pace, t.unit)
                if t.status not in (ACHIEVED, MISSED) and t.unit != "milestone"
                else "—",
            )
            for t in targets
            if t.pillar == slug
        ]
        if rows:
            tables.append(PillarTable(name=name, rows=rows, note=text.pillar_notes.get(slug, "")))
    behind = [
        (
            _name(t),
            ", ".join(d["name"] for d in departments.get((t.indicator_id, t.level_code or ""), []))
            or "chưa phân công",
            f"{figure_text(t.latest, t.unit, among=t.latest_among)} ({period_words(t.latest_period)})"
            if t.latest is not None and t.latest_period
            else "chưa có",
            _what_it_takes(t),
        )
        for t in targets
        if t.status in BEHIND
    ]
    notes = []
    if as_of.provisional:
        notes.append(f"Số liệu {period_words(period_code)} là tạm tính: kỳ báo cáo chưa kết thúc.")
    if any(t.latest_is_demo for t in targets):
        notes.append("Lưu ý: báo cáo có dữ liệu minh hoạ (demo), không phải số liệu thật.")
    return write_bao_cao(
        BaoCao(
            parent_body=head.parent_body,
            issuing_body=head.issuing_body,
            number_suffix=head.number_suffix,
            place=head.place,
            date=today,
            subject=f"Kết quả thực hiện các chỉ tiêu chuyển đổi số {period_words(period_code)}",
            addressee=head.addressee,
            overview=overview or ["Địa phương chưa có mục tiêu trong danh mục."],
            changes=changes,
            previous_label=period_words(previous_period_code(period_code)),
            completeness=[
                (d.department, d.assigned, d.entered, d.submitted, d.approved) for d in data.departments
            ],
            completeness_period=period_words(period_code),
            pillars=tables,
            behind=behind,
            shortcomings=text.shortcomings,
            recommendations=text.recommendations,
            recipients=head.recipient_lines,
            signer_authority=head.signer_authority,
            signer_title=head.signer_title,
            signer_name=head.signer_name,
            period_words=period_words(period_code),
            provisional=as_of.provisional,
            contains_demo=any(t.latest_is_demo for t in targets),
            notes=notes,
        )
    )
