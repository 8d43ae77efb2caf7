"""Is crime up or down? Two-period comparisons of counts, told honestly.

Two tests, side by side:

* the **Poisson E-test** of Krishnamoorthy & Thomson (2004) for equal rates
  ``c1/t1 == c2/t2``: the p-value sums the probabilities, under the pooled rate, of all
  pairs of counts whose score statistic is at least as extreme as the one observed. It
  is accurate for small counts, where a normal approximation is not;
* **Wheeler's Poisson z**, ``z = 2 (sqrt(c2) - sqrt(c1))`` (the square root stabilises
  the Poisson variance; Wheeler 2016), flagged only when ``|z| > 3``: a deliberately
  strict rule for the many month-on-month comparisons a dashboard makes.

A bare percentage change is never returned on its own: :class:`Change` carries the
counts, the rate ratio, both tests and a plain-English summary.

References
----------
Krishnamoorthy, K. & Thomson, J. (2004). A more powerful test for comparing two Poisson
means. *Journal of Statistical Planning and Inference* 119(1), 23–35.
Wheeler, A. P. (2016). Tables and graphs for monitoring temporal crime trends:
translating theory into practical crime analysis advice. *International Journal of
Police Science & Management* 18(3), 159–172.

Example
-------
>>> from openbeat.stats.change import compare_counts
>>> ch = compare_counts(120, 160, label1="2023-04", label2="2024-04")
>>> ch.direction, round(ch.p_value, 4), round(ch.z, 2), ch.flag
('up', 0.0168, 3.39, True)
>>> print(ch.summary)
Up: 160 in 2024-04 against 120 in 2023-04 (rate ratio 1.33). Poisson E-test p = 0.017: a change this large is unlikely to be chance alone. Wheeler's z = 3.39 is beyond ±3: a clear shift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import special

# pandas loads only for the monthly-series helpers below: a profile's E-tests need numpy
# and scipy.special alone, so `openbeat analyse profile` starts without it.

_EPS_SQRT = 1e-20  # statsmodels' guard against 0/0 at the (0, 0) corner
_EPS_TIE = 1e-15  # statsmodels' tolerance for "at least as extreme"


def _poisson_pmf(k: np.ndarray, mu: float) -> np.ndarray:
    """``scipy.stats.poisson.pmf`` for whole ``k >= 0``: the same special functions, same bits.

    scipy.stats takes ~3× as long to import as scipy.special; these three are all the
    E-test needs (tests check them against scipy.stats value for value).
    """
    return np.clip(np.exp(special.xlogy(k, mu) - special.gammaln(k + 1) - mu), 0, 1)


def _poisson_cdf(k: np.ndarray, mu: float) -> np.ndarray:
    """``scipy.stats.poisson.cdf``: 0 below the support (k < 0)."""
    k = np.asarray(k, dtype=float)
    return np.where(k >= 0, np.clip(special.pdtr(np.floor(np.maximum(k, 0)), mu), 0, 1), 0.0)


def _poisson_sf(k: np.ndarray, mu: float) -> np.ndarray:
    """``scipy.stats.poisson.sf``: 1 below the support (k < 0)."""
    k = np.asarray(k, dtype=float)
    return np.where(k >= 0, np.clip(special.pdtrc(np.floor(np.maximum(k, 0)), mu), 0, 1), 1.0)


def _score(x1, x2, r_d):
    """Score statistic for H0 rate1 == rate2 (Krishnamoorthy & Thomson 2004, eq. 2.2)."""
    return (x1 - x2 * r_d) / np.sqrt((x1 + x2) * r_d + _EPS_SQRT)


def poisson_etest(c1: int, t1: float, c2: int, t2: float) -> tuple[float, float]:
    """Two-sided Poisson E-test of ``c1/t1 == c2/t2``.

    Parameters
    ----------
    c1, c2 : int
        Counts in the two periods (or areas).
    t1, t2 : float
        Their exposures (months, residents, ...).

    Returns
    -------
    statistic, p_value : float
        The score statistic and the E-test p-value. Equal to statsmodels
        ``test_poisson_2indep(c1, t1, c2, t2, method="etest")`` (which truncates its sums
        at the 1 - 1e-13 quantile; we sum exactly over one count and leave out far less
        than 1e-17 of the other's mass).

    Notes
    -----
    Under H0 both counts are Poisson with the pooled rate ``(c1 + c2) / (t1 + t2)``. For
    each value of the first count the statistic is monotone in the second, so the set of
    "at least as extreme" second counts is two tails found by solving a quadratic; the
    p-value is then a sum of Poisson CDFs rather than a double sum over a grid.
    """
    return poisson_etests([(c1, t1, c2, t2)])[0]


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


@dataclass(frozen=True)
class Change:
    """A two-period comparison of counts.

    Attributes
    ----------
    c1, c2 : int
        Counts in the first and second period.
    t1, t2 : float
        Exposures (1 each for equal periods).
    ratio : float
        Rate ratio ``(c2/t2) / (c1/t1)``: inf when ``c1 == 0 < c2``, NaN when both are 0.
    statistic, p_value : float
        Poisson E-test score statistic and two-sided p-value.
    z : float or None
        Wheeler's ``2 (sqrt(c2) - sqrt(c1))``; None when the periods differ in length.
    flag : bool
        ``|z| > 3``.
    direction : str
        ``"up"`` or ``"down"`` when the E-test p-value is below ``alpha``, otherwise
        ``"no significant change"``.
    """

    c1: int
    c2: int
    t1: float
    t2: float
    ratio: float
    statistic: float
    p_value: float
    z: float | None
    flag: bool
    direction: str
    alpha: float = 0.05
    label1: str = "the first period"
    label2: str = "the second period"

    @property
    def summary(self) -> str:
        """The comparison in one or two plain-English sentences."""
        ratio = ("no crimes in either period" if np.isnan(self.ratio)
                 else "none before" if np.isinf(self.ratio) else f"rate ratio {self.ratio:.2f}")
        counts = f"{self.c2} in {self.label2} against {self.c1} in {self.label1}"
        if self.direction == "no significant change":
            text = (f"No significant change: {counts} ({ratio}, Poisson E-test "
                    f"{_fmt_p(self.p_value)}); a difference this size often happens by chance.")
        else:
            text = (f"{self.direction.capitalize()}: {counts} ({ratio}). Poisson E-test "
                    f"{_fmt_p(self.p_value)}: a change this large is unlikely to be chance alone.")
        if self.z is not None:
            if self.flag:
                text += f" Wheeler's z = {self.z:.2f} is beyond ±3: a clear shift."
            else:
                text += (f" Wheeler's z = {self.z:.2f} is within ±3, so it is not flagged "
                         "as a clear shift.")
        return text

    def as_dict(self) -> dict:
        return {
            "c1": self.c1, "c2": self.c2, "ratio": self.ratio, "p_value": self.p_value,
            "wheeler_z": self.z, "flag": self.flag, "direction": self.direction,
            "summary": self.summary,
        }


def poisson_etests(tests) -> list[tuple[float, float]]:
    """:func:`poisson_etest` of many ``(c1, t1, c2, t2)`` at once: the same answers, bit for bit.

    Every test's grid of first counts is laid end to end and the same elementwise arithmetic
    (roots, boundary settling, Poisson CDFs) runs once over all of them, so a profile's few
    dozen comparisons make a few dozen numpy and scipy.special calls instead of a few dozen
    each. Each p-value is still the sum over its own grid alone. Boundary settling stops
    when no test's boundary moves, after at most four rounds; a settled boundary does not
    move in a further round, so no answer depends on the tests computed with it.
    """
    out: list[tuple[float, float] | None] = []
    grids, params, todo = [], [], []
    for c1, t1, c2, t2 in tests:
        for name, c in (("c1", c1), ("c2", c2)):
            if c < 0 or c != int(c):
                raise ValueError(f"{name} must be a non-negative whole count, got {c}")
        if t1 <= 0 or t2 <= 0:
            raise ValueError(f"exposures must be positive, got t1={t1}, t2={t2}")
        c1, c2 = int(c1), int(c2)
        r = 1 / (t2 / t1)  # statsmodels' r_d = value / d, d = t2 / t1: same rounding, same ties
        stat = float(_score(c1, c2, r))
        c = abs(stat) - _EPS_TIE
        if c <= 0:
            out.append((stat, 1.0))
            continue
        lam = (c1 + c2) / (t1 + t2)
        m1, m2 = lam * t1, lam * t2
        # 12 sd (+40) either side of the mean leaves out far less than 1e-17 of the mass.
        spread = 12 * np.sqrt(m1) + 40
        grids.append(np.arange(max(np.floor(m1 - spread), 0), np.ceil(m1 + spread) + 1))
        params.append((c, r, m1, m2))
        todo.append(len(out))
        out.append((stat, None))
    if not todo:
        return out
    sizes = [g.size for g in grids]
    x1 = np.concatenate(grids)
    c, r, m1, m2 = (np.repeat(np.array(col, dtype=float), sizes) for col in zip(*params))
    root = c * np.sqrt(c * c + 4 * x1 * (1 + r))
    upper = np.floor(((2 * x1 + c * c) - root) / (2 * r))
    lower = np.ceil(((2 * x1 + c * c) + root) / (2 * r))
    # The roots are exact up to rounding; settle the boundary against the statistic itself.
    for _ in range(4):
        was = upper, lower
        upper = np.where(_score(x1, upper + 1, r) >= c, upper + 1, upper)
        upper = np.where((upper >= 0) & (_score(x1, np.maximum(upper, 0), r) < c), upper - 1, upper)
        lower = np.where((lower > 0) & (_score(x1, np.maximum(lower - 1, 0), r) <= -c), lower - 1, lower)
        lower = np.where(_score(x1, lower, r) > -c, lower + 1, lower)
        if np.array_equal(upper, was[0]) and np.array_equal(lower, was[1]):
            break  # settled: another round would change nothing
    upper = np.maximum(upper, -1)
    lower = np.maximum(lower, 0)
    terms = _poisson_pmf(x1, m1) * (_poisson_cdf(upper, m2) + _poisson_sf(lower - 1, m2))
    start = 0
    for i, size in zip(todo, sizes):
        p = float(np.sum(terms[start:start + size]))
        out[i] = (out[i][0], min(p, 1.0))
        start += size
    return out


#: E-tests kept: they are pure, and comparisons of other periods or areas repeat the same
#: counts (a fraction of a millisecond to a few milliseconds each otherwise).
_ETESTS: dict[tuple, tuple[float, float]] = {}
_ETESTS_KEPT = 1 << 16


def _keep(key: tuple, value: tuple[float, float]) -> None:
    if len(_ETESTS) >= _ETESTS_KEPT:
        _ETESTS.clear()
    _ETESTS[key] = value


def _etest(c1: int, t1: float, c2: int, t2: float) -> tuple[float, float]:
    """:func:`poisson_etest`, kept."""
    key = (c1, t1, c2, t2)
    found = _ETESTS.get(key)
    if found is None:
        found = poisson_etest(c1, t1, c2, t2)
        _keep(key, found)
    return found


def prepare_comparisons(counts) -> None:
    """Compute, together, the E-tests of the ``(c1, c2)`` pairs (equal exposures) that
    :func:`compare_counts` is about to be asked for and does not keep yet."""
    tests = list(dict.fromkeys((c1, 1.0, c2, 1.0) for c1, c2 in counts))
    tests = [t for t in tests if t not in _ETESTS]
    for key, value in zip(tests, poisson_etests(tests)):
        _keep(key, value)


def compare_counts(c1: int, c2: int, t1: float = 1.0, t2: float = 1.0, alpha: float = 0.05,
                   label1: str = "the first period", label2: str = "the second period") -> Change:
    """Compare two counts with the Poisson E-test and Wheeler's z.

    Parameters
    ----------
    c1, c2 : int
        Counts in the first (earlier) and second (later) period.
    t1, t2 : float
        Exposures; equal by default (e.g. the same months a year apart).
    alpha : float
        Significance level for ``direction`` (default 0.05).
    label1, label2 : str
        Names of the periods for the summary, e.g. ``"2023-04"``.
    """
    stat, p = _etest(c1, t1, c2, t2)
    r1, r2 = c1 / t1, c2 / t2
    ratio = float("nan") if r1 == 0 and r2 == 0 else float("inf") if r1 == 0 else r2 / r1
    z = 2 * (np.sqrt(c2) - np.sqrt(c1)) if t1 == t2 else None
    direction = "no significant change" if p >= alpha else ("up" if r2 > r1 else "down")
    return Change(int(c1), int(c2), float(t1), float(t2), ratio, stat, p,
                  None if z is None else float(z), bool(z is not None and abs(z) > 3),
                  direction, alpha, label1, label2)


# -- monthly series ----------------------------------------------------------------------

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def to_months(values) -> pd.PeriodIndex:
    """Months (``pd.Period``, freq M) of dates, timestamps or ``"YYYY-MM"`` strings.

    Timezone-aware timestamps are converted to London time first: police.uk
    stop-and-search ``Date`` values are UTC, and a search just after midnight on the 1st
    of a BST month carries the previous month's UTC date.
    """
    import pandas as pd

    s = pd.Series(values)
    if len(s) and s.map(lambda v: isinstance(v, str) and bool(_MONTH.match(v))).all():
        return pd.PeriodIndex(s, freq="M")
    ts = pd.to_datetime(s)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("Europe/London").dt.tz_localize(None)
    return pd.PeriodIndex(ts.dt.to_period("M"))


def monthly_counts(dates, months=None) -> pd.Series:
    """Counts per month from one date per event.

    Parameters
    ----------
    dates : array_like
        One date (or ``"YYYY-MM"``) per crime or search.
    months : array_like, optional
        The months the data covers (e.g. the months a force published). Months in the
        range but not covered are NaN, not 0: police.uk has missing months, and a month
        nobody published is not a month without crime. Defaults to every month from the
        first to the last date.

    Returns
    -------
    pandas.Series
        Indexed by a monthly ``PeriodIndex``, float (NaN for months not covered).
    """
    import pandas as pd

    m = to_months(dates)
    counts = pd.Series(1, index=m).groupby(level=0).sum()
    if months is not None:
        cover = to_months(months)
        if len(cover) == 0:
            raise ValueError("months is empty: give the months the data covers")
        stray = m[~m.isin(cover)]
        if len(stray):
            raise ValueError(f"{len(stray)} dates fall outside the covered months, "
                             f"e.g. {stray[0]}; add that month to `months`")
        lo, hi = cover.min(), cover.max()
    else:
        if len(m) == 0:
            raise ValueError("no dates and no months: nothing to count")
        cover, lo, hi = None, m.min(), m.max()
    idx = pd.period_range(lo, hi, freq="M")
    out = counts.reindex(idx).fillna(0.0).astype(float)
    if cover is not None:
        out[~idx.isin(cover)] = np.nan
    out.index.name = "month"
    return out


def _as_monthly(series) -> pd.Series:
    import pandas as pd

    s = pd.Series(series).astype(float)
    if not isinstance(s.index, pd.PeriodIndex):
        s.index = to_months(list(s.index))
    s = s.groupby(level=0).sum(min_count=1)
    return s.reindex(pd.period_range(s.index.min(), s.index.max(), freq="M"))


def _rows(pairs, alpha) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for period, compared_with, c1, c2 in pairs:
        ch = compare_counts(int(c1), int(c2), alpha=alpha, label1=compared_with, label2=period)
        rows.append({"period": period, "compared_with": compared_with, **ch.as_dict()})
    cols = ["period", "compared_with", "c1", "c2", "ratio", "p_value", "wheeler_z", "flag",
            "direction", "summary"]
    return pd.DataFrame(rows, columns=cols)


def year_on_year(series, alpha: float = 0.05) -> pd.DataFrame:
    """Each month against the same month a year earlier (like with like: no seasonality).

    Parameters
    ----------
    series : pandas.Series
        Counts by month (index: ``PeriodIndex`` or ``"YYYY-MM"``); NaN for months not
        covered, which are skipped, never treated as zero.

    Returns
    -------
    pandas.DataFrame
        One row per month with a comparable month: ``period``, ``compared_with``,
        ``c1``, ``c2``, ``ratio``, ``p_value``, ``wheeler_z``, ``flag``,
        ``direction``, ``summary``.
    """
    s = _as_monthly(series)
    pairs = []
    for m in s.index:
        prev = m - 12
        if prev in s.index and not np.isnan(s[m]) and not np.isnan(s[prev]):
            pairs.append((str(m), str(prev), s[prev], s[m]))
    return _rows(pairs, alpha)


def rolling_12_months(series, alpha: float = 0.05) -> pd.DataFrame:
    """The 12 months to each month against the 12 months before them.

    Only windows with all 24 months covered are compared. ``period`` is written
    ``"2023-04 to 2024-03"``. Columns as :func:`year_on_year`.
    """
    import pandas as pd

    s = _as_monthly(series)
    pairs = []
    for m in s.index:
        a = pd.period_range(m - 23, m - 12, freq="M")
        b = pd.period_range(m - 11, m, freq="M")
        if a[0] < s.index[0]:
            continue
        va, vb = s.reindex(a), s.reindex(b)
        if va.isna().any() or vb.isna().any():
            continue
        pairs.append((f"{b[0]} to {b[-1]}", f"{a[0]} to {a[-1]}", va.sum(), vb.sum()))
    return _rows(pairs, alpha)
