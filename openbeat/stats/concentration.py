"""The law of crime concentration: how much crime the busiest places hold.

Weisburd (2015) found, city after city, that about 50% of crime falls in 2–6% of street
segments and 25% in about 1%. Here places are grid cells or areas: sort them from most
to least crime and read off the share of crime in the top x% (the concentration curve,
a Lorenz curve read from the top) and the share of places that hold half of all crime.

Places with no crime count: leaving them out would hide how concentrated crime is
(Weisburd reports both, "of all places" and "of places with crime"; so do we).

Reference
---------
Weisburd, D. (2015). The law of crime concentration and the criminology of place.
*Criminology* 53(2), 133–157.

Example
-------
>>> from openbeat.stats.concentration import concentration
>>> c = concentration([50, 20, 10, 10, 5, 5, 0, 0, 0, 0])
>>> c.share_in_top(0.1), c.places_for_share(0.5), c.places_with_crime_for_share(0.5)
(0.5, 0.1, 0.16666666666666666)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Concentration:
    """Counts sorted from the busiest place down, with readings off the curve.

    Attributes
    ----------
    counts : ndarray
        Crime per place, sorted in decreasing order.
    total : float
        All crime.
    """

    counts: np.ndarray
    total: float

    @property
    def n_places(self) -> int:
        return int(self.counts.size)

    @property
    def n_with_crime(self) -> int:
        return int((self.counts > 0).sum())

    def curve(self, include_zeros: bool = True) -> pd.DataFrame:
        """Cumulative share of crime against cumulative share of places, from (0, 0)."""
        k, places, crime = self._curve(include_zeros)
        return pd.DataFrame({"places": k, "share_of_places": places, "share_of_crime": crime})

    def _curve(self, include_zeros: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The curve's columns as arrays (a DataFrame costs more than reading it does)."""
        c = self.counts if include_zeros else self.counts[self.counts > 0]
        k = np.arange(c.size + 1)
        cum = np.concatenate([[0.0], np.cumsum(c)])
        return k, k / max(c.size, 1), cum / self.total

    def share_in_top(self, fraction: float, include_zeros: bool = True) -> float:
        """Share of all crime in the top ``fraction`` of places.

        Read off the curve by linear interpolation between whole places, so that the
        top 5% of 30 places (1.5 places) is the first place plus half the second.
        """
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
        _, places, crime = self._curve(include_zeros)
        return float(np.interp(fraction, places, crime))

    def places_for_share(self, share: float = 0.5) -> float:
        """Smallest share of all places that holds at least ``share`` of the crime."""
        return self._places(share, self.counts)

    def places_with_crime_for_share(self, share: float = 0.5) -> float:
        """The same, as a share of places with at least one crime."""
        return self._places(share, self.counts[self.counts > 0])

    def _places(self, share, c):
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        cum = np.cumsum(c)
        # A tiny tolerance so that exactly half (e.g. 50 of 100) counts as reached.
        k = int(np.searchsorted(cum, share * self.total * (1 - 1e-12), side="left")) + 1
        return k / c.size

    @property
    def summary(self) -> str:
        return (f"{self.places_for_share(0.5):.1%} of places hold half of all crime "
                f"({self.places_with_crime_for_share(0.5):.1%} of places with any crime); "
                f"the top 1% hold {self.share_in_top(0.01):.1%}, the top 5% "
                f"{self.share_in_top(0.05):.1%}.")

    def as_dict(self) -> dict:
        return {
            "places": self.n_places, "places_with_crime": self.n_with_crime,
            "crimes": self.total,
            "top_1pct_share": self.share_in_top(0.01), "top_5pct_share": self.share_in_top(0.05),
            "top_10pct_share": self.share_in_top(0.10),
            "places_for_half": self.places_for_share(0.5),
            "places_with_crime_for_half": self.places_with_crime_for_share(0.5),
            "summary": self.summary,
        }


def concentration(counts) -> Concentration:
    """Build the concentration curve from crime per place (cells or areas).

    Parameters
    ----------
    counts : array_like
        Crime (or harm) per place, zeros included.
    """
    c = np.asarray(counts, dtype=float).ravel()
    if c.size == 0:
        raise ValueError("no places")
    if np.any(c < 0) or not np.all(np.isfinite(c)):
        raise ValueError("counts must be finite and non-negative")
    total = float(c.sum())
    if total == 0:
        raise ValueError("no crime in any place: concentration is undefined")
    return Concentration(np.sort(c)[::-1].copy(), total)
