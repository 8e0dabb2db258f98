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
        (_LOC_FK, _IND_FK, ForeignKey(("document",), "documents", ("document",))),
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
