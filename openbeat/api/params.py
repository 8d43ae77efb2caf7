"""Parameter types shared by endpoints: months, periods, area codes, crime types.

The checks that answer 400 for values that parse but make no sense are in
:mod:`openbeat.api.errors` (``check_period``, ``check_crime_type``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from openbeat.analytics.harm import CRIME_TYPES

MONTH_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"  # years 1900-2199: a date, never year 0 or 9998

#: A calendar month as police.uk writes it: YYYY-MM.
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]

#: A GSS area code (E05000001), a synthetic demo code, or a police.uk force slug
#: (``metropolitan``, ``avon-and-somerset``); anything else cannot exist.
AreaCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")]

CRIME_TYPE_HELP = "One police.uk crime type: " + "; ".join(CRIME_TYPES) + ". Default: all crime except anti-social behaviour."
