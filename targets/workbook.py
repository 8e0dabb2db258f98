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
    _text(ws.cell(row=1, column=1), title).font = Font(bold=True, size=13)
    _text(ws.cell(row=2, column=1), f"Kỳ báo cáo: {meta.period}")
    _text(
        ws.cell(row=3, column=1),
        "Nhập giá trị vào cột “Giá trị kỳ này” (số, không nhập công thức), ghi chú nếu cần, rồi tải tệp lên "
        "mục Nhập số liệu › Nhập từ Excel. Không sửa cột “Khoá” và không thêm dòng.",
    )
    _text(ws.cell(row=4, column=1), "Ô xám là giá trị đã gửi hoặc đã duyệt: không thể sửa qua Excel.")
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


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Everything about the file that can be known before a spreadsheet reader touches it, cheaply.

    The zip directory (member count, uncompressed sizes: Python's zipfile never inflates a member past
    its declared size), then every XML member streamed once through defusedxml, with each worksheet's
    declared range and actual cell positions checked against the template's size. Raises UploadError."""
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
        raise UploadError(gettext_noop("Tệp không phải là bảng tính Excel (.xlsx)."))
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
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadError(
            gettext_noop("Tệp có chứa macro (.xlsm): vui lòng lưu lại dưới dạng .xlsx không có macro.")
        )
    if "xl/workbook.xml" not in names:
        raise UploadError(gettext_noop("Tệp không phải là bảng tính Excel (.xlsx)."))
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


def read_upload(data: bytes, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    """Check the file and read its rows. Raises UploadError for a file refused as a whole.

    The archive is checked first (`check_archive`); then the reader reads only the rows and columns the
    template can hold, and any error while reading — at open or on any row — refuses the file as broken."""
    check_archive(data)
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        cached = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise UploadError(BROKEN) from exc
    try:
        return _read_rows(formulas, cached, meta=meta, secret=secret)
    except UploadError:
        raise
    except Exception as exc:  # a malformed cell met while reading rows (NaN, bad reference, bad XML…)
        raise UploadError(BROKEN) from exc
    finally:
        formulas.close()
        cached.close()


def _read_rows(formulas: Any, cached: Any, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    if META_SHEET not in formulas.sheetnames or SHEET not in formulas.sheetnames:
        raise UploadError(
            gettext_noop(
                "Đây không phải biểu mẫu nhập liệu của DTI Portal: vui lòng tải biểu mẫu từ trang nhập số liệu."
            )
        )
    meta_cells = [
        row for row in formulas[META_SHEET].iter_rows(min_row=1, max_row=2, max_col=1, values_only=True)
    ]
    stored = [str(r[0] or "") for r in meta_cells] + ["", ""]
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
    ws_f, ws_v = formulas[SHEET], cached[SHEET]
    rows: list[UploadRow] = []
    # Only the rows the template can hold, whatever the sheet declares: openpyxl fills the gap before a
    # far-away row with empty rows one by one, so an unbounded read of one cell at row 2,000,000,000 walks
    # two billion rows. check_archive refuses such a file first; the bound holds even without it.
    bounds = {"min_row": HEADER_ROW + 1, "max_row": LAST_ROW, "max_col": NOTE_COL}
    pairs = zip(ws_f.iter_rows(**bounds), ws_v.iter_rows(**bounds, values_only=True), strict=False)
    for offset, (cells, values) in enumerate(pairs):
        excel_row = HEADER_ROW + 1 + offset
        values = list(values) + [None] * (NOTE_COL - len(values))
        raw_key = values[KEY_COL - 1]
        if raw_key is None and all(v in (None, "") for v in values):
            continue
        rows.append(_read_row(excel_row, cells, values, meta, secret))
    if not rows:
        raise UploadError(gettext_noop("Tệp không có dòng số liệu nào."))
    return rows


def _read_row(excel_row: int, cells: Any, values: list[Any], meta: TemplateMeta, secret: str) -> UploadRow:
    raw_key = str(values[KEY_COL - 1] or "")
    parts = raw_key.split("|")
    note = str(values[NOTE_COL - 1] or "").strip()
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
    formula_cell = cells[VALUE_COL - 1] if len(cells) >= VALUE_COL else None
    value = values[VALUE_COL - 1]
    if formula_cell is not None and formula_cell.data_type == "f":
        # Formulas: the value Excel computed and saved is used; without one the cell is refused.
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
        row.raw_value = format(Decimal(str(value)).normalize(), "f")
    elif isinstance(value, str):
        row.raw_value = (
            value.strip()
        )  # text in a number cell: the shared parser accepts "12,5" or says why not
    else:
        row.errors.append(f"{_cell_name(excel_row, VALUE_COL)}: ô phải chứa số.")
    return row
