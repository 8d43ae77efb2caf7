"""Background tasks run by ``openbeat worker`` (django-tasks, database backend).

Imports go one way: ``services`` queues :func:`pulse_responses_refresh`, which runs
``responses.pulse_responses_write``; a task never imports the services that queue it.
"""

from __future__ import annotations

from django_tasks import task


@task()
def pulse_responses_refresh() -> str | None:
    """Rewrite the responses file the trust figures read, after new pulse answers."""
    from openbeat.surveys.responses import pulse_responses_write

    return pulse_responses_write()
