"""Funnel plots: comparing areas' crime rates without ranking them on noise.

A ward with 2,000 residents and 30 burglaries and a ward with 20,000 residents and 300
burglaries have the same rate, but the small ward's rate is far less certain. A funnel
plot draws each area's rate against its population with control limits around the
overall rate that narrow as the population grows; only areas outside the limits differ
by more than chance would explain (Spiegelhalter 2005a).

Limits are exact Poisson limits on the count, made continuous by Spiegelhalter's
interpolation (2005a, Appendix A.1.1): for the ``p`` quantile ``y_p`` of
Poisson(``theta * n``),

    alpha = (F(y_p) - p) / (F(y_p) - F(y_p - 1)),   r_p = y_p - alpha,

and the rate limit is ``r_p / n``. 95% limits use p = 0.025 and 0.975, 99.8% limits
p = 0.001 and 0.999. ``method="chisq"`` gives instead the exact limits through the
chi-square (gamma) distribution, ``chi2.ppf(p, 2E) / 2`` and
``chi2.ppf(1 - p, 2E + 2) / 2`` (as in the R package FunnelPlotR and PHE's tools).

When areas vary more than Poisson noise allows (they usually do: crime is not spread
at random), ``overdispersion=True`` applies the multiplicative model of Spiegelhalter
(2005b): z-scores ``(r_i - theta) / sqrt(theta / n_i)`` are Winsorised (10% at each
end by default), ``phi = mean(z_w**2)``, and if ``phi > 1`` the limits become
``theta ± z_p sqrt(phi theta / n)``. ``I * phi`` is tested against chi-square(I - 1).

References
----------
Spiegelhalter, D. J. (2005a). Funnel plots for comparing institutional performance.
*Statistics in Medicine* 24(8), 1185–1202.
Spiegelhalter, D. J. (2005b). Handling over-dispersion of performance indicators.
*Quality and Safety in Health Care* 14(5), 347–351.

Example
-------
>>> from openbeat.stats.funnel import funnel
>>> f = funnel([30, 300, 12, 90], [2000, 20000, 2500, 4000], labels=["A", "B", "C", "D"])
>>> round(f.rate, 2)
15.16
>>> f.areas["classification"].tolist()
['within', 'within', 'below 99.8%', 'above 99.8%']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import mstats

CONFIDENCE_LEVELS = {"95": (0.025, 0.975), "998": (0.001, 0.999)}


def poisson_count_limit(expected, p: float, method: str = "spiegelhalter") -> np.ndarray:
    """The ``p`` control limit on a Poisson count with mean ``expected``.

    Parameters
    ----------
    expected : array_like
        Expected counts ``theta * n``.
    p : float
        Lower-tail probability (0.025 for the lower 95% limit, 0.975 for the upper).
    method : {"spiegelhalter", "chisq"}
        Interpolated exact Poisson quantile (default) or the chi-square form.
    """
    e = np.asarray(expected, dtype=float)
    if method == "spiegelhalter":
        y = stats.poisson.ppf(p, e)
        f_y = stats.poisson.cdf(y, e)
        f_y1 = stats.poisson.cdf(y - 1, e)
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(f_y > f_y1, (f_y - p) / (f_y - f_y1), 0.0)
        return np.maximum(y - alpha, 0.0)
    if method == "chisq":
        if p < 0.5:
            return np.where(e > 0, stats.chi2.ppf(p, 2 * e) / 2, 0.0)
        return stats.chi2.ppf(p, 2 * e + 2) / 2
    raise ValueError(f"method must be 'spiegelhalter' or 'chisq', got {method!r}")


@dataclass(frozen=True)
class Funnel:
    """Funnel-plot limits and each area's place in them.

    Attributes
    ----------
    theta : float
        Overall rate per person, ``sum(counts) / sum(populations)``.
    per : float
        Rates are shown per this many residents (1,000 by default).
    phi : float
        Winsorised overdispersion estimate (Spiegelhalter 2005b).
    phi_p_value : float
        p-value of ``I * phi`` against chi-square(I - 1): small means over-dispersed.
    overdispersed : bool
        Whether the limits were widened by ``phi`` (asked for and ``phi > 1``).
    areas : pandas.DataFrame
        One row per area: ``area``, ``count``, ``population``, ``rate``, ``expected``,
        ``z``, ``lower_998``, ``lower_95``, ``upper_95``, ``upper_998`` (rates per
        ``per``) and ``classification`` (``"above 99.8%"``, ``"above 95%"``,
        ``"within"``, ``"below 95%"``, ``"below 99.8%"``, or ``"no population"``).
    """

    theta: float
    per: float
    phi: float
    phi_p_value: float
    overdispersed: bool
    method: str
    areas: pd.DataFrame

    @property
    def rate(self) -> float:
        """The overall rate per ``per`` residents (the funnel's centre line)."""
        return self.theta * self.per

    def limits(self, populations) -> pd.DataFrame:
        """Limits (rates per ``per``) at the given population sizes."""
        n = np.asarray(populations, dtype=float)
        out = {"population": n}
        for name, (lo, hi) in CONFIDENCE_LEVELS.items():
            low, high = _rate_limits(self.theta, n, lo, hi, self.phi if self.overdispersed else None,
                                     self.method)
            out[f"lower_{name}"] = low * self.per
            out[f"upper_{name}"] = high * self.per
        return pd.DataFrame(out)

    def curve(self, points: int = 200) -> pd.DataFrame:
        """Limits on a log-spaced grid of populations spanning the areas, for drawing."""
        pop = self.areas["population"]
        pop = pop[pop > 0]
        lo, hi = max(pop.min() / 2, 1.0), pop.max() * 1.5
        return self.limits(np.unique(np.round(np.geomspace(lo, hi, points))))


def _rate_limits(theta, n, p_lo, p_hi, phi, method):
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if phi is not None:
            half = stats.norm.ppf(p_hi) * np.sqrt(phi * theta / n)
            return np.maximum(theta - half, 0.0), theta + half
        e = theta * n
        return (poisson_count_limit(e, p_lo, method) / n, poisson_count_limit(e, p_hi, method) / n)


def estimate_phi(z, winsor: float = 0.1) -> float:
    """Spiegelhalter's (2005b) ``phi``: the mean square of Winsorised z-scores.

    The ``winsor`` fraction of z-scores at each end is set to the nearest remaining
    value (``scipy.stats.mstats.winsorize``), so a few extreme areas do not inflate the
    limits that are meant to find them.
    """
    z = np.asarray(z, dtype=float)
    zw = np.asarray(mstats.winsorize(z, limits=(winsor, winsor)))
    return float(np.mean(zw**2))


def funnel(counts, populations, labels=None, per: float = 1000.0, overdispersion: bool = False, winsor: float = 0.1, method: str = "spiegelhalter") -> Funnel:
    """Funnel-plot limits for areas with counts and populations.

    Parameters
    ----------
    counts : array_like of int
        Crimes (or searches) per area.
    populations : array_like
        Residents per area (the denominator).
    labels : array_like, optional
        Area names or codes.
    per : float
        Rates per this many residents (default 1,000).
    overdispersion : bool
        Widen the limits by Spiegelhalter's multiplicative ``phi`` when ``phi > 1``.
    winsor : float
        Fraction Winsorised at each end when estimating ``phi`` (default 0.1).
    method : {"spiegelhalter", "chisq"}
        How exact Poisson limits are made continuous (see module docstring).
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(populations, dtype=float)
    if y.shape != n.shape or y.ndim != 1:
        raise ValueError(f"counts and populations must be 1-d and the same length "
                         f"({y.size} and {n.size})")
    if np.any(y < 0) or np.any(n < 0) or not np.all(np.isfinite(y)) or not np.all(np.isfinite(n)):
        raise ValueError("counts and populations must be finite and non-negative")
    has_pop = n > 0
    if np.any(y[~has_pop] > 0):
        i = int(np.flatnonzero(~has_pop & (y > 0))[0])
        raise ValueError(f"area {labels[i] if labels is not None else i} has crimes but no "
                         "population; fix the denominator before comparing rates")
    if not has_pop.any():
        raise ValueError("no area has a population")
    labels = np.arange(y.size) if labels is None else np.asarray(labels)
    theta = y[has_pop].sum() / n[has_pop].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(has_pop, y / n, np.nan)
        z = np.where(has_pop, (rate - theta) / np.sqrt(theta / n), np.nan)
    I = int(has_pop.sum())
    phi = estimate_phi(z[has_pop], winsor) if theta > 0 else float("nan")
    phi_p = float(stats.chi2.sf(I * phi, I - 1)) if I > 1 and np.isfinite(phi) else float("nan")
    use_phi = bool(overdispersion and np.isfinite(phi) and phi > 1)

    cols = {"area": labels, "count": y, "population": n, "rate": rate * per,
            "expected": theta * n, "z": z}
    bounds = {}
    for name, (lo, hi) in CONFIDENCE_LEVELS.items():
        low, high = _rate_limits(theta, np.where(has_pop, n, np.nan), lo, hi,
                                 phi if use_phi else None, method)
        bounds[name] = (low, high)
    cols["lower_998"], cols["lower_95"] = bounds["998"][0] * per, bounds["95"][0] * per
    cols["upper_95"], cols["upper_998"] = bounds["95"][1] * per, bounds["998"][1] * per
    cls = np.full(y.size, "within", dtype=object)
    # Compare counts with count limits (limit rate × population), so the exact limits
    # classify exactly; equality counts as within.
    cls[y > bounds["95"][1] * n] = "above 95%"
    cls[y > bounds["998"][1] * n] = "above 99.8%"
    cls[y < bounds["95"][0] * n] = "below 95%"
    cls[y < bounds["998"][0] * n] = "below 99.8%"
    cls[~has_pop] = "no population"
    cols["classification"] = cls
    return Funnel(float(theta), float(per), phi, phi_p, use_phi, method, pd.DataFrame(cols))
