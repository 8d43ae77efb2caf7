"""The demo's published reviews: the last four quarters the lake covers, for the force and for
its first borough, so a newcomer sees a history to compare and follow. Labelled synthetic.

Run by ``openbeat serve --demo`` after the other demo seeders
(``openbeat.web.server.DEMO_SEEDERS``); running it again changes nothing.
"""

from __future__ import annotations

QUARTERS = 4


def demo_reviews_seed() -> str:
    from openbeat.analytics.review import latest_quarters
    from openbeat.areas import selectors as areas
    from openbeat.demo import FORCE
    from openbeat.reviews.models import Review
    from openbeat.reviews.services import review_publish
    from openbeat.web.store import get_store

    if Review.objects.filter(synthetic=True).exists():
        return "demo reviews: already published"
    force = areas.area_get(code=FORCE)
    if force is None:
        return "demo reviews: skipped (the Northbridge demo is not in the lake)"
    boroughs, _ = areas.area_list(level="borough", parent=force.code, limit=100)
    quarters = latest_quarters(get_store(), QUARTERS)
    made = 0
    for area in [force, *sorted(boroughs, key=lambda b: b.code)[:1]]:
        for q in quarters:  # oldest first, so each compares itself with the one before
            review_publish(area_code=area.code, quarter=str(q), synthetic=True)
            made += 1
    span = f"{quarters[0]} to {quarters[-1]}" if quarters else "no quarter"
    return f"demo reviews: {made} synthetic reviews published ({span})"
