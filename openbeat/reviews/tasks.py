"""Background tasks run by ``openbeat worker`` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def demo_reviews_publish(*, areas: list[str], quarters: list[str]) -> str:
    """Publish the demo's reviews (seconds each), so ``openbeat serve --demo`` answers first."""
    from openbeat.reviews.demo import demo_reviews_publish_now

    return demo_reviews_publish_now(areas=areas, quarters=quarters)
