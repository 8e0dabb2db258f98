"""Admin forms reject bad targets with a clear message and save nothing."""

from __future__ import annotations

from targets.models import Document, Indicator, Locality, Target


def _form(**overrides):
    data = {
        "indicator": Indicator.objects.get(code="labour_productivity_growth").pk,
        "locality": Locality.objects.get(slug="hai-phong").pk,
        "level": "",
        "year": "2027",
        "comparator": "range",
        "value": "7",
        "value_max": "8",
        "document": Document.objects.get(code="hp-nq-03-2021").pk,
        "quote": "Năng suất lao động hàng năm tăng tối thiểu 16%.",
        "note": "",
    }
    data.update(overrides)
    return data


def test_admin_rejects_a_range_with_max_below_min(admin_client, catalogue):
    before = Target.objects.count()
    response = admin_client.post("/admin/targets/target/add/", _form(value_max="6"))
    assert response.status_code == 200
    assert "Giá trị tối đa phải lớn hơn hoặc bằng giá trị tối thiểu." in response.content.decode()
    assert Target.objects.count() == before


def test_admin_rejects_a_percent_over_100(admin_client, catalogue):
    before = Target.objects.count()
    data = _form(
        indicator=Indicator.objects.get(code="epayment_accounts").pk,
        comparator=">",
        value="120",
        value_max="",
    )
    response = admin_client.post("/admin/targets/target/add/", data)
    assert "Chỉ tiêu tỷ lệ phần trăm phải từ 0 đến 100." in response.content.decode()
    assert Target.objects.count() == before


def test_admin_rejects_an_unknown_comparator(admin_client, catalogue):
    before = Target.objects.count()
    response = admin_client.post("/admin/targets/target/add/", _form(comparator="about", value_max=""))
    assert response.status_code == 200
    assert "about" in response.content.decode() and "errorlist" in response.content.decode()
    assert Target.objects.count() == before


def test_admin_saves_a_valid_target_with_the_indicators_unit(admin_client, catalogue):
    response = admin_client.post("/admin/targets/target/add/", _form())
    assert response.status_code == 302
    saved = Target.objects.get(year=2027)
    assert (saved.unit, saved.comparator, str(saved.value_max)) == ("growth_rate", "range", "8.0000")


def test_admin_is_closed_to_signed_in_non_staff(client, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    assert client.get("/admin/targets/target/").status_code == 302
