"""Background tasks run by ``openbeat worker`` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def pulse_responses_refresh() -> str | None:
    """Rewrite the responses file the trust figures read, after new pulse answers."""
    from openbeat.surveys.services import pulse_responses_write

    return pulse_responses_write()
