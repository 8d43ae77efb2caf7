"""Parameter types shared by endpoints: months and periods."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

#: A calendar month as police.uk writes it: YYYY-MM.
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]

#: A GSS area code (E05000001) or a synthetic demo code; anything else cannot exist.
AreaCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,16}$")]


def check_period(start: str | None, end: str | None) -> None:
    """Raise a 400 ApiError when ``from`` is after ``to``."""
    from openbeat.api.errors import ApiError

    if start and end and start > end:
        raise ApiError(
            400, "bad_period", f"The period starts ({start}) after it ends ({end}).",
            hint="Swap 'from' and 'to', or leave one out.",
            errors=[{"parameter": "from", "location": "query", "message": f"must not be after to ({end})"}],
        )
