"""Catalogue pages: login required, filters, the target page with its quote, Vietnamese first."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from targets.devdata import demo_data_generate
from targets.models import Target


def test_the_catalogue_requires_login(client, catalogue):
    response = client.get("/catalogue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/catalogue/")
    target = Target.objects.first()
    assert client.get(target.get_absolute_url()).status_code == 302


def test_a_signed_in_viewer_sees_the_catalogue_in_vietnamese(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/catalogue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Danh mục chỉ tiêu và mục tiêu" in html
    assert "278 mục tiêu" in html  # the cities' 149 and the 129 national targets (issue #21)


def test_filters_narrow_the_catalogue_by_city_pillar_and_year(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/catalogue/", {"locality": "da-nang", "pillar": "kinh-te-so", "year": "2030"})
    # The target's own pillar (its document's), the indicator's by default (issue #16): Đà Nẵng's 2030
    # e-commerce accounts are Xã hội số, so 7 of the 9 Kinh tế số indicators' targets remain.
    expected = Target.objects.filter(
        Q(pillar__slug="kinh-te-so") | Q(pillar__isnull=True, indicator__pillar__slug="kinh-te-so"),
        locality__slug="da-nang",
        year=2030,
    )
    assert expected.count() == 7
    assert f"{expected.count()} mục tiêu" in response.content.decode()
    table = response.context["table"]
    assert {row.record.pk for row in table.rows} == set(expected.values_list("pk", flat=True))


def test_an_invalid_filter_value_shows_a_message_not_an_error(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.get("/catalogue/", {"locality": "khong-co", "year": "1999"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_the_target_page_shows_the_verbatim_quote_and_its_document(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(
        indicator__code="labour_productivity_growth", locality__slug="ha-noi", year=2025
    )
    response = client.get(target.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tốc độ tăng năng suất lao động từ 7 - 7,5%;" in html
    assert "7–7,5%" in html  # the range in Vietnamese number format
    assert "Dự thảo Chương trình Chuyển đổi số thành phố Hà Nội" in html


def test_the_target_page_labels_demo_values(client, ha_noi_viewer):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(indicator__code="epayment_accounts", locality__slug="ha-noi", year=2025)
    html = client.get(target.get_absolute_url()).content.decode()
    assert "DỮ LIỆU MINH HOẠ" in html
    assert "minh hoạ (demo)" in html


def test_the_target_page_cites_published_figures_and_mixes_in_no_demo(client, ha_noi_viewer):
    demo_data_generate(today=dt.date(2026, 11, 22))
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(indicator__code="dti_rank", locality__slug="ha-noi", year=2025)
    html = client.get(target.get_absolute_url()).content.decode()
    assert "https://dantri.com.vn/khoa-hoc/ha-noi-dan-dau-ca-nuoc-ve-chi-so-chuyen-doi-so" in html
    assert "hạng 1/34" in html  # 2024 published rank among the 34 post-merger units
    assert "minh hoạ (demo)" not in html and "DỮ LIỆU MINH HOẠ" not in html


def test_a_rank_target_states_the_ranking_it_was_set_against_and_how_it_is_judged_now(client, superuser):
    """Issue #16: Đà Nẵng's "nhóm 3" (2025) was set against the 63 provinces; the page says it is now judged
    on the 34-unit ranking, rank against rank, and shows the merged city's 17/34 in the series with the
    former city's 2/63 apart, labelled as the predecessor's history."""
    client.force_login(superuser)
    target = Target.objects.get(indicator__code="dti_rank", locality__slug="da-nang", year=2025)
    assert target.ranked_among == 63
    html = client.get(target.get_absolute_url()).content.decode()
    assert "Mục tiêu đặt trên bảng xếp hạng 63 tỉnh, thành phố." in html
    assert "nay được đánh giá trên bảng xếp hạng 34 đơn vị" in html
    assert "hạng 17/34" in html
    assert "hạng 2/63 — Đà Nẵng cũ" in html
    assert "Số liệu của đơn vị trước sáp nhập" in html


def test_a_target_of_the_ha_noi_draft_says_the_draft_was_superseded(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(indicator__code="epayment_accounts", locality__slug="ha-noi", year=2025)
    html = client.get(target.get_absolute_url()).content.decode()
    assert "Tình trạng văn bản" in html
    assert "các kế hoạch chuyển đổi số ban hành sau đó của Hà Nội đã thay thế dự thảo này" in html
    other = Target.objects.get(indicator__code="dti_rank", locality__slug="hai-phong", year=2022)
    assert "Tình trạng văn bản" not in client.get(other.get_absolute_url()).content.decode()


def test_a_page_without_demo_values_has_no_demo_banner(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    target = Target.objects.get(indicator__code="dti_rank", locality__slug="ha-noi", year=2025)
    assert "DỮ LIỆU MINH HOẠ" not in client.get(target.get_absolute_url()).content.decode()


def test_an_unknown_target_is_not_found(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    assert client.get("/catalogue/targets/999999/").status_code == 404


def test_english_is_the_second_language(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/catalogue/"})
    assert response.status_code == 302
    html = client.get("/catalogue/").content.decode()
    assert '<html lang="en">' in html
    assert "Indicator catalogue and targets" in html


def test_catalogue_pages_make_a_fixed_number_of_queries(client, ha_noi_viewer, django_assert_max_num_queries):
    client.force_login(ha_noi_viewer)
    demo_data_generate(today=dt.date(2026, 11, 22))
    with django_assert_max_num_queries(8):
        client.get("/catalogue/", {"per_page": 200})
    target = Target.objects.get(indicator__code="dti_rank", locality__slug="ha-noi", year=2025)
    # 5 for the target and its figures; + the former units' figures (issue #16), the DTI indices the indicator
    # feeds (issue #21); 8 for its progress (issue #17: the series page's model — the locality, the indicator,
    # the targets, the figures and their history, the menu).
    with django_assert_max_num_queries(17):  # + the document's standing and pillar (issue #16)
        client.get(target.get_absolute_url())


def test_login_page_explains_a_failed_login_in_vietnamese(client, ha_noi_viewer):
    response = client.post("/accounts/login/", {"username": ha_noi_viewer.username, "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_catalogue_groups_a_target_under_its_documents_pillar_and_states_each_year_or_average(
    client, ha_noi_viewer
):
    """Issue #16: Đà Nẵng's 2030 e-commerce accounts are under Xã hội số (the resolution's pillar); labour
    productivity targets say whether they hold each year or on average over the period."""
    client.force_login(ha_noi_viewer)
    society = client.get("/catalogue/", {"pillar": "xa-hoi-so", "locality": "da-nang", "per_page": 200})
    economy = client.get("/catalogue/", {"pillar": "kinh-te-so", "locality": "da-nang", "per_page": 200})
    assert "Tỷ lệ hộ gia đình có tài khoản giao dịch thương mại điện tử" in society.content.decode()
    assert "Tỷ lệ hộ gia đình có tài khoản giao dịch thương mại điện tử" not in economy.content.decode()
    html = client.get("/catalogue/", {"q": "năng suất", "per_page": 200}).content.decode()
    assert "≥ 15% mỗi năm 2021–2025" in html and "&gt; 7,5% bình quân 2026–2030" in html
