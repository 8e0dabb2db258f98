"""Fixtures the dashboard tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def ha_noi_reviewer(catalogue):
    """An officer of Hà Nội's Sở KH&CN who approves the city's figures."""
    from django.contrib.auth import get_user_model

    from targets.models import Department, Membership, Role

    dept = Department.objects.create(locality=catalogue["ha-noi"], code="so-khcn", name="Sở KH&CN")
    user = get_user_model().objects.create_user("thao.hn.khcn", password="s3cret-pass-for-tests")
    Membership.objects.create(user=user, department=dept, role=Role.REVIEWER)
    return user
