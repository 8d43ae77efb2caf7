"""Background tasks run by ``openbeat worker`` (django-tasks, database backend).

Imports go one way: the demo seeder (``demo``) queues :func:`demo_reviews_publish`, which
runs ``demo_publish.demo_reviews_publish_now``; a task never imports what queues it.
"""

from __future__ import annotations

from django_tasks import task


@task()
def demo_reviews_publish(*, areas: list[str], quarters: list[str]) -> str:
    """Publish the demo's reviews (seconds each), so ``openbeat serve --demo`` answers first."""
    from openbeat.reviews.demo_publish import demo_reviews_publish_now

    return demo_reviews_publish_now(areas=areas, quarters=quarters)
