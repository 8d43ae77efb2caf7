"""The demo's published reviews: the last four quarters the lake covers, for its first borough
and for the force, so a newcomer sees a history to compare and follow. Labelled synthetic.

Run by ``openbeat serve --demo`` after the other demo seeders
(``openbeat.web.server.DEMO_SEEDERS``). Publishing eight reviews takes a while, so the seeder
queues them for the background worker the demo runs beside the server (``--no-worker``
leaves them queued); each appears as it is published. Running it again changes nothing.

Imports go one way: this seeder queues ``tasks.demo_reviews_publish``, which runs
:func:`openbeat.reviews.demo_publish.demo_reviews_publish_now`; neither imports this module.
"""

from __future__ import annotations

QUARTERS = 4


def demo_reviews_seed() -> str:
    from openbeat.analytics.review import latest_quarters
    from openbeat.areas import lookup
    from openbeat.demo import FORCE
    from openbeat.reviews.models import Review
    from openbeat.reviews.tasks import demo_reviews_publish
    from openbeat.web.lake_access import get_store

    if Review.objects.filter(synthetic=True).exists():
        return "demo reviews: already published"
    force = lookup.area_get(code=FORCE)
    if force is None:
        return "demo reviews: skipped (the Northbridge demo is not in the lake)"
    boroughs, _ = lookup.area_list(level="borough", parent=force.code, limit=100)
    codes = [*[b.code for b in sorted(boroughs, key=lambda b: b.code)[:1]], force.code]
    quarters = [str(q) for q in latest_quarters(get_store(), QUARTERS)]
    demo_reviews_publish.enqueue(areas=codes, quarters=quarters)
    span = f"{quarters[0]} to {quarters[-1]}" if quarters else "no quarter"
    return (f"demo reviews: {len(codes) * len(quarters)} synthetic reviews ({span}) queued for the background "
            "worker")
