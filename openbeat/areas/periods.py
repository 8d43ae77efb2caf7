"""The period a page shows: a preset ("last 12 months", "this financial year") or a from/to pair.

Every area page and tool reads the same three query parameters, :data:`PARAMS`:
``period`` (a preset name), ``from`` and ``to`` (YYYY-MM). A preset is turned into months
counting back from the latest month the area's own forces published (the coverage
model's default end, :meth:`openbeat.analytics.coverage.Coverage.default_end`), so "last
3 months" of a force a month behind the others is its own last three. The default (no
parameters, or ``period=last-12``) adds nothing to any link, so today's URLs and cached
answers stay as they are.

A period past what the area's forces published is not refused here: the figures decline
it with the coverage model's own sentence, and the page shows that sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from openbeat.web.templatetags.openbeat_tags import month as month_words

#: The query parameters of a chosen period (declare them in ``lake_cached(params=...)``).
PARAMS = ("period", "from", "to")
DEFAULT = "last-12"
#: Presets, in the order the form offers them.
PRESETS = {
    "last-12": "Last 12 months",
    "last-6": "Last 6 months",
    "last-3": "Last 3 months",
    "this-fy": "This financial year so far (from April)",
    "last-fy": "The previous financial year (April to March)",
    "year-before": "The 12 months before the last 12",
    "custom": "Months of your choice",
}
MONTH = re.compile(r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$")  # as the API: years 1900-2199


def _index(month: str) -> int:
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class PeriodChoice:
    """The period asked for. ``first``/``last`` are None where the figures' default applies."""

    preset: str = DEFAULT
    first: str | None = None
    last: str | None = None
    error: str = ""  # what was wrong with the query (the default is shown instead)

    @property
    def is_default(self) -> bool:
        return self.first is None and self.last is None

    def params(self) -> dict[str, str]:
        """``from``/``to`` for the API and the figures; empty for the default period."""
        return {k: v for k, v in (("from", self.first), ("to", self.last)) if v is not None}

    def page_params(self) -> dict[str, str]:
        """What a link to another view of the same page carries: the preset, or from/to."""
        if self.is_default:
            return {}
        if self.preset != "custom":
            return {"period": self.preset}
        return self.params()

    def query(self, sep: str = "?") -> str:
        """The page parameters as a query string ('' for the default)."""
        return sep + urlencode(self.page_params()) if self.page_params() else ""

    @property
    def label(self) -> str:
        if self.is_default:
            return PRESETS[DEFAULT].lower()
        if self.first and self.last:
            if self.first == self.last:
                return month_words(self.first)
            return f"{month_words(self.first)} to {month_words(self.last)}"
        if self.last:
            return f"the 12 months to {month_words(self.last)}"
        return f"{month_words(self.first)} onwards"


def period_choice(query: Mapping[str, str], *, latest: str | None) -> PeriodChoice:
    """The period a page's query asks for, with presets counted back from ``latest`` (YYYY-MM).

    >>> period_choice({"period": "last-3"}, latest="2025-06")
    PeriodChoice(preset='last-3', first='2025-04', last='2025-06', error='')
    >>> period_choice({"period": "this-fy"}, latest="2025-06").params()
    {'from': '2025-04', 'to': '2025-06'}
    >>> period_choice({"from": "2024-01", "to": "2024-12"}, latest="2025-06").label
    'January 2024 to December 2024'
    """
    first = (query.get("from") or "").strip()
    last = (query.get("to") or "").strip()
    preset = (query.get("period") or "").strip()
    if first or last or preset == "custom":
        bad = [f"“{v}”" for v in (first, last) if v and not MONTH.match(v)]
        if bad:
            return PeriodChoice(error=f"{' and '.join(bad)} is not a month: write it as year and month, "
                                      "for example 2025-01. The last 12 months are shown instead.")
        if first and last and first > last:
            return PeriodChoice(error=f"The period starts ({month_words(first)}) after it ends "
                                      f"({month_words(last)}). The last 12 months are shown instead.")
        if not first and not last:
            return PeriodChoice()
        if first and not last:
            last = latest if latest and latest >= first else first
        return PeriodChoice("custom", first or None, last or None)
    if not preset or preset == DEFAULT:
        return PeriodChoice()
    if preset not in PRESETS:
        return PeriodChoice(error=f"“{preset[:40]}” is not one of the periods offered. "
                                  "The last 12 months are shown instead.")
    if latest is None or not MONTH.match(latest):
        return PeriodChoice()
    end = _index(latest)
    if preset in ("last-6", "last-3"):
        n = int(preset.split("-")[1])
        return PeriodChoice(preset, _month(end - n + 1), latest)
    if preset == "year-before":
        return PeriodChoice(preset, _month(end - 23), _month(end - 12))
    april = end - (end % 12 - 3) % 12  # the latest April at or before the latest month
    if preset == "this-fy":
        return PeriodChoice(preset, _month(april), latest)
    return PeriodChoice(preset, _month(april - 12), _month(april - 1))  # last-fy
