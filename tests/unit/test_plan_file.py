"""Plan 86's task file itself: complete, verbatim, grouped as the plan groups them. No database."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from targets.catalogue import CatalogueError, normalise_ws, read_catalogue
from targets.models import Component
from targets.plans import read_plans

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCE = FIXTURES / "sources" / "002_2034a5914b14f92d.txt"


def _read(root: Path = FIXTURES):
    cat = read_catalogue(FIXTURES)
    return read_plans(
        root,
        documents={d["code"]: (d["locality"], d["text"]) for d in cat.documents},
        pillars={p["slug"] for p in cat.pillars},
        components=set(Component.values),
        indicators={i["code"] for i in cat.indicators},
    )


@pytest.fixture(scope="module")
def plan():
    (plan,) = _read()
    return plan


@pytest.fixture(scope="module")
def source() -> str:
    return normalise_ws(SOURCE.read_text(encoding="utf-8"))


def test_plan_86_holds_51_tasks_for_hai_phong_2022_with_the_paragraphs_of_several_agencies_split(plan):
    assert (plan.document, plan.locality, plan.year) == ("hp-kh-86-2022", "hai-phong", 2022)
    # 48 paragraphs; issue #16 splits kts-b-2 (start-ups, SMEs, e-commerce) in three and kts-e-1 (business
    # leaders' training, the universities' part) in two.
    assert len(plan.tasks) == 51
    assert Counter(t["pillar"] for t in plan.tasks) == {
        "chinh-quyen-so": 15,
        "kinh-te-so": 16,
        "xa-hoi-so": 13,
        "dti": 7,
    }


def test_every_task_text_and_heading_appears_verbatim_in_the_document(plan, source):
    for t in plan.tasks:
        assert normalise_ws(t["text"]) in source, t["_where"]
        assert normalise_ws(t["section"]) in source, t["_where"]
    for line in plan.goals.splitlines():
        assert normalise_ws(line) in source


def _section_bodies(source: str) -> dict[tuple[str, str], str]:
    """Section II's text under each lettered heading, keyed by (pillar heading number, letter)."""
    part = source[source.index("II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM") : source.index("III. PHÂN CÔNG")]
    bodies: dict[tuple[str, str], str] = {}
    for number, block in re.findall(
        r"(?:^| )([123])\. (?:Chính quyền số|Kinh tế số|Xã hội số) (.*?)(?= [123]\. |$)", part
    ):
        for letter, body in re.findall(r"(?:^| )([a-hđ])\) (.*?)(?= [a-hđ]\) |$)", block):
            bodies[(number, letter)] = body.strip()
    return bodies


def test_section_ii_is_complete_every_paragraph_is_a_task_in_the_plans_order(plan, source):
    bodies = _section_bodies(source)
    assert len(bodies) == 21  # 7 + 6 + 8 lettered components
    numbers = {"chinh-quyen-so": "1", "kinh-te-so": "2", "xa-hoi-so": "3"}
    rebuilt: dict[tuple[str, str], list[str]] = {}
    for t in plan.tasks:
        if t["pillar"] in numbers:
            letter, title = t["section"].split(") ", 1)
            rebuilt.setdefault((numbers[t["pillar"]], letter), [title]).append(t["text"])
    assert set(rebuilt) == set(bodies)
    for key, body in bodies.items():
        # The heading's title, then every paragraph in order (the file drops the "- " bullets): nothing left out.
        assert body.replace("- ", "") == normalise_ws(" ".join(rebuilt[key])), key


def test_section_iv_is_grouped_by_agency_with_stated_leads(plan):
    section_iv = [t for t in plan.tasks if t["pillar"] == "dti"]
    assert [t["section"] for t in section_iv] == [
        "1. Sở Thông tin và Truyền thông",
        "1. Sở Thông tin và Truyền thông",
        "1. Sở Thông tin và Truyền thông",
        "2. Các Sở, ban, ngành thành phố, Ủy ban nhân dân quận, huyện",
        "2. Các Sở, ban, ngành thành phố, Ủy ban nhân dân quận, huyện",
        "3. Các trường Đại học, Cao đẳng trên địa bàn thành phố",
        "4. Cục Thống kê",
    ]
    assert {t["component"] for t in section_iv} == {""}
    assert [t["lead"] for t in section_iv] == [
        "so-tttt",
        "so-tttt",
        "so-tttt",
        "cac-so-ban-nganh",
        "cac-so-ban-nganh",
        "truong-dai-hoc-cao-dang",
        "cuc-thong-ke",
    ]
    assert not any(t["lead_inferred"] for t in section_iv)


def test_the_agencies_are_those_of_section_iv_then_those_the_law_gives_the_job_and_the_successors(plan):
    assert [a["code"] for a in plan.agencies] == [
        "so-tttt",
        "cac-so-ban-nganh",
        "ubnd-quan-huyen",
        "truong-dai-hoc-cao-dang",
        "cuc-thong-ke",
        # issue #16: not named by the plan
        "so-khcn",
        "ubnd-xa-phuong",
        "so-noi-vu",
        "van-phong-ubnd",
        "so-khdt",
        "so-tai-chinh",
        "so-cong-thuong",
        "nhnn-chi-nhanh",
        "cuc-thue",
        "cuc-hai-quan",
    ]
    by_code = {a["code"]: a for a in plan.agencies}
    assert (str(by_code["so-tttt"]["valid_to"]), by_code["so-tttt"]["successor"]) == ("2025-02-28", "so-khcn")
    assert (str(by_code["ubnd-quan-huyen"]["valid_to"]), by_code["ubnd-quan-huyen"]["successor"]) == (
        "2025-06-30",
        "ubnd-xa-phuong",
    )
    assert (
        by_code["cac-so-ban-nganh"]["is_group"] and by_code["cac-so-ban-nganh"]["followed_up_by"] == "so-tttt"
    )


def test_plan_86_lead_agencies_are_those_the_law_gives_the_job(plan):
    """Issue #16: the plan names no lead for these tasks; the agency the law gives the job leads them."""
    leads = {t["code"]: (t["lead"], set(t["cooperating"])) for t in plan.tasks}
    assert leads["cqs-b-2"][0] == "so-noi-vu"
    assert leads["cqs-dd-3"][0] == leads["cqs-dd-1"][0] == "van-phong-ubnd"
    assert leads["kts-b-2"][0] == "so-khcn"  # start-ups
    assert leads["kts-b-2-dnnvv"][0] == leads["kts-b-3"][0] == "so-khdt"  # SMEs
    assert leads["kts-b-2-tmdt"][0] == "so-cong-thuong"  # e-commerce
    for code in ("kts-c-1", "kts-dd-2"):
        lead, cooperating = leads[code]
        assert lead == "so-cong-thuong" and {"nhnn-chi-nhanh", "cuc-thue", "cuc-hai-quan"} <= cooperating
    assert leads["kts-e-1"][0] == "so-khdt" and leads["kts-e-1-dh"][0] == "truong-dai-hoc-cao-dang"
    assert leads["kts-b-4"][0] == leads["xhs-b-3"][0] == "so-tai-chinh"  # the budget


def test_every_inferred_lead_says_why_and_every_task_is_due_at_the_end_of_2022(plan):
    inferred = [t for t in plan.tasks if t["lead_inferred"]]
    assert len(inferred) == 40
    assert all(
        t["basis"].startswith(("Văn bản không nêu", "Văn bản giao", "Đoạn văn gồm", "Tách từ đoạn"))
        for t in inferred
    )
    assert {str(t["deadline"]) for t in plan.tasks} == {"2022-12-31"}


def test_components_follow_the_plans_headings(plan):
    by_section = {(t["pillar"], t["section"]): t["component"] for t in plan.tasks}
    assert by_section[("chinh-quyen-so", "đ) Chính quyền số")] == "hoat-dong"
    assert by_section[("chinh-quyen-so", "c) Hạ tầng số")] == "ha-tang"
    assert by_section[("kinh-te-so", "c) Hạ tầng và nền tảng số")] == "ha-tang"
    assert by_section[("xa-hoi-so", "g) Kiểm tra, giám sát qua môi trường số")] == "kiem-tra"
    assert by_section[("xa-hoi-so", "e) An toàn thông tin")] == "an-toan"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "Kiện toàn tổ chức bộ máy",
            "Kiện toàn bộ máy",
            "hp-kh-86-2022.toml: task #5 (cqs-b-2): text does not appear verbatim in the document",
        ),
        (
            'lead = "cuc-thong-ke"',
            'lead = "cuc-thong-ke-cu"',
            "hp-kh-86-2022.toml: task #51 (tcth-4-1): lead 'cuc-thong-ke-cu' is not an [[agency]] of the file",
        ),
        (
            'component = "kiem-tra"',
            'component = "giam-sat"',
            "hp-kh-86-2022.toml: task #42 (xhs-g-1): unknown DTI component 'giam-sat'",
        ),
        (
            'code = "kts-a-2"',
            'code = "kts-a-1"',
            "hp-kh-86-2022.toml: task #17 (kts-a-1): duplicate task code",
        ),
    ],
)
def test_a_broken_plan_file_is_refused_naming_file_and_record(tmp_path, old, new, message):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "catalogue", root / "catalogue")
    path = root / "catalogue" / "plans" / "hp-kh-86-2022.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        _read(root)
    assert any(e.startswith(message) for e in exc.value.errors), exc.value.errors
