"""Words the dashboards show for statuses and in charts, translated per request (Vietnamese first)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "achieved": _("Đã đạt"),
    "on_track": _("Đúng tiến độ"),
    "needs_acceleration": _("Cần tăng tốc"),
    "off_track": _("Nguy cơ không đạt"),
    "regressing": _("Đang đi lùi"),
    "missed": _("Không đạt (đã quá hạn)"),
    "awaiting_final": _("Chờ số liệu cuối kỳ"),
    "insufficient_data": _("Chưa đủ dữ liệu"),
    "not_applicable": _("Không còn áp dụng"),
}
STATUS_HELP = {
    "achieved": _("Giá trị mới nhất (sau hạn: số liệu của kỳ hạn) đã đạt mục tiêu."),
    "on_track": _("Theo xu hướng hiện tại, đến hạn sẽ đạt ít nhất 95% quãng đường đến mục tiêu."),
    "needs_acceleration": _("Theo xu hướng hiện tại, đến hạn chỉ đạt 60–95% quãng đường: cần tăng tốc."),
    "off_track": _("Theo xu hướng hiện tại, đến hạn đạt dưới 60% quãng đường đến mục tiêu."),
    "regressing": _("Số liệu đang đi ngược hướng mục tiêu."),
    "missed": _("Đã quá hạn mà số liệu của kỳ hạn (hoặc gần nhất trước hạn) chưa đạt mục tiêu."),
    "awaiting_final": _(
        "Đã đến hạn nhưng chưa có số liệu của kỳ hạn; tạm đánh giá theo số liệu gần nhất trước hạn "
        "(tối đa một năm sau hạn)."
    ),
    "insufficient_data": _("Chưa đủ hai số liệu để đánh giá xu hướng."),
    "not_applicable": _("Mục tiêu không còn áp dụng (ví dụ cấp huyện sau 30/6/2025)."),
}
OPENSDG_LABELS = {
    "target_achieved": _("Đã đạt mục tiêu"),
    "substantial_progress": _("Tiến bộ rõ rệt"),
    "moderate_progress": _("Tiến bộ vừa phải"),
    "limited_progress": _("Tiến bộ hạn chế"),
    "deterioration": _("Đi xuống"),
    "not_available": _("Không tính được"),
}
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


def status_labels() -> dict[str, str]:
    return {k: str(v) for k, v in STATUS_LABELS.items()}


def opensdg_labels() -> dict[str, str]:
    return {k: str(v) for k, v in OPENSDG_LABELS.items()}


def chart_text() -> dict[str, str]:
    """Chart words in the active language, and Plotly's number separators (decimal, thousands)."""
    text = {k: str(v) for k, v in _CHART_TEXT.items()}
    text["separators"] = ".," if (get_language() or "vi").startswith("en") else ",."
    return text
