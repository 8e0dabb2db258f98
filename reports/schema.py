"""The one description of every open dataset — pure Python, no Django.

Each dataset lists its fields (name, Frictionless type, unit, description in Vietnamese and English), its
primary key and foreign keys, and which columns the public filters (`locality`, `indicator`, `pillar`,
`year`, `period`, `since`) read. The `/open-data/` page, `datapackage.json` (Frictionless tabular data
package) and the DCAT record (JSON-LD) are generated from it; the files are written in its column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
PUBLISHER_VI = "Cổng theo dõi chuyển đổi số (DTI Portal)"
PUBLISHER_EN = "DTI Portal (digital-transformation tracking)"
# Official two-digit province codes of the publishing cities (also stored on each locality).
PROVINCE_CODES = {"ha-noi": "01", "hai-phong": "31", "da-nang": "48"}
FILTERS = ("locality", "indicator", "pillar", "year", "period", "since")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless Table Schema type: string, integer, number, boolean, date, datetime
    vi: str
    en: str
    unit: str = ""  # "": none; "per row": the row's `unit` column says
    required: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    name: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # filter → the column it reads (a filter a dataset has no column for is refused with a 400)
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_vi


def _f(name: str, type_: str, vi: str, en: str, **kw: Any) -> Field:
    return Field(name, type_, vi, en, **kw)


_LOCALITY = _f("locality", "string", "Mã địa phương (slug)", "Locality slug", required=True)
_LOCALITY_CODE = _f(
    "locality_code",
    "string",
    "Mã tỉnh chính thức (Hà Nội 01, Hải Phòng 31, Đà Nẵng 48)",
    "Official province code (Ha Noi 01, Hai Phong 31, Da Nang 48)",
)
_PILLAR = _f("pillar", "string", "Trụ cột (chính quyền số, kinh tế số, xã hội số, DTI)", "Pillar")
# A target's pillar is the one its document lists it under (issue #16), the indicator's by default.
_TARGET_PILLAR = _f(
    "pillar",
    "string",
    "Trụ cột theo văn bản (mặc định: trụ cột của chỉ tiêu)",
    "Pillar as the document gives it (default: the indicator's)",
)
_INDICATOR = _f("indicator_code", "string", "Mã chỉ tiêu", "Indicator code", required=True)
_INDICATOR_NAME = _f("indicator_name", "string", "Tên chỉ tiêu", "Indicator name (Vietnamese)")
_INDICATOR_NAME_EN = _f("indicator_name_en", "string", "Tên chỉ tiêu (tiếng Anh)", "Indicator name (English)")
_UNIT = _f(
    "unit",
    "string",
    "Đơn vị đo của số liệu",
    "Unit of the figure",
    enum=("percent", "count", "per_1000", "rank", "growth_rate", "score", "milestone", "index"),
)
_LEVEL = _f(
    "level",
    "string",
    "Cấp (trống: toàn địa phương)",
    "Level (empty: the whole locality)",
    enum=("", "city", "district", "commune"),
)
_PERIOD = _f(
    "period",
    "string",
    "Kỳ của số liệu (2026-Q3 hoặc năm 2024)",
    "Period of the figure (2026-Q3 or 2024)",
    required=True,
)
_PERIOD_TYPE = _f(
    "period_type", "string", "Loại kỳ: quý hoặc năm", "Period type: quarter or year", enum=("quarter", "year")
)
_KNOWN_ON = _f("known_on", "date", "Ngày số liệu được biết đến", "Day the figure became known")
_KNOWN_BASIS = _f(
    "known_basis",
    "string",
    "Căn cứ của known_on: ngày công bố, ngày duyệt hoặc hết kỳ",
    "Basis of known_on: publication, approval or period end",
)
_LAST_CHANGED = _f("last_changed", "datetime", "Lần thay đổi gần nhất (UTC)", "Last changed (UTC)")

_TARGET_FIELDS = (
    _f("target_id", "integer", "Mã mục tiêu (ổn định)", "Target identifier (stable)", required=True),
    _LOCALITY,
    _LOCALITY_CODE,
    _TARGET_PILLAR,
    _INDICATOR,
    _INDICATOR_NAME,
    _LEVEL,
    _f("year", "integer", "Năm mục tiêu", "Target year", required=True),
    _f(
        "comparator",
        "string",
        "So sánh (>=, >, =, ~, <=, <, range)",
        "Comparator",
        enum=(">=", ">", "=", "~", "<=", "<", "range"),
    ),
    _f("value", "number", "Giá trị mục tiêu", "Target value", unit="per row"),
    _f("value_max", "number", "Cận trên (mục tiêu khoảng)", "Upper bound (range target)", unit="per row"),
    _UNIT,
    _f("higher_is_better", "boolean", "Càng cao càng tốt", "Higher is better"),
    _f("applies_until", "date", "Áp dụng đến", "Applies until"),
    _f(
        "ranked_among",
        "integer",
        "Mục tiêu thứ hạng: số đơn vị của bảng xếp hạng khi đặt mục tiêu (63; từ bảng xếp hạng 2024 đánh giá "
        "trên 34 đơn vị)",
        "Rank target: units in the ranking it was set against (63; judged on the 34-unit ranking from 2024)",
    ),
    _f(
        "aggregation",
        "string",
        "Cách so sánh: trống = số liệu năm mục tiêu; each_year = từng năm; period_average = bình quân giai đoạn",
        "Comparison: empty = the target year's figure; each_year = every year; period_average = period average",
        enum=("", "each_year", "period_average"),
    ),
    _f(
        "period_from",
        "integer",
        "Giai đoạn từ năm (so sánh theo giai đoạn)",
        "Period from (period comparisons)",
    ),
    _f("document", "string", "Mã văn bản nguồn", "Source document code"),
    _f("source_document", "string", "Văn bản nguồn (số hiệu: tiêu đề)", "Source document (number: title)"),
    _f("source_quote", "string", "Trích dẫn nguyên văn", "Verbatim quote"),
    # The national frame (issue #21).
    _f(
        "national_target_id",
        "integer",
        "Mục tiêu quốc gia mà mục tiêu này cụ thể hoá (national_targets)",
        "The national target this target derives from (national_targets)",
    ),
    _f(
        "dti_indices",
        "string",
        "Chỉ số chính DTI mà chỉ tiêu đóng góp, theo từng khung: “khung=chỉ số”, cách nhau bởi “ | ”",
        "The DTI main index the indicator feeds under each framework: “framework=index”, separated by “ | ”",
    ),
)

_PROGRESS_EXTRA = (
    _f("as_of", "string", "Thời điểm đánh giá (quý)", "Assessed as of (quarter)"),
    _f("provisional", "boolean", "Tạm tính (quý hiện tại)", "Provisional (current quarter)"),
    _f("status", "string", "Đánh giá tiến độ", "Progress status"),
    _f("provisional_status", "string", "Đánh giá tạm theo số liệu trước hạn", "Provisional verdict"),
    _f("latest", "number", "Số liệu được đánh giá", "Figure judged", unit="per row"),
    _f("latest_period", "string", "Kỳ của số liệu được đánh giá", "Period of the figure judged"),
    _f("latest_known_on", "date", "Ngày số liệu đó được biết đến", "Day that figure became known"),
    _f("latest_known_basis", "string", "Căn cứ của ngày đó", "Basis of that day"),
    _f("gap", "number", "Khoảng cách đến mục tiêu", "Gap to the target", unit="per row"),
    _f("completion", "number", "Mức hoàn thành (0–1)", "Completion (0–1)", unit="ratio"),
    _f(
        "expected_completion",
        "number",
        "Mức hoàn thành kỳ vọng (0–1)",
        "Expected completion (0–1)",
        unit="ratio",
    ),
    _f("projected", "number", "Dự báo tại năm mục tiêu", "Projection at the target year", unit="per row"),
    _f("required_pace_per_year", "number", "Tốc độ cần mỗi năm", "Required pace per year", unit="per row"),
    _f("opensdg_status", "string", "Đánh giá theo Open SDG", "Open SDG measure"),
    _f(
        "latest_origin",
        "string",
        "Nguồn gốc số liệu (demo: minh hoạ)",
        "Origin of the figure (demo: not real)",
    ),
    _f(
        "latest_after_deadline",
        "number",
        "Số liệu mới nhất sau hạn (tham khảo)",
        "Newest figure after the deadline",
        unit="per row",
    ),
    _f("latest_after_deadline_period", "string", "Kỳ của số liệu đó", "Its period"),
)

_LOC_FK = ForeignKey(("locality",), "localities", ("locality",))
_IND_FK = ForeignKey(("indicator_code",), "indicators", ("indicator_code",))
_BY_LOCALITY = {"locality": "locality", "indicator": "indicator_code", "pillar": "pillar"}

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "localities",
        "Địa phương",
        "Localities",
        "Các địa phương công khai số liệu, với mã tỉnh chính thức.",
        "The localities that publish their figures, with the official province code.",
        (
            _LOCALITY,
            _LOCALITY_CODE,
            _f("name", "string", "Tên", "Name (Vietnamese)"),
            _f("name_en", "string", "Tên tiếng Anh", "Name (English)"),
            _f("valid_to", "date", "Có hiệu lực đến (sáp nhập)", "Valid until (merged)"),
            _f("is_demo", "boolean", "Dữ liệu minh hoạ", "Demonstration data"),
        ),
        ("locality",),
        filters={"locality": "locality"},
    ),
    Dataset(
        "indicators",
        "Chỉ tiêu",
        "Indicators",
        "Danh mục chỉ tiêu: mã, tên, trụ cột, đơn vị, chiều tốt.",
        "The indicator catalogue: code, names, pillar, unit, direction.",
        (
            _INDICATOR,
            _INDICATOR_NAME,
            _INDICATOR_NAME_EN,
            _PILLAR,
            _UNIT,
            _f("higher_is_better", "boolean", "Càng cao càng tốt", "Higher is better"),
            _f(
                "frequency", "string", "Tần suất báo cáo", "Reporting frequency", enum=("quarterly", "annual")
            ),
            _f("definition", "string", "Định nghĩa", "Definition"),
        ),
        ("indicator_code",),
        filters={"indicator": "indicator_code", "pillar": "pillar"},
    ),
    Dataset(
        "documents",
        "Văn bản nguồn",
        "Source documents",
        "Văn bản (nghị quyết, kế hoạch) mà các mục tiêu được trích từ đó.",
        "The documents (resolutions, plans) the targets are quoted from.",
        (
            _f("document", "string", "Mã văn bản", "Document code", required=True),
            _LOCALITY,
            _f("number", "string", "Số hiệu", "Number"),
            _f("title", "string", "Tiêu đề", "Title"),
            _f("issuer", "string", "Cơ quan ban hành", "Issuer"),
            _f("issued_on", "date", "Ngày ban hành", "Issued on"),
            _f("source_url", "string", "Nguồn", "Source address"),
        ),
        ("document",),
        (_LOC_FK,),
        filters={"locality": "locality"},
    ),
    Dataset(
        "targets",
        "Mục tiêu",
        "Targets",
        "Mỗi dòng một mục tiêu, kèm trích dẫn nguyên văn và văn bản nguồn.",
        "One row per target, with its verbatim quote and source document.",
        _TARGET_FIELDS,
        ("target_id",),
        (
            _LOC_FK,
            _IND_FK,
            ForeignKey(("document",), "documents", ("document",)),
            ForeignKey(("national_target_id",), "national_targets", ("national_target_id",)),
        ),
        filters={**_BY_LOCALITY, "year": "year"},
    ),
    Dataset(
        "actuals",
        "Số liệu thực hiện",
        "Actuals",
        "Số liệu đã duyệt và số liệu công bố (không bao giờ có bản nháp, bản chờ duyệt hay bị trả lại), "
        "mỗi số liệu kèm kỳ, đơn vị và ngày được biết đến.",
        "Approved and published figures (never a draft, a submission or a returned value), each with its "
        "period, unit and the day it became known.",
        (
            _LOCALITY,
            _LOCALITY_CODE,
            _PILLAR,
            _INDICATOR,
            _INDICATOR_NAME,
            _UNIT,
            _LEVEL,
            _PERIOD,
            _PERIOD_TYPE,
            _f("year", "integer", "Năm của kỳ", "Year of the period"),
            _f("value", "number", "Giá trị", "Value", unit="per row"),
            _f(
                "origin",
                "string",
                "Nguồn gốc (demo: minh hoạ, không phải số liệu thật)",
                "Origin (demo: not a real figure)",
                enum=("entered", "imported", "published", "demo"),
            ),
            _f("source", "string", "Nguồn công bố", "Published source"),
            _KNOWN_ON,
            _KNOWN_BASIS,
            _LAST_CHANGED,
        ),
        ("locality", "indicator_code", "level", "period"),
        (_LOC_FK, _IND_FK),
        filters={**_BY_LOCALITY, "year": "year", "period": "period", "since": "last_changed"},
    ),
    Dataset(
        "progress",
        "Tiến độ",
        "Progress",
        "Mỗi mục tiêu với mức độ đạt tại một quý (?as_of=), theo phương pháp v2.",
        "Every target with where it stands at a quarter (?as_of=), method v2.",
        (*_TARGET_FIELDS, *_PROGRESS_EXTRA),
        ("target_id",),
        (ForeignKey(("target_id",), "targets", ("target_id",)), _LOC_FK, _IND_FK),
        filters={**_BY_LOCALITY, "year": "year", "period": "latest_period", "since": "latest_known_on"},
    ),
    Dataset(
        "plan_tasks",
        "Nhiệm vụ kế hoạch",
        "Plan tasks",
        "Nhiệm vụ trong kế hoạch chuyển đổi số hằng năm và tình trạng do cơ quan chủ trì báo cáo.",
        "The tasks of the yearly digital-transformation plans and the status their lead agency reports.",
        (
            _LOCALITY,
            _f("year", "integer", "Năm kế hoạch", "Plan year", required=True),
            _f("task_code", "string", "Mã nhiệm vụ", "Task code", required=True),
            _PILLAR,
            _f("section", "string", "Mục trong kế hoạch", "Section of the plan"),
            _f("text", "string", "Nội dung nguyên văn", "Verbatim text"),
            _f("lead", "string", "Cơ quan chủ trì", "Lead agency"),
            _f("deadline", "date", "Hạn hoàn thành", "Deadline"),
            _f("status", "string", "Tình trạng", "Status", enum=("not_started", "in_progress", "done")),
            _f("document", "string", "Mã văn bản kế hoạch", "Plan document code"),
            _LAST_CHANGED,
        ),
        ("locality", "year", "task_code"),
        (_LOC_FK, ForeignKey(("document",), "documents", ("document",))),
        filters={"locality": "locality", "pillar": "pillar", "year": "year", "since": "last_changed"},
    ),
)
# --- the national frame (issue #21): national targets and the DTI frameworks as data -------------------------

_FRAMEWORK = _f("framework", "string", "Mã khung chỉ số DTI", "DTI framework code", required=True)
_INDEX = _f(
    "index",
    "string",
    "Chỉ số trong khung (mã công bố, hoặc tên; “trụ cột › tên” nếu tên lặp lại)",
    "Index of the framework (published code, or name; “pillar › name” where the name repeats)",
    required=True,
)
_FW_FK = ForeignKey(("framework",), "dti_frameworks", ("framework",))
_INDEX_FK = ForeignKey(("framework", "index"), "dti_indices", ("framework", "index"))

DATASETS = (
    *DATASETS,
    Dataset(
        "national_targets",
        "Mục tiêu quốc gia",
        "National targets",
        "Mục tiêu của các chương trình quốc gia (749/QĐ-TTg, 942/QĐ-TTg, 411/QĐ-TTg, 57-NQ/TW, 03/NQ-CP) mà "
        "mục tiêu của các thành phố cụ thể hoá, kèm trích dẫn, trang trích và nguồn gốc trích dẫn "
        "(official: trang chính thức; press: báo chí; english-source: nguồn tiếng Anh; transcription: bản "
        "chép chưa đối chiếu).",
        "The targets of the national programmes the cities' targets derive from, with their quote, the page "
        "it was read on and its provenance (official, press, english-source, transcription).",
        (
            _f(
                "national_target_id",
                "integer",
                "Mã mục tiêu quốc gia (ổn định)",
                "National target id",
                required=True,
            ),
            _PILLAR,
            _INDICATOR,
            _INDICATOR_NAME,
            _LEVEL,
            _f("year", "integer", "Năm mục tiêu", "Target year", required=True),
            _f(
                "comparator",
                "string",
                "So sánh",
                "Comparator",
                enum=(">=", ">", "=", "~", "<=", "<", "range"),
            ),
            _f("value", "number", "Giá trị mục tiêu", "Target value", unit="per row"),
            _f(
                "value_max",
                "number",
                "Cận trên (mục tiêu khoảng)",
                "Upper bound (range target)",
                unit="per row",
            ),
            _UNIT,
            _f("higher_is_better", "boolean", "Càng cao càng tốt", "Higher is better"),
            _f("document", "string", "Mã văn bản", "Document code"),
            _f("source_document", "string", "Văn bản (số hiệu: tiêu đề)", "Document (number: title)"),
            _f("clause", "string", "Điều, mục (như nguồn cho thấy)", "Clause (as far as seen in a source)"),
            _f(
                "source_quote",
                "string",
                "Trích dẫn (nguyên văn của trang trích)",
                "Quote (verbatim from that page)",
            ),
            _f("quote_source", "string", "Trang trích dẫn", "Page the quote was read on"),
            _f(
                "provenance",
                "string",
                "Nguồn gốc trích dẫn",
                "Provenance of the quote",
                enum=("official", "press", "english-source", "transcription"),
            ),
            _f("note", "string", "Ghi chú (cách đọc dòng của tệp)", "Note (how the row is read)"),
        ),
        ("national_target_id",),
        (_IND_FK,),
        filters={"indicator": "indicator_code", "pillar": "pillar", "year": "year"},
    ),
    Dataset(
        "dti_frameworks",
        "Khung chỉ số DTI",
        "DTI frameworks",
        "Các phiên bản bộ chỉ số DTI (1726/QĐ-BTTTT, 922/QĐ-BTTTT, 405/QĐ-BKHCN) và các năm xếp hạng chấm theo "
        "từng phiên bản: điểm và hạng của một năm thuộc khung của năm đó.",
        "The DTI framework versions and the ranking years each scored: a year's score and rank belong to "
        "that year's framework.",
        (
            _FRAMEWORK,
            _f("name", "string", "Bộ chỉ số", "Index"),
            _f("decision", "string", "Quyết định", "Decision"),
            _f("issued_on", "date", "Ngày ban hành", "Issued on"),
            _f("first_year", "integer", "Năm xếp hạng đầu tiên", "First ranking year"),
            _f(
                "last_year",
                "integer",
                "Năm xếp hạng cuối cùng (trống: đang dùng)",
                "Last ranking year (empty: current)",
            ),
            _f("provincial", "boolean", "Xếp hạng cấp tỉnh", "Provincial ranking"),
            _f("note", "string", "Ghi chú", "Note"),
        ),
        ("framework",),
    ),
    Dataset(
        "dti_indices",
        "Chỉ số của các khung DTI",
        "DTI framework indices",
        "Trụ cột, nhóm, chỉ số chính (và thành phần nếu có) của từng khung, kèm mã, điểm và nguồn.",
        "Each framework's pillars, groups, main indices (and components where published), with codes, "
        "points and sources.",
        (
            _FRAMEWORK,
            _INDEX,
            _f(
                "level",
                "string",
                "Cấp",
                "Level",
                enum=("total", "pillar", "group", "main", "component"),
            ),
            _f("code", "string", "Mã công bố", "Published code"),
            _f("parent", "string", "Thuộc (index của cấp trên)", "Parent (its index)"),
            _f("name", "string", "Tên", "Name (Vietnamese)"),
            _f(
                "name_en",
                "string",
                "Tên tiếng Anh (phần lớn là bản dịch không chính thức)",
                "Name (English; mostly unofficial)",
            ),
            _f("points", "string", "Điểm hoặc trọng số", "Points or weight"),
            _f("source", "string", "Nguồn", "Source"),
        ),
        ("framework", "index"),
        (_FW_FK,),
    ),
    Dataset(
        "dti_indicator_links",
        "Chỉ tiêu và chỉ số DTI",
        "Indicators and DTI indices",
        "Chỉ số chính mà mỗi chỉ tiêu đóng góp theo từng khung, kèm căn cứ (một nhận định).",
        "The main index each indicator feeds under each framework, with the reasoning (a judgement).",
        (_FRAMEWORK, _INDEX, _INDICATOR, _f("note", "string", "Căn cứ", "Reasoning")),
        ("framework", "indicator_code"),
        (_INDEX_FK, _IND_FK),
        filters={"indicator": "indicator_code"},
    ),
    Dataset(
        "dti_task_links",
        "Nhiệm vụ và chỉ số DTI",
        "Plan tasks and DTI indices",
        "Chỉ số chính mà mỗi nhiệm vụ kế hoạch đóng góp theo từng khung, theo trụ cột và thành phần lưới 2020.",
        "The main index each plan task feeds under each framework, by its pillar and 2020-grid component.",
        (
            _LOCALITY,
            _f("year", "integer", "Năm kế hoạch", "Plan year", required=True),
            _f("task_code", "string", "Mã nhiệm vụ", "Task code", required=True),
            _FRAMEWORK,
            _INDEX,
            _f("note", "string", "Căn cứ", "Reasoning"),
        ),
        ("locality", "year", "task_code", "framework"),
        (
            ForeignKey(("locality", "year", "task_code"), "plan_tasks", ("locality", "year", "task_code")),
            _INDEX_FK,
        ),
        filters={"locality": "locality", "year": "year"},
    ),
    Dataset(
        "dti_index_scores",
        "Điểm chỉ số chính DTI",
        "DTI main-index scores",
        "Điểm các chỉ số chính (0–1) đã công bố của các địa phương, theo khung và năm, kèm nguồn.",
        "The published main-index scores (0–1) of the localities, by framework and year, with sources.",
        (
            _LOCALITY,
            _FRAMEWORK,
            _INDEX,
            _f("year", "integer", "Năm xếp hạng", "Ranking year", required=True),
            _f("value", "number", "Điểm (0–1)", "Score (0–1)"),
            _f("source", "string", "Nguồn", "Source"),
            _f("note", "string", "Ghi chú", "Note"),
        ),
        ("locality", "framework", "index", "year"),
        (_LOC_FK, _INDEX_FK),
        filters={"locality": "locality", "year": "year"},
    ),
)
BY_NAME = {d.name: d for d in DATASETS}


def table_schema(dataset: Dataset) -> dict[str, Any]:
    """The dataset's Frictionless Table Schema (descriptions in both languages)."""
    fields = []
    for f in dataset.fields:
        entry: dict[str, Any] = {
            "name": f.name,
            "type": f.type,
            "title": f.en,
            "description": f"{f.vi} / {f.en}",
        }
        if f.unit:
            entry["unit"] = f.unit
        constraints: dict[str, Any] = {}
        if f.required:
            constraints["required"] = True
        if f.enum:
            constraints["enum"] = list(f.enum)
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    schema: dict[str, Any] = {
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(dataset.primary_key),
    }
    if dataset.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(fk.fields), "reference": {"resource": fk.resource, "fields": list(fk.reference)}}
            for fk in dataset.foreign_keys
        ]
    return schema


def datapackage(*, base_url: str, version: str, modified: str) -> dict[str, Any]:
    """The Frictionless tabular data package: every dataset as a CSV resource with its table schema."""
    return {
        "profile": "tabular-data-package",
        "name": "dti-portal",
        "title": f"{PUBLISHER_VI} — {PUBLISHER_EN}",
        "description": "Mục tiêu, số liệu đã duyệt và tiến độ chuyển đổi số của các địa phương / "
        "Digital-transformation targets, approved figures and progress of the localities.",
        "version": version,
        "created": modified,
        "homepage": f"{base_url}/open-data/",
        "licenses": [LICENCE],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": d.name,
                "path": f"{d.name}.csv",
                "title": f"{d.title_vi} / {d.title_en}",
                "description": f"{d.description_vi} / {d.description_en}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table_schema(d),
            }
            for d in DATASETS
        ],
    }


def dcat(*, base_url: str, modified: str) -> dict[str, Any]:
    """A DCAT-AP catalogue record (JSON-LD) for harvesting by a national data portal."""
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": f"{base_url}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": PUBLISHER_VI, "@language": "vi"},
            {"@value": PUBLISHER_EN, "@language": "en"},
        ],
        "dct:license": {"@id": LICENCE["path"]},
        "dct:modified": modified,
        "foaf:homepage": {"@id": f"{base_url}/open-data/"},
        "dcat:dataset": [
            {
                "@id": f"{base_url}/open-data/#{d.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": [
                    {"@value": d.title_vi, "@language": "vi"},
                    {"@value": d.title_en, "@language": "en"},
                ],
                "dct:description": [
                    {"@value": d.description_vi, "@language": "vi"},
                    {"@value": d.description_en, "@language": "en"},
                ],
                "dct:license": {"@id": LICENCE["path"]},
                "dct:modified": modified,
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dcat:downloadURL": {"@id": f"{base_url}/open-data/{d.name}.{fmt}"},
                        "dcat:mediaType": media,
                        "dct:license": {"@id": LICENCE["path"]},
                    }
                    for fmt, media in (
                        ("csv", "text/csv"),
                        ("json", "application/json"),
                        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    )
                ],
                "dcat:conformsTo": {"@id": f"{base_url}/open-data/datapackage.json"},
            }
            for d in DATASETS
        ],
    }
