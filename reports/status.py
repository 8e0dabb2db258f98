"""The one status vocabulary: every status of the progress engine with its label, help text, colour, icon and
Excel fill, in the order the dashboards, the charts, the Excel report and open data list them.

The statuses and their order are the engine's (`targets.progress.STATUSES`); this module says how each one
reads and looks. Labels and help texts are translated per request (Vietnamese is the source language,
English through gettext). Colours are Okabe–Ito's (colour-blind safe) with red for "missed", and every status
also carries an icon and a label, never colour alone. This is the ONE status palette: the charts, the
stylesheet's `.status-<key>` classes (static/css/dashboards.css: chips, bars, table cells — compared by
`tests/unit/test_status.py`) and the Excel report (its fills are the colours lightened, `tint`) read it from
here. Cities on a chart take another palette (`reports.charts.SERIES_COLOURS`) that never uses a status
colour.

Also the words and icons of Open SDG's progress measure (`targets.progress.OPENSDG_STATUSES`), shown beside
the default method. No database: the chart builders read their colours and icons from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from targets import progress

FILL_STRENGTH = 0.3  # how much of a status's colour its fill keeps (the rest is white)


def tint(colour: str, strength: float) -> str:
    """'#009E73', 0.3 → 'B3E2D5': the colour mixed with white, `strength` of it kept, as "RRGGBB"."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "".join(f"{round(255 - (255 - c) * strength):02X}" for c in rgb)


@dataclass(frozen=True)
class StatusTerm:
    """How one status of the default method reads and looks."""

    key: str
    label: Promise  # short, on chips, badges, charts and in the Excel report
    help: Promise  # what the status means, one sentence (a chip's tooltip)
    colour: str  # charts, the Excel chart and the stylesheet, "#RRGGBB"
    icon: str  # shown beside the label, so that status never rests on colour alone

    @property
    def fill(self) -> str:
        """The Excel report's status cells and the table chips' background: the colour lightened (a quarter
        of it on white), "RRGGBB" — derived, so that it can never drift from the colour."""
        return tint(self.colour, FILL_STRENGTH)


_TERMS = (
    StatusTerm(
        progress.ACHIEVED,
        _("Đã đạt"),
        _("Giá trị mới nhất (sau hạn: số liệu của kỳ hạn) đã đạt mục tiêu."),
        "#009E73",  # bluish green
        "✓",
    ),
    StatusTerm(
        progress.ON_TRACK,
        _("Đúng tiến độ"),
        _("Theo xu hướng hiện tại, đến hạn sẽ đạt ít nhất 95% quãng đường đến mục tiêu."),
        "#56B4E9",  # sky blue
        "↗",
    ),
    StatusTerm(
        progress.NEEDS_ACCELERATION,
        _("Cần tăng tốc"),
        _("Theo xu hướng hiện tại, đến hạn chỉ đạt 60–95% quãng đường: cần tăng tốc."),
        "#E69F00",  # orange
        "!",
    ),
    StatusTerm(
        progress.OFF_TRACK,
        _("Nguy cơ không đạt"),
        _("Theo xu hướng hiện tại, đến hạn đạt dưới 60% quãng đường đến mục tiêu."),
        "#D55E00",  # vermillion
        "✕",
    ),
    StatusTerm(
        progress.REGRESSING,
        _("Đang đi lùi"),
        _("Số liệu đang đi ngược hướng mục tiêu."),
        "#CC79A7",  # reddish purple
        "↓",
    ),
    StatusTerm(
        progress.MISSED,
        _("Không đạt (đã quá hạn)"),
        _("Đã quá hạn mà số liệu của kỳ hạn (hoặc gần nhất trước hạn) chưa đạt mục tiêu."),
        "#B2182B",  # red: missed is the one verdict that reads as a failure (issue #17: not purple)
        "⊘",
    ),
    StatusTerm(
        progress.AWAITING_FINAL,
        _("Chờ số liệu cuối kỳ"),
        _(
            "Đã đến hạn nhưng chưa có số liệu của kỳ hạn; tạm đánh giá theo số liệu gần nhất trước hạn "
            "(tối đa một năm sau hạn)."
        ),
        "#0072B2",  # blue: a verdict still to come
        "◷",
    ),
    StatusTerm(
        progress.INSUFFICIENT_DATA,
        _("Chưa đủ dữ liệu"),
        _("Chưa đủ hai số liệu để đánh giá xu hướng."),
        "#BBBBBB",
        "?",
    ),
    StatusTerm(
        progress.NOT_APPLICABLE,
        _("Không còn áp dụng"),
        _("Mục tiêu không còn áp dụng (ví dụ cấp huyện sau 30/6/2025)."),
        "#DDDDDD",
        "–",
    ),
)

ORDER: tuple[str, ...] = progress.STATUSES  # the engine's order: how every page, chart and sheet lists them
TERMS: dict[str, StatusTerm] = {term.key: term for term in _TERMS}  # in ORDER (a test checks)
COLOURS: dict[str, str] = {key: term.colour for key, term in TERMS.items()}
ICONS: dict[str, str] = {key: term.icon for key, term in TERMS.items()}
FILLS: dict[str, str] = {key: term.fill for key, term in TERMS.items()}


def labels() -> dict[str, str]:
    """Each status's label in the active language, in `ORDER`."""
    return dict(_texts(get_language())[0])


def help_texts() -> dict[str, str]:
    """What each status means, in the active language, in `ORDER`."""
    return dict(_texts(get_language())[1])


@receiver(setting_changed)
def _forget_texts(**_kwargs) -> None:
    _texts.cache_clear()  # a test changed the languages or where their translations are


@functools.lru_cache(maxsize=16)
def _texts(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    # Once per language: the overview asks for them for each of its hundreds of cells (issue #20).
    return (
        {key: str(term.label) for key, term in TERMS.items()},
        {key: str(term.help) for key, term in TERMS.items()},
    )


# --- Open SDG's progress measure ------------------------------------------------------------------------

OPENSDG_ORDER: tuple[str, ...] = progress.OPENSDG_STATUSES
OPENSDG_LABELS = {
    progress.TARGET_ACHIEVED: _("Đã đạt mục tiêu"),
    progress.SUBSTANTIAL_PROGRESS: _("Tiến bộ rõ rệt"),
    progress.MODERATE_PROGRESS: _("Tiến bộ vừa phải"),
    progress.LIMITED_PROGRESS: _("Tiến bộ hạn chế"),
    progress.DETERIORATION: _("Đi xuống"),
    progress.NOT_AVAILABLE: _("Không tính được"),
}
OPENSDG_ICONS: dict[str, str] = {
    progress.TARGET_ACHIEVED: "✓",
    progress.SUBSTANTIAL_PROGRESS: "↗",
    progress.MODERATE_PROGRESS: "→",
    progress.LIMITED_PROGRESS: "↘",
    progress.DETERIORATION: "↓",
    progress.NOT_AVAILABLE: "?",
}


def opensdg_labels() -> dict[str, str]:
    """Each Open SDG status's label in the active language."""
    return {key: str(OPENSDG_LABELS[key]) for key in OPENSDG_ORDER}
