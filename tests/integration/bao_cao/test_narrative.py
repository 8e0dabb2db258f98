"""The reviewer's part of the Báo cáo (issue #18): the narrative of a quarter (sections IV and V, notes per
pillar) and the locality's letterhead, written on /reports/narrative/, kept with their history, refused
whole with a Vietnamese message on bad input, and printed in the Báo cáo."""

from __future__ import annotations

import io

import pytest
from docx import Document

from targets.models import Locality, ReportNarrative, ReportSettings
from targets.models.narrative import NARRATIVE_MAX_CHARS
from targets.services.errors import ReportTextError
from targets.services.narrative import report_narrative_save

URL = "/reports/narrative/?locality=hai-phong&period=2026-Q3"


@pytest.fixture
def reviewer(client, hai_phong_reviewer, fixed_today):
    client.force_login(hai_phong_reviewer)
    return client


def _post(client, **data):
    return client.post(URL, {"action": "narrative", "version": "0", **data})


def _bao_cao(client) -> list[str]:
    response = client.get("/reports/bao-cao/", {"locality": "hai-phong", "as_of": "2026-Q3"})
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    return [p.text for p in doc.paragraphs], doc


def test_write_edit_history_and_the_bao_cao_prints_it(reviewer, hai_phong_reviewer):
    # Write.
    response = _post(
        reviewer,
        shortcomings="Số liệu cấp xã còn chậm.",
        recommendations="Đề nghị bổ sung kinh phí.",
        **{"note-kinh-te-so": "Thanh toán điện tử tăng nhanh."},
    )
    assert response.status_code == 302
    row = ReportNarrative.objects.get(locality__slug="hai-phong", period_code="2026-Q3")
    assert (row.version, row.shortcomings, row.recommendations) == (
        1,
        "Số liệu cấp xã còn chậm.",
        "Đề nghị bổ sung kinh phí.",
    )
    assert row.pillar_notes == {"kinh-te-so": "Thanh toán điện tử tăng nhanh."}
    assert row.updated_by == hai_phong_reviewer
    # Edit, claiming the version shown.
    response = _post(
        reviewer,
        version="1",
        shortcomings="Số liệu cấp xã còn chậm.\nMột số đơn vị gửi trễ hạn.",
        recommendations="Đề nghị bổ sung kinh phí.",
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.version == 2 and row.pillar_notes == {}
    # History: both versions, newest first, on the page too.
    history = list(row.history.order_by("-history_date"))
    assert [h.version for h in history] == [2, 1]
    assert (
        history[1].shortcomings == "Số liệu cấp xã còn chậm."
        and history[0].history_user == hai_phong_reviewer
    )
    page = reviewer.get(URL).content.decode()
    assert "Một số đơn vị gửi trễ hạn." in page and "Lịch sử nội dung" in page
    # The Báo cáo prints it in sections IV and V.
    texts, _doc = _bao_cao(reviewer)
    iv = texts.index("IV. TỒN TẠI, HẠN CHẾ, NGUYÊN NHÂN")
    v = texts.index("V. KIẾN NGHỊ, ĐỀ XUẤT")
    assert texts[iv + 1 : v] == ["Số liệu cấp xã còn chậm.", "Một số đơn vị gửi trễ hạn."]
    assert texts[v + 1] == "Đề nghị bổ sung kinh phí."


def test_a_pillar_note_is_printed_under_its_pillar(reviewer):
    _post(reviewer, **{"note-kinh-te-so": "Thanh toán điện tử tăng nhanh."})
    texts, _doc = _bao_cao(reviewer)
    i = texts.index("2. Kinh tế số")
    j = texts.index("3. Xã hội số")
    assert "Thanh toán điện tử tăng nhanh." in texts[i:j]


def test_a_stale_version_is_refused_and_nothing_changes(reviewer):
    _post(reviewer, shortcomings="Bản đầu.")
    response = _post(reviewer, version="0", shortcomings="Bản ghi đè.")
    assert response.status_code == 400
    assert "Nội dung vừa được người khác sửa: chưa ghi gì." in response.content.decode()
    row = ReportNarrative.objects.get()
    assert (row.version, row.shortcomings) == (1, "Bản đầu.")
    assert row.history.count() == 1


def test_a_too_long_section_is_refused_with_a_message_and_nothing_is_written(reviewer):
    response = _post(reviewer, shortcomings="x" * (NARRATIVE_MAX_CHARS + 1), recommendations="ok")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chưa ghi gì vào hệ thống." in body and f"Tối đa {NARRATIVE_MAX_CHARS} ký tự" in body
    assert not ReportNarrative.objects.exists()


def test_an_unknown_pillar_or_a_period_that_is_not_a_quarter_is_refused(hai_phong_reviewer, catalogue):
    locality = Locality.objects.get(slug="hai-phong")
    with pytest.raises(ReportTextError) as refused:
        report_narrative_save(
            user=hai_phong_reviewer,
            locality=locality,
            period_code="2026",
            version=0,
            shortcomings="",
            recommendations="",
            pillar_notes={"khong-co": "x"},
        )
    assert refused.value.errors["period"] == ["Kỳ báo cáo phải là một quý, ví dụ 2026-Q3."]
    assert refused.value.errors["pillar_notes"] == ["Trụ cột “khong-co” không có trong danh mục."]
    assert not ReportNarrative.objects.exists()


def test_a_bad_period_in_the_address_gets_a_message(reviewer):
    response = reviewer.get("/reports/narrative/?locality=hai-phong&period=2026-Q9")
    assert response.status_code == 400
    assert "Kỳ báo cáo phải là một quý" in response.content.decode()


def test_the_letterhead_recipients_and_signer_are_edited_and_printed(reviewer, hai_phong_reviewer):
    fields = {
        "parent_body": "UBND thành phố Hải Phòng",
        "issuing_body": "Sở Khoa học và Công nghệ",
        "number_suffix": "BC-SKHCN-CĐS",
        "place": "Hải Phòng",
        "addressee": "Ủy ban nhân dân thành phố Hải Phòng",
        "recipients": "Như trên;\nVăn phòng UBND thành phố;\nLưu: VT, CĐS.",
        "signer_authority": "",
        "signer_title": "Giám đốc",
        "signer_name": "Nguyễn Văn A",
    }
    response = reviewer.post(URL, {"action": "settings", "version": "0", **fields})
    assert response.status_code == 302
    row = ReportSettings.objects.get(locality__slug="hai-phong")
    assert (row.signer_name, row.version, row.history.count()) == ("Nguyễn Văn A", 1, 1)
    _texts, doc = _bao_cao(reviewer)
    left = doc.tables[0].rows[0].cells[0].text
    assert left.rstrip().endswith("/BC-SKHCN-CĐS")
    recipients, signature = (c.text for c in doc.tables[-1].rows[0].cells)
    assert recipients.split("\n") == [
        "Nơi nhận:",
        "- Như trên;",
        "- Văn phòng UBND thành phố;",
        "- Lưu: VT, CĐS.",
    ]
    assert signature.split("\n")[0] == "GIÁM ĐỐC" and signature.split("\n")[-1] == "Nguyễn Văn A"


def test_a_letterhead_without_its_signer_title_is_refused_and_nothing_is_written(reviewer):
    response = reviewer.post(
        URL, {"action": "settings", "version": "0", "parent_body": "UBND", "signer_title": " "}
    )
    assert response.status_code == 400
    assert "Vui lòng nhập nội dung này." in response.content.decode()
    assert not ReportSettings.objects.exists()


def test_an_editor_or_a_viewer_may_not_write_the_narrative(
    client, hai_phong_finance_editor, ha_noi_viewer, fixed_today
):
    for user in (hai_phong_finance_editor, ha_noi_viewer):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert (
            client.post(URL, {"action": "narrative", "version": "0", "shortcomings": "x"}).status_code == 404
        )
    assert not ReportNarrative.objects.exists()


def test_the_page_makes_a_fixed_number_of_queries(reviewer, django_assert_max_num_queries):
    for n in range(3):
        _post(reviewer, version=str(n), shortcomings=f"Bản {n}")
    with django_assert_max_num_queries(14):
        assert reviewer.get(URL).status_code == 200
