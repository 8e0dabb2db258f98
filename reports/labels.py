"""Words the dashboards' charts show (titles, legends, notes), translated per request (Vietnamese first).

Status labels are in the one status vocabulary, `reports.status`."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_CHART_TEXT = {
    "demo_note": _("Có dữ liệu minh hoạ (demo), không phải số liệu thật"),
    "demo_short": _("minh hoạ (demo)"),
    "targets_count": _("Số mục tiêu"),
    "expected_now": _("Mức cần đạt đến nay (theo đường thẳng)"),
    "completion_axis": _("Mức hoàn thành quãng đường từ giá trị gốc đến mục tiêu"),
    "target_100": _("(mục tiêu)"),
    "actual_line": _("Thực hiện (đã duyệt)"),
    "kind_approved": _("Đã duyệt"),
    "kind_published": _("Số liệu công bố (có nguồn)"),
    "kind_demo": _("Minh hoạ (demo)"),
    "kind_submitted": _("Đã gửi, chờ duyệt"),
    "straight_line": _("Đường thẳng từ gốc đến mục tiêu %(year)s"),
    "projection": _("Dự báo đến hạn %(year)s"),
    "targets": _("Mục tiêu"),
    "targets_of": _("Mục tiêu của %(name)s"),
    "as_of_mark": _("Thời điểm xem"),
    "reform": _("1/7/2025: sáp nhập tỉnh, bỏ cấp huyện"),
    "ranking_year": _("Năm xếp hạng"),
    "rank_axis": _("Thứ hạng (1 = dẫn đầu)"),
    "rank_of": _("hạng %(rank)s/%(among)s"),
    "beyond_target": _("vượt mục tiêu"),
    "behind_baseline": _("lùi so với gốc"),
    "provisional": _("tạm tính"),
}


def chart_text() -> dict[str, str]:
    """Chart words in the active language, and Plotly's number separators (decimal, thousands)."""
    text = {k: str(v) for k, v in _CHART_TEXT.items()}
    text["separators"] = ".," if (get_language() or "vi").startswith("en") else ",."
    return text
