"""Issue #17, item 10: the editor's confirmation of an unusual value survives the submission, and the
reviewer sees it with the editor's note."""

from __future__ import annotations

from decimal import Decimal

import pytest

from targets.models import Actual, Indicator, Status
from targets.services.catalogue import period_get_or_create

URL = "/entry/2026-Q4/"


@pytest.fixture
def epayment_history(finance_assignments):
    """E-payment accounts rose one point a quarter, 40 → 43: a jump to 75 is unusual."""
    locality = finance_assignments[0].department.locality
    for code, value in [("2025-Q4", "40"), ("2026-Q1", "41"), ("2026-Q2", "42"), ("2026-Q3", "43")]:
        Actual.objects.create(
            indicator=Indicator.objects.get(code="epayment_accounts"),
            locality=locality,
            period=period_get_or_create(code=code),
            value=Decimal(value),
            status=Status.APPROVED,
        )
    return finance_assignments[0]


def _current() -> Actual:
    return Actual.objects.get(indicator__code="epayment_accounts", period__code="2026-Q4")


def _draft_confirmed(client, key: int):
    """The editor saves 75 as a draft, ticks the confirmation and writes why."""
    return client.post(
        URL,
        {
            "action": "draft",
            f"value-{key}": "75",
            f"version-{key}": "0",
            f"note-{key}": "Chiến dịch mở tài khoản",
            f"confirm-{key}": "1",
        },
    )


def _submit_without_the_tick(client, key: int):
    """The editor submits the same 75 from a form that sends no tick (what every submission did before)."""
    return client.post(
        URL,
        {
            "action": "submit-confirmed",
            f"value-{key}": "75",
            f"version-{key}": "1",
            f"note-{key}": "Chiến dịch mở tài khoản",
        },
    )


def test_the_confirmation_ticked_on_a_draft_is_kept_when_the_form_is_submitted(
    client, hai_phong_finance_editor, epayment_history, fixed_today
):
    key = epayment_history.pk
    client.force_login(hai_phong_finance_editor)
    assert _draft_confirmed(client, key).status_code == 302
    assert _current().outlier_confirmed is True
    # The fresh form shows the tick as it is stored.
    html = client.get(URL).content.decode()
    assert f'name="confirm-{key}" id="confirm-{key}" value="1" checked' in html
    # The editor submits the same value from a form that sends no tick (as before the fix did): kept.
    assert _submit_without_the_tick(client, key).status_code == 302
    stored = _current()
    assert (stored.status, stored.outlier_confirmed, stored.note) == (
        Status.SUBMITTED,
        True,
        "Chiến dịch mở tài khoản",
    )


def test_a_changed_value_needs_its_own_confirmation(
    client, hai_phong_finance_editor, epayment_history, fixed_today
):
    key = epayment_history.pk
    client.force_login(hai_phong_finance_editor)
    assert _draft_confirmed(client, key).status_code == 302
    # 80 is a new unusual value: the tick given to 75 does not cover it.
    response = client.post(
        URL,
        {"action": "draft", f"value-{key}": "80", f"version-{key}": "1", f"note-{key}": "Chiến dịch"},
    )
    assert response.status_code == 400
    assert (_current().value, _current().outlier_confirmed) == (Decimal("75"), True)


def test_the_reviewer_sees_that_the_unit_confirmed_the_value_and_its_note(
    client, hai_phong_finance_editor, hai_phong_reviewer, epayment_history, fixed_today
):
    key = epayment_history.pk
    client.force_login(hai_phong_finance_editor)
    assert _draft_confirmed(client, key).status_code == 302
    assert _submit_without_the_tick(client, key).status_code == 302
    client.force_login(hai_phong_reviewer)
    html = client.get("/review/2026-Q4/?locality=hai-phong").content.decode()
    row = html[html.index(f'id="actual-{_current().pk}"') :]
    row = row[: row.index("</tr>")]
    assert "đơn vị đã xác nhận" in row and "Chiến dịch mở tài khoản" in row
    assert _current().outlier_confirmed is True
