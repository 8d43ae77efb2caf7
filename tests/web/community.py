"""Helpers for the community tests: people with verified addresses, signed in or not."""

from __future__ import annotations

import itertools

PASSWORD = "a long test password 1"
_n = itertools.count(1)


def person(*, email: str | None = None, display_name: str = "", **fields):
    """A user whose email allauth counts as verified (so they can sign in)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    email = email or f"person{next(_n)}@example.org"
    user = get_user_model().objects.create_user(email=email, password=PASSWORD, display_name=display_name,
                                                **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def with_role(user, kind: str, *, area_code: str = "", force: str = "", verified: bool = True):
    from openbeat.accounts.services import role_create

    admin = person(is_staff=True) if verified else None
    return role_create(user=user, kind=kind, area_code=area_code, force=force, verified_by=admin)


def run_queued_tasks() -> int:
    """Run the queued background tasks here and now, as ``openbeat worker`` would (oldest
    first, including any they queue), inside the test's transaction; returns how many ran.
    The worker itself is not used: it closes the database connection between tasks."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    while (row := DBTaskResult.objects.ready().order_by("enqueued_at", "id").first()) is not None:
        row.delete()
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        ran += 1
    return ran
