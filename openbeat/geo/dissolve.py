"""Dissolve member polygons into their parents (LSOA 2021 → ward, → borough).

Used where current ward polygons are not supplied: ONS publish the LSOA 2021 → ward
lookup, and LSOAs nest in 2022 wards closely, so the union of a ward's LSOAs is a good
approximation of its shape. Results are marked approximate by the caller.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely


def dissolve(member_geoms, parent_codes) -> tuple[list[str], np.ndarray]:
    """Union the members of each parent; members with no parent (None) are skipped.

    Returns (parent codes in first-seen order, their geometries). Members of a coverage
    share edges exactly, so ``coverage_union_all`` (no overlay noding) is used when the
    installed shapely has it, falling back to ``union_all``.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(parent_codes):
        if p is not None:
            groups[p].append(i)
    geoms = np.asarray(member_geoms, dtype=object)
    codes, out = [], []
    union = getattr(shapely, "coverage_union_all", None)
    for code, idx in groups.items():
        parts = geoms[idx]
        g = None
        if union is not None:
            try:
                g = union(parts)
                if not g.is_valid:
                    g = None
            except shapely.errors.GEOSException:
                g = None
        if g is None:
            g = shapely.union_all(parts)
        codes.append(code)
        out.append(g)
    return codes, np.asarray(out, dtype=object)
