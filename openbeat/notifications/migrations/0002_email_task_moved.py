"""The email task moved from ``notifications.tasks`` to ``notifications.emails`` (so no module
imports the one that imports it: docs/architecture.md). Emails queued before the move still
name the old path; point them at the new one so the worker sends them instead of failing
to import the task. Reversible.
"""

from django.db import migrations

OLD = "openbeat.notifications.tasks.notification_email_send"
NEW = "openbeat.notifications.emails.notification_email_send"


def _move(old: str, new: str):
    def run(apps, schema_editor):
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(_move(OLD, NEW), _move(NEW, OLD))]
