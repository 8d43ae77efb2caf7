"""The Django admin, for administrators only: verifying officers, roles, moderation.

Signing in goes through django-allauth (rate limits, two-step sign-in), never the admin's
own login form; a suspended administrator is shut out like anyone else."""

from __future__ import annotations

from django.contrib import admin


class OpenBeatAdminSite(admin.AdminSite):
    site_header = "OpenBeat administration"
    site_title = "OpenBeat administration"
    index_title = "Accounts, roles and moderation"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and not getattr(user, "suspended_at", None))

    def login(self, request, extra_context=None):
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)
