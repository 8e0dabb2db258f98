"""The Báo cáo as a Word document in the form of Decree 30/2020/NĐ-CP (văn bản hành chính) — python-docx,
no database.

Plain data in (`BaoCao`, built by `reports.bao_cao` from the page model `reports.pages.report`, the same
engine path as the dashboards, the Excel report and open data), a .docx out that the Sở edits, signs and
sends: A4, margins 20/20/30/15 mm, Times New Roman 13; the header with the issuing body, the national
motto, the number and the place and date; the title BÁO CÁO with its subject; "Kính gửi"; sections I–V; the
page number at the top of every page; "Nơi nhận" and the signature block.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
SIZE = 13  # body text, Decree 30: 13–14
SMALL = 11  # "Nơi nhận" and its lines, tables
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
EMPTY_SECTION = "(Chưa có nội dung: Sở bổ sung trước khi ký ban hành.)"


@dataclass
class PillarTable:
    """Section II: one pillar's targets. Each row: indicator, target, latest figure, status, pace."""

    name: str
    rows: list[tuple[str, str, str, str, str]]
    note: str = ""


@dataclass
class BaoCao:
    """What the Báo cáo says; every text already in Vietnamese."""

    parent_body: str
    issuing_body: str
    number_suffix: str
    place: str
    date: dt.date
    subject: str  # "Kết quả thực hiện các chỉ tiêu chuyển đổi số quý III năm 2026"
    addressee: str
    # Section I
    overview: list[str]  # one paragraph per pillar: its targets by status
    changes: list[tuple[str, list[str]]]  # (heading, items): newly achieved / off track / missed
    previous_label: str  # "quý II năm 2026"
    completeness: list[tuple[str, int, int, int, int]]  # department, assigned, entered, submitted, approved
    completeness_period: str
    # Section II
    pillars: list[PillarTable]
    # Section III: (indicator, department, figure, what it would take)
    behind: list[tuple[str, str, str, str]]
    # Sections IV and V: the reviewer's text
    shortcomings: str
    recommendations: str
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str
    period_words: str = ""  # "quý III năm 2026"
    provisional: bool = False
    contains_demo: bool = False
    notes: list[str] = field(default_factory=list)


def date_line(place: str, day: dt.date) -> str:
    """'Hải Phòng, ngày 05 tháng 02 năm 2026': days below 10 and months below 3 written with a leading
    zero (Decree 30/2020, appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _run_font(run, *, size: float | None = None, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None


def _paragraph(
    container,
    text: str = "",
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    align=None,
    indent: bool = False,
    after: float = 6,
) -> Paragraph:
    p = container.add_paragraph()
    if text:
        _run_font(p.add_run(text), size=size, bold=bold, italic=italic)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.7)
    return p


def _cell_text(cell, text: str, *, size: float = SMALL, bold: bool = False, align=None) -> None:
    p = cell.paragraphs[0]
    _run_font(p.add_run(text), size=size, bold=bold)
    p.paragraph_format.space_after = Pt(0)
    if align is not None:
        p.alignment = align


def _widths(table: Table, widths_mm: list[float]) -> None:
    """Fixed column widths (the grid and every cell: Word reads one, LibreOffice the other)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _borderless(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice put the page's number there."""
    run = paragraph.add_run()
    _run_font(run, size=SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)


def _letterhead(doc, data: BaoCao) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [72, 93])
    left, right = table.rows[0].cells
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _cell_text(left, data.parent_body.upper(), size=12, align=centre)
    _paragraph(left, data.issuing_body.upper(), size=12, bold=True, align=centre, after=0)
    _paragraph(left, "────────", size=SIZE, align=centre, after=4)
    _paragraph(left, f"Số:        /{data.number_suffix}", size=SIZE, align=centre, after=0)
    _cell_text(right, MOTTO[0], size=12, bold=True, align=centre)
    _paragraph(right, MOTTO[1], size=SIZE, bold=True, align=centre, after=0)
    _paragraph(right, "───────────────", size=SIZE, align=centre, after=4)
    _paragraph(right, date_line(data.place, data.date), size=SIZE, italic=True, align=centre, after=0)


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, bold=True, after=6, indent=True)


def _text_block(doc, text: str) -> None:
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()]
    for line in paragraphs or [EMPTY_SECTION]:
        p = _paragraph(doc, line, indent=True, italic=not paragraphs)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    # The header row repeats on every page the table runs over.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell_text(cell, value)
    _widths(table, widths_mm)
    _paragraph(doc, "", after=4)


def write_bao_cao(data: BaoCao) -> bytes:
    """The Báo cáo as the bytes of a .docx file."""
    doc = Document()
    _setup(doc)
    _letterhead(doc, data)
    _paragraph(doc, "", after=6)
    _paragraph(doc, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(doc, data.subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(doc, "────────", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _paragraph(doc, f"Kính gửi: {data.addressee}.", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    intro = (
        f"Căn cứ số liệu đã duyệt và số liệu công bố trên DTI Portal, tính đến hết {data.period_words}, "
        f"{data.issuing_body} báo cáo {data.subject[:1].lower()}"
        f"{data.subject[1:]} như sau:"
    )
    _paragraph(doc, intro, indent=True)
    for note in data.notes:
        _paragraph(doc, note, italic=True, indent=True)

    _heading(doc, "I. TÌNH HÌNH CHUNG")
    _paragraph(doc, "1. Mục tiêu theo trạng thái, từng trụ cột", bold=True, italic=True, indent=True)
    for line in data.overview:
        _paragraph(doc, line, indent=True)
    _paragraph(doc, f"2. Thay đổi so với {data.previous_label}", bold=True, italic=True, indent=True)
    for heading, items in data.changes:
        _paragraph(doc, f"{heading}: {len(items)} mục tiêu{'.' if not items else ':'}", indent=True)
        for item in items:
            _paragraph(doc, f"- {item}", indent=True, after=2)
    _paragraph(
        doc,
        f"3. Tiến độ nhập số liệu của các đơn vị ({data.completeness_period})",
        bold=True,
        italic=True,
        indent=True,
    )
    if data.completeness:
        rows = [
            [name, str(a), str(e), str(s), str(ap), f"{round(100 * s / a) if a else 0}%"]
            for name, a, e, s, ap in data.completeness
        ]
        _table(
            doc,
            ["Đơn vị", "Được giao", "Đã nhập", "Đã gửi", "Đã duyệt", "Tỷ lệ đã gửi"],
            rows,
            [65, 20, 20, 20, 20, 20],
        )
    else:
        _paragraph(doc, "Chưa có đơn vị nào được giao chỉ tiêu trong kỳ.", indent=True)

    _heading(doc, "II. KẾT QUẢ THEO TRỤ CỘT")
    for i, pillar in enumerate(data.pillars, start=1):
        _paragraph(doc, f"{i}. {pillar.name}", bold=True, italic=True, indent=True)
        if pillar.rows:
            _table(
                doc,
                ["Chỉ tiêu", "Mục tiêu", "Số liệu mới nhất", "Trạng thái", "Tốc độ còn cần/năm"],
                [list(r) for r in pillar.rows],
                [60, 25, 28, 28, 24],
            )
        else:
            _paragraph(doc, "Không có mục tiêu.", indent=True)
        if pillar.note:
            _text_block(doc, pillar.note)

    _heading(doc, "III. CÁC CHỈ TIÊU CHẬM TIẾN ĐỘ")
    if data.behind:
        for n, (indicator, department, figure, needed) in enumerate(data.behind, start=1):
            p = _paragraph(doc, "", indent=True)
            _run_font(p.add_run(f"{n}. {indicator}. "), bold=True)
            _run_font(p.add_run(f"Đơn vị chủ trì: {department}. Số liệu mới nhất: {figure}. {needed}"))
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    else:
        _paragraph(doc, "Không có chỉ tiêu chậm tiến độ.", indent=True)

    _heading(doc, "IV. TỒN TẠI, HẠN CHẾ, NGUYÊN NHÂN")
    _text_block(doc, data.shortcomings)
    _heading(doc, "V. KIẾN NGHỊ, ĐỀ XUẤT")
    _text_block(doc, data.recommendations)
    _paragraph(
        doc,
        f"Trên đây là báo cáo {data.subject[:1].lower()}{data.subject[1:]}./.",
        indent=True,
        after=12,
    )
    _closing(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _closing(doc, data: BaoCao) -> None:
    """ "Nơi nhận" on the left, the signature block on the right (Decree 30/2020, appendix I)."""
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, [80, 85])
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", size=12, bold=True)
    left.paragraphs[0].runs[0].italic = True
    for line in data.recipients:
        _paragraph(left, f"- {line}", size=SMALL, after=0)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    first = data.signer_authority or data.signer_title
    _cell_text(right, first.upper(), size=SIZE, bold=True, align=centre)
    if data.signer_authority:
        _paragraph(right, data.signer_title.upper(), size=SIZE, bold=True, align=centre, after=0)
    spacer = _paragraph(right, "", align=centre, after=0)
    for _ in range(4):
        spacer.add_run().add_break(WD_BREAK.LINE)
    _paragraph(right, data.signer_name, size=SIZE, bold=True, align=centre, after=0)
