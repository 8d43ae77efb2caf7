"""The shape of a UK postcode, and its standard form ('n134pn' → 'N13 4PN').

Only the shape: whether a postcode exists, and where it is, is the postcode directory's
to say (:mod:`openbeat.ingest.postcodes` loads it; :mod:`openbeat.locate` reads it).
Kept outside the ingest package, so that a look-up loads no loaders.
"""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"^\s*([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\s*$", re.I)


def normalise_postcode(text: str) -> str | None:
    """'n134pn' → 'N13 4PN'; None if it is not a UK postcode's shape."""
    m = _POSTCODE.match(text or "")
    return f"{m[1].upper()} {m[2].upper()}" if m else None
