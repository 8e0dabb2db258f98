"""The one place that answers "may this user see / change this?" and gives scoped querysets.

Every view asks here first; nothing checks roles ad hoc. Outside a user's scope the answer is 404
(not 403), so that a page reveals nothing about what exists.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Locality, Membership

AnyUser = AbstractBaseUser | AnonymousUser


def catalogue_visible(user: AnyUser) -> bool:
    """The catalogue (targets, quotes, documents) is for every signed-in user; the public has open data."""
    return bool(user.is_authenticated and user.is_active)


def localities_for(user: AnyUser) -> QuerySet[Locality]:
    """Localities whose figures the user may read: superusers all, members their departments' localities."""
    if not user.is_authenticated or not user.is_active:
        return Locality.objects.none()
    if user.is_superuser:
        return Locality.objects.all()
    return Locality.objects.filter(pk__in=Membership.objects.filter(user=user).values("department__locality"))
