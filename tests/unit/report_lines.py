"""Rows for the Excel report writer, built in code: the writer's tests and its memory benchmark
(bench/bench_excel_memory.py) write the same lines."""

from __future__ import annotations

import datetime as dt

from reports.excel import writer
from targets.progress import STATUSES

LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES}
PILLARS = [("chinh-quyen-so", "Chính quyền số"), ("kinh-te-so", "Kinh tế số")]


def target_line(i: int, pillar: str, status: str, **changes) -> writer.TargetLine:
    line = writer.TargetLine(
        locality="Tỉnh Minh hoạ",
        pillar=pillar,
        indicator=f"Chỉ tiêu {i}",
        level="",
        unit="percent",
        target="≥ 80%",
        target_value=80.0,
        year=2025,
        baseline=10.0,
        latest=60.0 + i % 10,
        latest_period="2026-Q3",
        gap=20.0,
        completion=0.7,
        status=status,
        projected=85.0,
        pace=4.5,
        latest_is_demo=True,
        document="01/NQ-HĐND",
        quote=f"Phấn đấu đạt 80% (chỉ tiêu {i})",
    )
    for name, value in changes.items():
        setattr(line, name, value)
    return line


def actual_line(i: int, origin: str = "demo") -> writer.ActualLine:
    return writer.ActualLine(
        locality="Tỉnh Minh hoạ",
        indicator_code=f"ind_{i % 40}",
        indicator=f"Chỉ tiêu {i % 40}",
        level="",
        period=f"{2021 + i % 6}-Q{1 + i % 4}",
        value=float(i),
        status="approved",
        origin=origin,
        source="Báo cáo số 12/BC-UBND" if origin == "published" else "",
        is_demo=origin == "demo",
        is_published=origin == "published",
    )


def report_data(targets, actuals, summary=None) -> writer.ReportData:
    return writer.ReportData(
        summary=summary or {},
        localities=["Tỉnh Minh hoạ"],
        as_of="2026-Q3",
        generated_at=dt.datetime(2026, 11, 22, 9, 30),
        pillars=PILLARS,
        status_labels=LABELS,
        targets=targets,
        progress_period="2026-Q3",
        actuals=actuals,
        documents=[writer.DocumentLine("01/NQ-HĐND", "Nghị quyết — HĐND", dt.date(2021, 3, 1), "seeds/a.md")],
    )
