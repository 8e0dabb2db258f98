"""The department's entry form as an Excel workbook, and reading it back — openpyxl, no Django.

The template carries hidden, signed keys (which department, locality and period it is for; per row the
series and the version of the value when it was downloaded), so an upload can be matched to its rows, a
template of another department or quarter is refused, and a value changed since the download is a conflict.
Every problem in an upload is reported with its row and column in Vietnamese; nothing is guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.handler import ContentHandler

from defusedxml.expatreader import DefusedExpatParser
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .limits import NOTE_MAX_CHARS
from .periods import period_label

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # data rows a template can hold (a department has at most a few hundred assignments)
SHEET = "Biểu nhập"
META_SHEET = "_meta"
HEADER_ROW = 6
LAST_ROW = HEADER_ROW + MAX_ROWS  # no sheet of an upload may have a cell, or declare a range, below it
MAX_COLUMNS = 50  # column AX: the template uses A–H; room for an officer's own notes to the right
# Checked on the archive before anything is parsed (a template saved by Excel has 10–25 members and
# weighs well under 1 MB unpacked; 2,000 rows with 2,000-character notes stay under 20 MB):
MAX_MEMBERS = 100
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024  # a zip bomb is refused before anything inflates it
COLUMNS = ("Khoá", "Chỉ tiêu", "Cấp", "Đơn vị tính", "Mục tiêu", "Kỳ trước", "Giá trị kỳ này", "Ghi chú")
KEY_COL, VALUE_COL, NOTE_COL = 1, 7, 8
INSTRUCTIONS = (
    "Nhập giá trị vào cột “Giá trị kỳ này”: một số (12,5), hoặc một phần trăm (78,5 % được đọc là 78,5); kết "
    "quả công thức được làm tròn theo số chữ số thập phân của chỉ tiêu. Ghi chú nếu cần, lưu tệp (.xlsx hoặc "
    ".ods), rồi tải lên mục Nhập số liệu › Nhập từ Excel. Không sửa cột “Khoá” và không thêm dòng."
)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# unit → (low, high, whole) for Excel's data validation, as the web form checks them
UNIT_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "percent": (0, 100, False),
    "count": (0, None, True),
    "per_1000": (0, None, False),
    "rank": (1, 63, True),
    "score": (0, 1, False),
    "growth_rate": (-100, 1000, False),
    "milestone": (0, 1, True),
    "index": (0, 100000, False),
}


@dataclass(frozen=True)
class TemplateRow:
    key: str  # "<indicator code>|<level>"
    version: int
    indicator: str
    level: str
    unit: str
    unit_label: str
    target: str
    previous: str
    value: Decimal | None
    note: str
    editable: bool


@dataclass(frozen=True)
class TemplateMeta:
    department_id: int
    locality: str
    period: str


def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:24]


def _meta_text(meta: TemplateMeta) -> str:
    return f"dtiportal-entry|{meta.department_id}|{meta.locality}|{meta.period}"


def build_template(*, meta: TemplateMeta, title: str, rows: list[TemplateRow], secret: str) -> bytes:
    """The workbook an editor downloads: one row per assigned indicator, current values pre-filled."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    # The title, the period and the instructions in the visible columns (column A holds the hidden keys),
    # each across the columns B–H, wrapped, with the height its text needs.
    lines = (
        (title, Font(bold=True, size=13), 1),
        (f"Kỳ báo cáo: {period_label(meta.period)} ({meta.period})", Font(bold=True), 1),
        (INSTRUCTIONS, Font(), 3),
        (
            "Ô xám là giá trị đã gửi hoặc đã duyệt: không thể sửa qua Excel. Bảng tính được khoá (không mật khẩu), "
            "chỉ các ô nhập liệu sửa được.",
            Font(italic=True),
            2,
        ),
    )
    for row, (text, font, height) in enumerate(lines, start=1):
        cell = _text(ws.cell(row=row, column=2), text)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=NOTE_COL)
        ws.row_dimensions[row].height = 16 * height + 2
    for col, name in enumerate(COLUMNS, start=1):
        cell = _text(ws.cell(row=HEADER_ROW, column=col), name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    grey = PatternFill("solid", fgColor="EEEEEE")
    validations: dict[str, DataValidation] = {}
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        signed = f"{row.key}|{row.version}|{_sign(secret, _meta_text(meta) + '|' + row.key + '|' + str(row.version))}"
        values = [
            signed,
            row.indicator,
            row.level,
            row.unit_label,
            row.target,
            row.previous,
            float(row.value) if row.value is not None else None,
            row.note,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col)
            if isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
            cell.alignment = Alignment(wrap_text=col in (2, 8), vertical="top")
        value_cell = ws.cell(row=i, column=VALUE_COL)
        value_cell.number_format = "0" if UNIT_RANGES.get(row.unit, (0, 0, False))[2] else "#,##0.00##"
        if row.editable:
            value_cell.protection = Protection(locked=False)
            ws.cell(row=i, column=NOTE_COL).protection = Protection(locked=False)
            dv = validations.get(row.unit)
            if dv is None:
                dv = _validation(row.unit, row.unit_label)
                validations[row.unit] = dv
                ws.add_data_validation(dv)
            dv.add(value_cell.coordinate)
        else:
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=i, column=col).fill = grey
    ws.column_dimensions["A"].hidden = True  # the stable keys stay, out of the way
    # Protected without a password: only the value and note cells of editable rows take input (a user who
    # must can still unprotect it, from the Review menu, without asking anyone).
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may still be changed
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    for col, width in zip(range(1, 9), (30, 60, 14, 14, 16, 18, 16, 40), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    meta_ws = wb.create_sheet(META_SHEET)
    _text(meta_ws.cell(row=1, column=1), _meta_text(meta))
    _text(meta_ws.cell(row=2, column=1), _sign(secret, _meta_text(meta)))
    meta_ws.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text(cell: Any, value: str) -> Any:
    """Write `value` as text, whatever it looks like: openpyxl turns a string beginning with "=" into a live
    formula (a note "=HYPERLINK(…&A7…)" would read the hidden key) and "#N/A" into an error. The quote prefix
    keeps it text when the officer edits the cell in Excel."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    cell.quotePrefix = value.startswith(("=", "+", "-", "@", "#"))
    return cell


def _validation(unit: str, label: str) -> DataValidation:
    low, high, whole = UNIT_RANGES.get(unit, (None, None, False))
    kind = "whole" if whole else "decimal"
    if low is not None and high is not None:
        dv = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high))
        prompt = f"Từ {low} đến {high}"
    else:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low or 0))
        prompt = f"Từ {low or 0} trở lên"
    dv.error = f"Giá trị không hợp lệ cho đơn vị “{label}”: {prompt}{', số nguyên' if whole else ''}."
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.prompt = prompt
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.allow_blank = True
    return dv


# --------------------------------------------------------------------------- reading an upload


def gettext_noop(message: str) -> str:
    """Marks a message for `make messages`; the view translates it (this module has no Django)."""
    return message


class UploadError(Exception):
    """The file as a whole is refused. `message` is Vietnamese (marked for translation), `params` fill it."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


BROKEN = gettext_noop("Tệp Excel bị hỏng, không đọc được.")


@dataclass
class UploadRow:
    excel_row: int
    key: str
    version: int
    raw_value: str  # the value as text for the shared number parser ('' = empty)
    note: str
    errors: list[str] = field(default_factory=list)
    from_formula: bool = False


def _cell_name(row: int, col: int) -> str:
    return f"dòng {row}, cột {get_column_letter(col)}"


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


_COORDINATE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,10})")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class _Refused(Exception):
    """Raised from inside the XML scan to stop it at the first cell beyond the template."""

    def __init__(self, error: UploadError) -> None:
        self.error = error


class _SheetScan(ContentHandler):
    """Streams a worksheet's XML and stops at the first row or column beyond what the template can hold.

    Reads only the `r` attributes of <row> and <c> (and <dimension ref>), as openpyxl would place them —
    an element without `r` follows the one before — so the reader after it never meets a cell it was not
    told about. Rows and cells must come in increasing order, as every spreadsheet program writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.row = 0
        self.column = 0

    def _beyond(self, row: int, column: int) -> None:
        if row > LAST_ROW:
            raise _Refused(
                UploadError(
                    gettext_noop(
                        "Tệp có ô ở dòng %(row)s, ngoài phạm vi biểu mẫu (tối đa %(max)s dòng số liệu, đến dòng "
                        "%(last)s): vui lòng dùng biểu mẫu tải từ trang nhập số liệu và không thêm dòng."
                    ),
                    row=_vn_int(row),
                    max=_vn_int(MAX_ROWS),
                    last=_vn_int(LAST_ROW),
                )
            )
        if column > MAX_COLUMNS:
            raise _Refused(
                UploadError(
                    gettext_noop(
                        "Tệp có ô ở cột %(column)s, ngoài phạm vi biểu mẫu (đến cột %(last)s): vui lòng xoá "
                        "các cột thừa."
                    ),
                    column=get_column_letter(min(column, 18278)),
                    last=get_column_letter(MAX_COLUMNS),
                )
            )

    def _coordinate(self, ref: str) -> tuple[int, int]:
        match = _COORDINATE.fullmatch(ref)
        if match is None:
            raise _Refused(UploadError(BROKEN))
        return int(match[2]), _column_index(match[1])

    def startElement(self, name: str, attrs: Any) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            ref = attrs.get("r")
            row = int(ref) if ref is not None and ref.isdigit() else (self.row + 1 if ref is None else -1)
            if row <= self.row:
                raise _Refused(UploadError(BROKEN))
            self._beyond(row, 1)
            self.row, self.column = row, 0
        elif local == "c":
            ref = attrs.get("r")
            row, column = (self.row, self.column + 1) if ref is None else self._coordinate(ref)
            if row != self.row or column <= self.column:
                raise _Refused(UploadError(BROKEN))
            self._beyond(row, column)
            self.column = column
        elif local == "dimension":
            for part in (attrs.get("ref") or "A1").split(":"):
                self._beyond(*self._coordinate(part))


def _parse_xml(archive: zipfile.ZipFile, name: str, handler: ContentHandler) -> None:
    """Parse one member with defusedxml: no DTD at all (Excel never writes one), hence no entity expansion
    (billion laughs) and no external or undefined entity."""
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    with archive.open(name) as source:
        parser.parse(source)


def _open_archive(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The checks every upload passes before anything is parsed: its size, what it is (a zip), the zip's
    directory (member count, declared uncompressed sizes: Python's zipfile never inflates a member past
    its declared size)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(gettext_noop("Tệp lớn hơn 5 MB."))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE container: an encrypted (password-protected) xlsx, or an old .xls.
        raise UploadError(
            gettext_noop(
                "Tệp được bảo vệ bằng mật khẩu hoặc là định dạng Excel 97–2003 (.xls): vui lòng bỏ mật khẩu "
                "và lưu dưới dạng .xlsx."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UploadError(NOT_A_SPREADSHEET)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # hostile input: whatever zipfile raises, the file is broken
        raise UploadError(BROKEN) from exc
    if len(infos) > MAX_MEMBERS:
        raise UploadError(
            gettext_noop("Tệp Excel có %(n)s thành phần, quá nhiều (tối đa %(max)s): không xử lý."),
            n=_vn_int(len(infos)),
            max=_vn_int(MAX_MEMBERS),
        )
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise UploadError(
            gettext_noop(
                "Tệp Excel giải nén quá lớn (hơn %(max)s MB, có thể là tệp độc hại): không xử lý. Biểu mẫu "
                "đã điền chỉ nặng vài trăm KB."
            ),
            max=MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
        )
    return archive, infos


NOT_A_SPREADSHEET = gettext_noop("Tệp không phải là bảng tính Excel (.xlsx) hoặc OpenDocument (.ods).")


def is_ods(archive: zipfile.ZipFile) -> bool:
    """Whether the zip is an OpenDocument spreadsheet: its first member, "mimetype", says so."""
    try:
        return archive.read("mimetype").strip() == ODS_MIMETYPE
    except Exception:
        return False


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Everything about an .xlsx that can be known before a spreadsheet reader touches it, cheaply.

    The zip directory (`_open_archive`), then every XML member streamed once through defusedxml, with each
    worksheet's declared range and actual cell positions checked against the template's size. Raises
    UploadError. (An .ods has the same checks in `check_ods_archive`.)"""
    archive, infos = _open_archive(data)
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadError(
            gettext_noop("Tệp có chứa macro (.xlsm): vui lòng lưu lại dưới dạng .xlsx không có macro.")
        )
    if "xl/workbook.xml" not in names:
        raise UploadError(NOT_A_SPREADSHEET)
    try:
        for info in infos:
            name = info.filename
            if info.is_dir() or not name.lower().endswith((".xml", ".rels", ".vml")):
                continue
            is_sheet = name.startswith("xl/worksheets/") and name.count("/") == 2
            _parse_xml(archive, name, _SheetScan() if is_sheet else ContentHandler())
    except _Refused as refused:
        raise refused.error from None
    except Exception as exc:  # bad XML, a DTD (DefusedXmlException), an encrypted or unsupported member…
        raise UploadError(BROKEN) from exc
    return archive


# --------------------------------------------------------------------------- OpenDocument (.ods)


def _attr(attrs: Any, local: str) -> str | None:
    """An attribute by its local name, whatever prefix the file gives its namespace."""
    for name in attrs.getNames():
        if name.rpartition(":")[2] == local:
            return attrs.getValue(name)
    return None


def _repeat(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise _Refused(UploadError(BROKEN))
    return int(raw)


class _OdsScan(ContentHandler):
    """Streams an .ods's content.xml: every table's rows and cells with their repeats, refusing a cell with
    content beyond what the template can hold (LibreOffice writes the empty rest of a sheet as one row
    repeated a million times: that is allowed, a repeated row or cell with content there is not), and
    noting for the template's sheet which value cells hold a formula or a percentage."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[str] = []
        self.table = ""
        self.row = 0  # the last row of the current row element (repeats included)
        self.first_row = 0
        self.column = 0
        self.cell: tuple[int, int] | None = None  # (first column, last column) of a cell being read
        self.cell_checked = False
        self.kinds: dict[int, tuple[bool, bool]] = {}  # template row → (formula, percent) of column G

    def _check(self, last_column: int) -> None:
        """The same limits and messages as a worksheet's (`_SheetScan`)."""
        _SheetScan._beyond(self, self.row, last_column)  # type: ignore[arg-type]

    def startElement(self, name: str, attrs: Any) -> None:
        local = name.rpartition(":")[2]
        if local == "table":
            self.table = _attr(attrs, "name") or ""
            self.tables.append(self.table)
            self.row = 0
        elif local == "table-row":
            reps = _repeat(_attr(attrs, "number-rows-repeated"))
            self.first_row, self.row, self.column = self.row + 1, self.row + reps, 0
        elif local in ("table-cell", "covered-table-cell"):
            reps = _repeat(_attr(attrs, "number-columns-repeated"))
            first, self.column = self.column + 1, self.column + reps
            self.cell, self.cell_checked = (first, self.column), False
            kind = _attr(attrs, "value-type")
            formula = _attr(attrs, "formula") is not None
            if kind is not None or formula:
                self._content()
            if self.table == SHEET and first <= VALUE_COL <= self.column and self.row <= LAST_ROW:
                for row in range(self.first_row, self.row + 1):
                    self.kinds[row] = (formula, kind == "percentage")
        elif local == "p" and self.cell is not None:
            self._content()

    def _content(self) -> None:
        if self.cell is not None and not self.cell_checked:
            self.cell_checked = True
            self._check(self.cell[1])

    def endElement(self, name: str) -> None:
        if name.rpartition(":")[2] in ("table-cell", "covered-table-cell"):
            self.cell = None


def check_ods_archive(data: bytes) -> tuple[zipfile.ZipFile, _OdsScan]:
    """The checks of an .xlsx (`check_archive`) for an .ods: the zip's directory, no macros, every XML
    member through defusedxml (no DTD, no entities), and the sheets' cells within the template's size."""
    archive, infos = _open_archive(data)
    if not is_ods(archive):
        raise UploadError(NOT_A_SPREADSHEET)
    names = {i.filename for i in infos}
    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
        raise UploadError(gettext_noop("Tệp có chứa macro: vui lòng lưu lại bảng tính không có macro."))
    if "content.xml" not in names:
        raise UploadError(BROKEN)
    scan = _OdsScan()
    try:
        for info in infos:
            name = info.filename
            if info.is_dir() or not name.lower().endswith((".xml", ".rdf")):
                continue
            _parse_xml(archive, name, scan if name == "content.xml" else ContentHandler())
    except _Refused as refused:
        raise refused.error from None
    except Exception as exc:
        raise UploadError(BROKEN) from exc
    return archive, scan


@dataclass(frozen=True)
class _Cell:
    """A cell as the rows are read from it, whatever the file's format: its value (a formula's computed
    result), whether it holds a formula, whether it is formatted as a percentage."""

    value: Any
    formula: bool = False
    percent: bool = False


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """Whether a cell's number format shows its value as a percentage ("0.0%", "#,##0.00 %"); a "%" in
    quotes, escaped or in a [condition] does not count."""
    return "%" in _QUOTED.sub("", number_format or "")


def read_upload(data: bytes, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    """Check the file and read its rows (.xlsx or .ods). Raises UploadError for a file refused as a whole.

    The archive is checked first (`check_archive`, `check_ods_archive`); then the reader reads only the
    rows and columns the template can hold, and any error while reading — at open or on any row — refuses
    the file as broken."""
    archive, _infos = _open_archive(data)
    if is_ods(archive):
        return _read_ods(data, meta=meta, secret=secret)
    check_archive(data)
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        cached = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise UploadError(BROKEN) from exc
    try:
        if META_SHEET not in formulas.sheetnames or SHEET not in formulas.sheetnames:
            raise UploadError(NOT_A_TEMPLATE)
        stored = [
            str(r[0] or "")
            for r in formulas[META_SHEET].iter_rows(min_row=1, max_row=2, max_col=1, values_only=True)
        ]
        ws_f, ws_v = formulas[SHEET], cached[SHEET]
        # Only the rows the template can hold, whatever the sheet declares: openpyxl fills the gap before a
        # far-away row with empty rows one by one, so an unbounded read of one cell at row 2,000,000,000
        # walks two billion rows. check_archive refuses such a file first; the bound holds even without it.
        bounds = {"min_row": HEADER_ROW + 1, "max_row": LAST_ROW, "max_col": NOTE_COL}
        pairs = zip(ws_f.iter_rows(**bounds), ws_v.iter_rows(**bounds, values_only=True), strict=False)
        rows = (
            (
                HEADER_ROW + 1 + offset,
                [
                    _Cell(
                        value,
                        formula=cell.data_type == "f",
                        percent=is_percent_format(getattr(cell, "number_format", None)),
                    )
                    for cell, value in zip(cells, values, strict=False)
                ],
            )
            for offset, (cells, values) in enumerate(pairs)
        )
        return _read_rows(stored, rows, meta=meta, secret=secret)
    except UploadError:
        raise
    except Exception as exc:  # a malformed cell met while reading rows (NaN, bad reference, bad XML…)
        raise UploadError(BROKEN) from exc
    finally:
        formulas.close()
        cached.close()


def _read_ods(data: bytes, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    """An .ods read with pandas (odfpy) once `check_ods_archive` has bounded it; which value cells hold a
    formula or a percentage comes from that scan (pandas gives the values only)."""
    import pandas as pd  # only when an .ods comes

    _archive, scan = check_ods_archive(data)
    if META_SHEET not in scan.tables or SHEET not in scan.tables:
        raise UploadError(NOT_A_TEMPLATE)
    try:
        frames = pd.read_excel(
            io.BytesIO(data),
            engine="odf",
            sheet_name=[SHEET, META_SHEET],
            header=None,
            dtype=object,
            nrows=LAST_ROW,
        )
    except Exception as exc:
        raise UploadError(BROKEN) from exc

    def value(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, str) and v == "":
            return None
        return v

    try:
        meta_frame = frames[META_SHEET]
        stored = [str(value(meta_frame.iat[i, 0]) or "") if i < len(meta_frame) else "" for i in range(2)]
        sheet = frames[SHEET]
        width = min(sheet.shape[1], NOTE_COL)

        def rows():
            for index in range(HEADER_ROW, min(len(sheet), LAST_ROW)):
                excel_row = index + 1
                formula, percent = scan.kinds.get(excel_row, (False, False))
                cells = [_Cell(value(sheet.iat[index, c])) for c in range(width)]
                cells += [_Cell(None)] * (NOTE_COL - width)
                cells[VALUE_COL - 1] = _Cell(cells[VALUE_COL - 1].value, formula=formula, percent=percent)
                yield excel_row, cells

        return _read_rows(stored, rows(), meta=meta, secret=secret)
    except UploadError:
        raise
    except Exception as exc:
        raise UploadError(BROKEN) from exc


NOT_A_TEMPLATE = gettext_noop(
    "Đây không phải biểu mẫu nhập liệu của DTI Portal: vui lòng tải biểu mẫu từ trang nhập số liệu."
)


def _read_rows(stored: list[str], rows: Any, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    stored = [*stored, "", ""]
    if stored[1] != _sign(secret, stored[0]) or not stored[0].startswith("dtiportal-entry|"):
        raise UploadError(
            gettext_noop("Biểu mẫu không hợp lệ hoặc đã bị sửa phần khoá: vui lòng tải biểu mẫu mới.")
        )
    _, dept, locality, period = stored[0].split("|")
    if int(dept) != meta.department_id or locality != meta.locality:
        raise UploadError(
            gettext_noop("Biểu mẫu này là của đơn vị khác: vui lòng dùng biểu mẫu của đơn vị bạn.")
        )
    if period != meta.period:
        raise UploadError(
            gettext_noop("Biểu mẫu này là của kỳ %(theirs)s, không phải kỳ %(ours)s."),
            theirs=period,
            ours=meta.period,
        )
    out: list[UploadRow] = []
    for excel_row, cells in rows:
        cells = list(cells) + [_Cell(None)] * (NOTE_COL - len(cells))
        if cells[KEY_COL - 1].value is None and all(c.value in (None, "") for c in cells):
            continue
        out.append(_read_row(excel_row, cells, meta, secret))
    if not out:
        raise UploadError(gettext_noop("Tệp không có dòng số liệu nào."))
    return out


def _read_row(excel_row: int, cells: list[_Cell], meta: TemplateMeta, secret: str) -> UploadRow:
    raw_key = str(cells[KEY_COL - 1].value or "")
    parts = raw_key.split("|")
    note = str(cells[NOTE_COL - 1].value or "").strip()
    row = UploadRow(excel_row=excel_row, key="", version=0, raw_value="", note=note)
    if len(note) > NOTE_MAX_CHARS:
        # Refused, never cut; the preview shows its beginning only.
        row.errors.append(
            f"{_cell_name(excel_row, NOTE_COL)}: ghi chú dài {_vn_int(len(note))} ký tự, tối đa "
            f"{_vn_int(NOTE_MAX_CHARS)} ký tự."
        )
        row.note = note[:200] + "…"
    if len(parts) != 4 or _sign(secret, _meta_text(meta) + "|" + "|".join(parts[:3])) != parts[3]:
        row.errors.append(
            f"{_cell_name(excel_row, KEY_COL)}: khoá chỉ tiêu không hợp lệ (dòng bị thêm hoặc sửa)."
        )
        return row
    row.key = f"{parts[0]}|{parts[1]}"
    row.version = int(parts[2]) if parts[2].isdigit() else -1
    cell = cells[VALUE_COL - 1]
    value = cell.value
    if cell.formula:
        # Formulas: the value the spreadsheet computed and saved is used (rounded to the indicator's
        # precision by the import); without one the cell is refused.
        if value is None:
            row.errors.append(
                f"{_cell_name(excel_row, VALUE_COL)}: ô chứa công thức nhưng không có giá trị đã tính "
                "(hãy mở tệp bằng Excel và lưu lại, hoặc nhập số thay cho công thức)."
            )
            return row
        row.from_formula = True
    if value is None or (isinstance(value, str) and not value.strip()):
        row.raw_value = ""
    elif isinstance(value, bool):
        row.errors.append(f"{_cell_name(excel_row, VALUE_COL)}: ô phải chứa số, không phải TRUE/FALSE.")
    elif isinstance(value, float) and not math.isfinite(value):  # <v>1e999</v>: no figure is infinite
        row.errors.append(f"{_cell_name(excel_row, VALUE_COL)}: ô phải chứa một số hữu hạn.")
    elif isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if cell.percent:  # 78,5 % is stored as 0.785 in a percentage cell: it means 78.5
            number *= 100
        row.raw_value = format(number.normalize(), "f")
    elif isinstance(value, str):
        row.raw_value = (
            value.strip()
        )  # text in a number cell: the shared parser accepts "12,5" or says why not
    else:
        row.errors.append(f"{_cell_name(excel_row, VALUE_COL)}: ô phải chứa số.")
    return row
