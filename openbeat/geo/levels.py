"""The levels of area OpenBeat knows, and what each is called: the one list.

ONS geographies from the smallest up — LSOA (2011 and 2021), MSOA (2021), ward, borough
(local authority district) — and the police force, whose area is the boroughs its crimes
fall in (its police.uk slug is its code). The boundaries loader, the point look-up, the
analytics store and the area pages all take their levels from here.
"""

from __future__ import annotations

#: Levels with boundaries in the lake's ``areas`` dataset, smallest first.
AREA_LEVELS = ("lsoa11", "lsoa21", "msoa21", "ward", "borough")
#: The same without LSOA 2011 (kept only to read data published on the old boundaries).
CURRENT_LEVELS = AREA_LEVELS[1:]
#: Levels crimes are counted at (each has a column in the analytics store's aggregates).
COUNTED_LEVELS = ("lsoa21", "ward", "borough", "force")
#: Every level, largest first: the force, then the ``areas`` levels (an LSOA code can be
#: both 2011 and 2021: the current one comes first).
ALL_LEVELS = ("force", *reversed(AREA_LEVELS))

#: What each level is called on a page.
LEVEL_NAMES = {
    "force": "Police force",
    "borough": "Borough",
    "ward": "Ward",
    "msoa21": "Middle layer super output area (MSOA)",
    "lsoa21": "Neighbourhood statistical area (LSOA 2021)",
    "lsoa11": "Neighbourhood statistical area (LSOA 2011, no longer current)",
}
