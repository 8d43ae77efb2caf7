"""The work of the task ``demo_reviews_publish``: publish the demo's reviews, oldest quarter
first. Queued by the seeder in :mod:`openbeat.reviews.demo`.

Imports go one way: ``demo`` queues ``tasks.demo_reviews_publish``, which runs
:func:`demo_reviews_publish_now` here; this module imports neither.
"""

from __future__ import annotations


def demo_reviews_publish_now(*, areas: list[str], quarters: list[str]) -> str:
    """Publish each area's quarters, oldest first (each compares itself with the one before);
    a quarter already published for the demo is left as it is."""
    from openbeat.reviews.models import Review
    from openbeat.reviews.services import review_publish

    made = 0
    for code in areas:
        for q in quarters:
            if not Review.objects.filter(area_code=code, quarter=q, synthetic=True).exists():
                review_publish(area_code=code, quarter=q, synthetic=True)
                made += 1
    return f"demo reviews: {made} synthetic reviews published"
