"""An account as the API shows it: to its holder (``/auth/me``) and to whoever manages it
(``/admin/users``) alike, so the two answers name the same fields the same way."""

from __future__ import annotations

from .models import User


def account_view(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "sites": sorted(site.code for site in user.sites),
        "must_change_password": user.must_change_password,
    }
