"""The authentication backends (openbeat.accounts.backends), which read the account with
openbeat.web.db.row_get (tests/web/test_db.py): the account a request gets is the ORM's,
read afresh on every request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from tests.web.community import PASSWORD, person

pytestmark = pytest.mark.django_db


def test_a_password_sign_in_is_kept_by_the_first_backend(client):
    user = person()
    r = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert r.status_code == 302, r.content[:500]
    assert client.session["_auth_user_backend"] == "openbeat.accounts.backends.AccountBackend"
    assert client.get("/accounts/settings/").status_code == 200


@pytest.mark.parametrize("backend", ["openbeat.accounts.backends.AccountBackend",
                                     "openbeat.accounts.backends.AllauthAccountBackend"])
def test_each_request_reads_the_account_afresh(client, backend):
    """No account kept between requests: a suspension, a deactivation or a new password
    counts from the next request on."""
    from openbeat.accounts.models import User

    user = person()
    client.force_login(user, backend=backend)
    assert client.get("/accounts/settings/").status_code == 200
    User.objects.filter(pk=user.pk).update(suspended_at=timezone.now())
    assert client.post("/priorities/1/support/").status_code == 403  # suspended: refused before the priority
    User.objects.filter(pk=user.pk).update(suspended_at=None, is_active=False)
    assert client.get("/accounts/settings/")["Location"].startswith("/accounts/login/")
    User.objects.filter(pk=user.pk).update(is_active=True)
    client.force_login(user, backend=backend)
    user.set_password("another long password 2")
    user.save()
    assert client.get("/accounts/settings/")["Location"].startswith("/accounts/login/")  # the session's hash no longer matches


@pytest.mark.parametrize("old", ["django.contrib.auth.backends.ModelBackend",
                                 "allauth.account.auth_backends.AuthenticationBackend"])
def test_sessions_of_the_replaced_paths_are_signed_out(client, old):
    """Django's and allauth's own dotted paths are no longer listed, so a session naming one
    (made before the change) is an anonymous visitor's: signed out once."""
    assert old not in settings.AUTHENTICATION_BACKENDS
    client.force_login(person(), backend=old)
    assert client.get("/accounts/settings/")["Location"].startswith("/accounts/login/")
