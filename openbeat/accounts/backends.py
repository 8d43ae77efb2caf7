"""Authentication backends: Django's and allauth's, with the signed-in account read by one
statement written once (:func:`openbeat.web.db.row_get`).

Every signed-in request loads its account (``django.contrib.auth.get_user``, through the
backend that signed the person in): the ORM compiled the same ``SELECT … WHERE id = %s``
each time. Signing in, passwords, permissions and the session's hash check are the parents'
own; only the read differs, and it returns the same ``User`` the ORM would (every field,
read at each request: a suspension or password change is seen at once). A session names its
backend by dotted path, so sessions made under the old paths ended once when these replaced
them.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend


class _AccountRow:
    def get_user(self, user_id):
        from openbeat.accounts.models import User
        from openbeat.web.db import row_get

        user = row_get(User, f"WHERE {User._meta.pk.column} = %s", [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None


class AccountBackend(_AccountRow, ModelBackend):
    """Django's ``ModelBackend`` (email and password), reading the account as above."""


class AllauthAccountBackend(_AccountRow, AllauthBackend):
    """allauth's backend (its sign-in after an email confirmation, among others), the same."""
