"""Emails queued under the email task's old path are sent after the move (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD = "openbeat.notifications.tasks.notification_email_send"
NEW = "openbeat.notifications.emails.notification_email_send"


@pytest.mark.django_db(transaction=True)
def test_queued_emails_follow_the_task_to_its_new_module():
    from openbeat.notifications.emails import notification_email_send

    executor = MigrationExecutor(connection)
    before = [("notifications", "0001_initial"), ("django_tasks_database", "0021_conditional_partial_index_ordering")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    row = dict(args_kwargs={"args": [], "kwargs": {}}, queue_name="default", backend_name="default",
               priority=0, run_after=timezone.now(), exception_class_path="", traceback="")
    queued = DBTaskResult.objects.create(task_path=OLD, **row)
    other = DBTaskResult.objects.create(task_path="openbeat.events.tasks.event_reminder_send", **row)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from django_tasks_db.models import DBTaskResult as Live

    assert Live.objects.get(pk=queued.pk).task_path == NEW
    assert Live.objects.get(pk=queued.pk).task.func is notification_email_send.func
    assert Live.objects.get(pk=other.pk).task_path == "openbeat.events.tasks.event_reminder_send"
