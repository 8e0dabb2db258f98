"""The one status vocabulary (`reports.status`): every status of the engine, in its order, has a label and a
help text in both languages, a colour, an icon and an Excel fill; the stylesheet uses the same colours."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from reports import status
from targets import progress

ROOT = Path(__file__).resolve().parents[2]
HEX = re.compile(r"#[0-9A-F]{6}")


def test_every_status_of_the_engine_has_every_attribute_in_the_engines_order():
    assert tuple(status.TERMS) == progress.STATUSES == status.ORDER
    for key, term in status.TERMS.items():
        assert term.key == key
        assert str(term.label).strip() and str(term.help).strip(), key
        assert HEX.fullmatch(term.colour), key
        assert HEX.fullmatch("#" + term.fill), key
        assert term.icon.strip(), key
    assert {k: t.colour for k, t in status.TERMS.items()} == status.COLOURS
    assert {k: t.icon for k, t in status.TERMS.items()} == status.ICONS
    assert {k: t.fill for k, t in status.TERMS.items()} == status.FILLS


def test_statuses_are_told_apart_by_icon_colour_and_fill():
    for values in (status.ICONS.values(), status.COLOURS.values(), status.FILLS.values()):
        assert len(set(values)) == len(status.ORDER)


def test_every_label_and_help_text_reads_in_vietnamese_and_in_english():
    with translation.override("vi"):
        vi_labels, vi_help = status.labels(), status.help_texts()
    with translation.override("en"):
        en_labels, en_help = status.labels(), status.help_texts()
    assert vi_labels["missed"] == "Không đạt (đã quá hạn)"
    assert vi_labels["awaiting_final"] == "Chờ số liệu cuối kỳ"
    for key in status.ORDER:
        assert en_labels[key] and en_labels[key] != vi_labels[key], key
        assert en_help[key] and en_help[key] != vi_help[key], key
    assert list(en_labels) == list(status.ORDER)


def test_the_stylesheet_colours_each_status_as_the_vocabulary_does():
    css = (ROOT / "static" / "css" / "dashboards.css").read_text(encoding="utf-8")
    declared = dict(re.findall(r"\.status-([a-z_]+) \{ --st: (#[0-9A-Fa-f]{6}); \}", css))
    assert declared == status.COLOURS


def test_every_open_sdg_status_has_a_label_and_an_icon():
    assert set(status.OPENSDG_LABELS) == set(status.OPENSDG_ICONS) == set(progress.OPENSDG_STATUSES)
    with translation.override("en"):
        english = status.opensdg_labels()
    assert list(english) == list(progress.OPENSDG_STATUSES)
    assert english["target_achieved"] and english["target_achieved"] != "Đã đạt mục tiêu"


def test_each_excel_fill_is_its_chart_colour_lightened():
    # Issue #18: the Excel chart (COLOURS) and the cells (FILLS) showed "Đã đạt" green in the chart and blue
    # in the cells, "Đúng tiến độ" the other way round. A fill keeps its colour's hue (greys excepted).
    import colorsys

    def hls(hex_colour: str) -> tuple[float, float, float]:
        r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
        return colorsys.rgb_to_hls(r, g, b)

    for key, term in status.TERMS.items():
        hue, light, saturation = hls(term.colour)
        fill_hue, fill_light, _ = hls(term.fill)
        assert fill_light > light, key
        if saturation < 0.1:
            continue  # a grey: no hue to keep
        distance = min(abs(hue - fill_hue), 1 - abs(hue - fill_hue)) * 360
        assert distance < 30, (key, round(distance))
