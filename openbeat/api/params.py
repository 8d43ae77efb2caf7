"""Parameter types shared by endpoints: months, periods, area codes, crime types."""

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


def check_period(start: str | None, end: str | None) -> None:
    """Raise a 400 ApiError when ``from`` is after ``to``."""
    from openbeat.api.errors import ApiError

    if start and end and start > end:
        raise ApiError(
            400, "bad_period", f"The period starts ({start}) after it ends ({end}).",
            hint="Swap 'from' and 'to', or leave one out.",
            errors=[{"parameter": "from", "location": "query", "message": f"must not be after to ({end})"}],
        )


def check_crime_type(crime_type: str | None, parameter: str = "crime_type") -> None:
    """Raise a 400 ApiError for a crime type police.uk does not use."""
    from openbeat.api.errors import ApiError

    if crime_type is not None and crime_type not in CRIME_TYPES:
        raise ApiError(
            400, "unknown_crime_type", f"There is no police.uk crime type called {crime_type!r}.",
            hint="Use one of: " + "; ".join(CRIME_TYPES) + ".",
            errors=[{"parameter": parameter, "location": "query", "message": "is not a police.uk crime type"}],
        )
