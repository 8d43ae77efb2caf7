"""The background worker: runs queued tasks (notification emails) from the app database,
and queues each day's digests. Started by ``openbeat worker`` (and by ``openbeat serve
--demo`` beside the web server).

    >>> from openbeat.notifications.worker import run
    >>> run(interval=1.0)  # doctest: +SKIP

Tasks are django-tasks' database backend (``django_tasks_db``): a task is a row, claimed
with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers may run side by
side and none sends an email twice.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable

logger = logging.getLogger("openbeat.worker")


class WorkerError(RuntimeError):
    """The worker cannot start as things stand; the message says what to do."""


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def _digests_every(seconds: float, stop: threading.Event) -> None:
    from django.db import close_old_connections

    from openbeat.notifications.services import notification_digests_enqueue

    while not stop.is_set():
        try:
            queued = notification_digests_enqueue()
            if queued:
                logger.info("queued %d daily digests", queued)
        except Exception:  # a database hiccup must not stop the worker; try again later
            logger.exception("could not queue the daily digests")
        finally:
            close_old_connections()
        stop.wait(seconds)


def _exit_with_parent(parent_pid: int, stop: threading.Event) -> None:
    # started by `openbeat serve`: if the server goes, even killed outright, so do we
    # (an orphaned worker would go on sending email for a site that is not running)
    while not stop.wait(1.0):
        if os.getppid() != parent_pid:
            logger.warning("the server (pid %d) has gone; stopping", parent_pid)
            os.kill(os.getpid(), signal.SIGTERM)
            return


def run_nicer(niceness: int) -> int:
    """Lower this process's CPU priority to ``niceness`` (0-19) where it is not that low
    already, in every thread it has (on Linux each thread has its own: threads started by
    imports or libraries before this call would otherwise keep theirs), and in the threads it
    starts later (they inherit the caller's). Returns the caller's niceness now.

    The worker's tasks are email: when it shares a machine with the web workers and they
    are busy, they come first, and the worker takes what CPU is left (at 10, about a tenth of
    a busy web worker's share); on an idle machine it runs as fast as before."""
    if not hasattr(os, "getpriority"):  # not on this platform
        return 0
    tasks = "/proc/self/task"
    threads = [0, *(int(t) for t in os.listdir(tasks))] if os.path.isdir(tasks) else [0]
    for thread in threads:
        try:
            if os.getpriority(os.PRIO_PROCESS, thread) < niceness:
                os.setpriority(os.PRIO_PROCESS, thread, niceness)
        except ProcessLookupError:  # a thread that has just ended
            continue
    return os.getpriority(os.PRIO_PROCESS, 0)


def run(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None,
        digest_check_seconds: float = 60.0, parent_pid: int | None = None,
        say: Callable[[str], None] = lambda s: None) -> None:
    """Run queued tasks until stopped (SIGINT/SIGTERM finish the task in hand first).

    ``batch``: run what is queued (and today's due digests), then return. ``parent_pid``:
    stop when that process is no longer this one's parent. Django must be set up
    (``openbeat.web.server.configure``)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    from openbeat.notifications.services import notification_digests_enqueue

    pending = pending_migrations()
    if pending:
        raise WorkerError(f"the app database needs {len(pending)} migrations first ({pending[0]} ...); "
                          "run 'openbeat manage migrate' or start 'openbeat serve', which applies them")
    worker = Worker(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=not batch, max_tasks=max_tasks, worker_id=get_random_string(32),
                    excluded_queue_names=[])
    db = settings.DATABASES["default"]
    # a long-running worker gives way to the web workers; a batch (a test, a cron job) does not
    nice = 0 if batch else run_nicer(settings.OPENBEAT_WORKER_NICE)
    say(f"worker: running queued tasks from {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')} "
        f"(email: {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}; daily digests after {settings.OPENBEAT_DIGEST_HOUR}:00"
        f"{f'; niceness {nice}' if nice else ''})")
    if batch:
        notification_digests_enqueue()
        worker.run()
        return
    stop = threading.Event()
    digests = threading.Thread(target=_digests_every, args=(digest_check_seconds, stop), daemon=True,
                               name="openbeat-digests")
    digests.start()
    if parent_pid is not None:
        threading.Thread(target=_exit_with_parent, args=(parent_pid, stop), daemon=True,
                         name="openbeat-parent-watch").start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
