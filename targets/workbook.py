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
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # a zip bomb is refused before openpyxl inflates it
SHEET = "Biểu nhập"
META_SHEET = "_meta"
HEADER_ROW = 6
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
    ws["A1"] = ILLEGAL_CHARACTERS_RE.sub("", title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"Kỳ báo cáo: {meta.period}"
    ws["A3"] = (
        "Nhập giá trị vào cột “Giá trị kỳ này” (số, không nhập công thức), ghi chú nếu cần, rồi tải tệp lên "
        "mục Nhập số liệu › Nhập từ Excel. Không sửa cột “Khoá” và không thêm dòng."
    )
    ws["A4"] = "Ô xám là giá trị đã gửi hoặc đã duyệt: không thể sửa qua Excel."
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
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
            cell = ws.cell(row=i, column=col, value=value)
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
    meta_ws["A1"] = _meta_text(meta)
    meta_ws["A2"] = _sign(secret, _meta_text(meta))
    meta_ws.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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


class UploadError(Exception):
    """The file as a whole is refused; the message says why, in Vietnamese."""


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


def read_upload(data: bytes, *, meta: TemplateMeta, secret: str) -> list[UploadRow]:
    """Check the file and read its rows. Raises UploadError for a file refused as a whole."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError("Tệp lớn hơn 5 MB.")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE container: an encrypted (password-protected) xlsx, or an old .xls.
        raise UploadError(
            "Tệp được bảo vệ bằng mật khẩu hoặc là định dạng Excel 97–2003 (.xls): vui lòng bỏ mật khẩu "
            "và lưu dưới dạng .xlsx."
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UploadError("Tệp không phải là bảng tính Excel (.xlsx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UploadError("Tệp Excel bị hỏng, không đọc được.") from exc
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise UploadError("Tệp Excel giải nén quá lớn (có thể là tệp độc hại): không xử lý.")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadError("Tệp có chứa macro (.xlsm): vui lòng lưu lại dưới dạng .xlsx không có macro.")
    if "xl/workbook.xml" not in names:
        raise UploadError("Tệp không phải là bảng tính Excel (.xlsx).")
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        cached = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise UploadError("Tệp Excel bị hỏng, không đọc được.") from exc
    try:
        if META_SHEET not in formulas.sheetnames or SHEET not in formulas.sheetnames:
            raise UploadError(
                "Đây không phải biểu mẫu nhập liệu của DTI Portal: vui lòng tải biểu mẫu từ trang nhập số liệu."
            )
        meta_cells = [
            row for row in formulas[META_SHEET].iter_rows(min_row=1, max_row=2, max_col=1, values_only=True)
        ]
        stored = [str(r[0] or "") for r in meta_cells] + ["", ""]
        if stored[1] != _sign(secret, stored[0]) or not stored[0].startswith("dtiportal-entry|"):
            raise UploadError("Biểu mẫu không hợp lệ hoặc đã bị sửa phần khoá: vui lòng tải biểu mẫu mới.")
        _, dept, locality, period = stored[0].split("|")
        if int(dept) != meta.department_id or locality != meta.locality:
            raise UploadError("Biểu mẫu này là của đơn vị khác: vui lòng dùng biểu mẫu của đơn vị bạn.")
        if period != meta.period:
            raise UploadError(f"Biểu mẫu này là của kỳ {period}, không phải kỳ {meta.period}.")
        ws_f, ws_v = formulas[SHEET], cached[SHEET]
        if (ws_f.max_row or 0) - HEADER_ROW > MAX_ROWS:
            raise UploadError(f"Tệp có hơn {MAX_ROWS} dòng.")
        rows: list[UploadRow] = []
        pairs = zip(
            ws_f.iter_rows(min_row=HEADER_ROW + 1, max_col=NOTE_COL),
            ws_v.iter_rows(min_row=HEADER_ROW + 1, max_col=NOTE_COL, values_only=True),
            strict=False,
        )
        for offset, (cells, values) in enumerate(pairs):
            excel_row = HEADER_ROW + 1 + offset
            values = list(values) + [None] * (NOTE_COL - len(values))
            raw_key = values[KEY_COL - 1]
            if raw_key is None and all(v in (None, "") for v in values):
                continue
            rows.append(_read_row(excel_row, cells, values, meta, secret))
            if len(rows) > MAX_ROWS:
                raise UploadError(f"Tệp có hơn {MAX_ROWS} dòng.")
    finally:
        formulas.close()
        cached.close()
    if not rows:
        raise UploadError("Tệp không có dòng số liệu nào.")
    return rows


def _read_row(excel_row: int, cells: Any, values: list[Any], meta: TemplateMeta, secret: str) -> UploadRow:
    raw_key = str(values[KEY_COL - 1] or "")
    parts = raw_key.split("|")
    row = UploadRow(
        excel_row=excel_row, key="", version=0, raw_value="", note=str(values[NOTE_COL - 1] or "").strip()
    )
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
    elif isinstance(value, (int, float, Decimal)):
        row.raw_value = format(Decimal(str(value)).normalize(), "f")
    elif isinstance(value, str):
        row.raw_value = (
            value.strip()
        )  # text in a number cell: the shared parser accepts "12,5" or says why not
    else:
        row.errors.append(f"{_cell_name(excel_row, VALUE_COL)}: ô phải chứa số.")
    return row
