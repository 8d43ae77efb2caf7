"""Did the action work? Before/after tests for a targeted area against comparison areas.

**Weighted Displacement Difference** (Wheeler & Ratcliffe 2018). With crime counts
before (0) and after (1) in the target area T, its control area Ct, the displacement
(buffer) area D and its control Cd::

    WDD = (T1 - T0) - (Ct1 - Ct0) + (D1 - D0) - (Cd1 - Cd0)

a difference-in-differences in crimes, plus the same for the displacement area, so that
crime pushed round the corner is not counted as prevented. Counts are Poisson, so the
variance is the sum of all eight counts and ``z = WDD / sqrt(var)``. A negative WDD is
crime prevented. Optional weights for periods of different length and areas of
different size follow Wheeler's later notes (each count is divided by its weight and
its variance by the weight squared), as in his R package ``ptools::wdd``.

**Before/after ratio** (difference in differences on the log scale): the target's
after/before ratio divided by the comparison areas' after/before ratio, with the
interval ``exp(ln R ± z sqrt(1/T0 + 1/T1 + 1/C0 + 1/C1))`` from the Poisson counts —
the interaction of a saturated Poisson model for the 2 × 2 table. Below 1 means the
target fell relative to its comparison.

References
----------
Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test
to evaluate place based crime interventions. *Crime Science* 7, 11.
https://doi.org/10.1186/s40163-018-0085-5

Example
-------
The paper's worked example (target 207 → 110, control 308 → 318, displacement
178 → 157, its control 150 → 140):

>>> from openbeat.stats.wdd import wdd
>>> r = wdd(target=(207, 110), control=(308, 318), displacement=(178, 157),
...         displacement_control=(150, 140))
>>> r.estimate, r.variance, round(r.z, 2), round(r.low), round(r.high)
(-118.0, 1568.0, -2.98, -196, -40)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class WDD:
    """Weighted Displacement Difference with its standard error.

    ``local`` is the target-area part (ΔT − ΔCt), ``displacement`` the buffer part
    (ΔD − ΔCd); ``estimate`` their sum, negative when crime was prevented.
    """

    local: float
    local_se: float
    displacement: float
    displacement_se: float
    estimate: float
    variance: float
    z: float
    p_value: float
    low: float
    high: float
    level: float

    @property
    def se(self) -> float:
        return float(np.sqrt(self.variance))

    @property
    def summary(self) -> str:
        what = "fewer" if self.estimate < 0 else "more"
        verdict = ("unlikely to be chance alone" if self.p_value < 1 - self.level
                   else "within what chance alone often produces")
        return (f"An estimated {abs(self.estimate):.0f} {what} crimes than the comparison areas "
                f"predict (standard error {self.se:.1f}; {self.level:.0%} interval "
                f"{self.low:.0f} to {self.high:.0f}; z = {self.z:.2f}): {verdict}.")


def wdd(*, target, control, displacement=(0, 0), displacement_control=(0, 0),
        time_weights=(1.0, 1.0), area_weights=(1.0, 1.0, 1.0, 1.0), level: float = 0.95) -> WDD:
    """Weighted Displacement Difference test (Wheeler & Ratcliffe 2018).

    Parameters
    ----------
    target, control, displacement, displacement_control : (before, after)
        Crime counts in each area before and after the action. Leave the displacement
        pair at (0, 0) when there is no buffer area.
    time_weights : (before, after)
        Period lengths (e.g. (2, 1) for two years before and one after).
    area_weights : (control, target, displacement_control, displacement)
        Relative sizes, in ``ptools::wdd``'s order.
    level : float
        Confidence level of the interval.
    """
    pairs = {"target": target, "control": control, "displacement": displacement,
             "displacement_control": displacement_control}
    for name, pair in pairs.items():
        if len(pair) != 2 or any(c < 0 for c in pair):
            raise ValueError(f"{name} must be (before, after) non-negative counts, got {pair}")
    tw0, tw1 = map(float, time_weights)
    aw_c, aw_t, aw_dc, aw_d = map(float, area_weights)

    def part(treated, ctrl, w_t, w_c):
        est = (treated[1] / (tw1 * w_t) - treated[0] / (tw0 * w_t)) - \
              (ctrl[1] / (tw1 * w_c) - ctrl[0] / (tw0 * w_c))
        var = (treated[1] / (tw1 * w_t) ** 2 + treated[0] / (tw0 * w_t) ** 2 +
               ctrl[1] / (tw1 * w_c) ** 2 + ctrl[0] / (tw0 * w_c) ** 2)
        return float(est), float(var)

    local, v_local = part(target, control, aw_t, aw_c)
    disp, v_disp = part(displacement, displacement_control, aw_d, aw_dc)
    est, var = local + disp, v_local + v_disp
    if var == 0:
        raise ValueError("every count is zero: there is nothing to test")
    z = est / np.sqrt(var)
    q = stats.norm.isf((1 - level) / 2)
    return WDD(local, float(np.sqrt(v_local)), disp, float(np.sqrt(v_disp)), est, var, float(z),
               float(2 * stats.norm.sf(abs(z))), float(est - q * np.sqrt(var)),
               float(est + q * np.sqrt(var)), level)


@dataclass(frozen=True)
class BeforeAfter:
    """Target against comparison areas, before and after: ratio of ratios with interval."""

    target_before: int
    target_after: int
    comparison_before: int
    comparison_after: int
    ratio: float
    low: float
    high: float
    p_value: float
    level: float
    note: str = ""

    @property
    def summary(self) -> str:
        if self.note:
            return self.note
        verdict = ("unlikely to be chance alone" if self.p_value < 1 - self.level
                   else "not distinguishable from chance")
        return (f"Relative to the comparison areas, crime in the target area was {self.ratio:.2f} "
                f"times what their trend predicts ({self.level:.0%} interval {self.low:.2f} to "
                f"{self.high:.2f}, p = {self.p_value:.2g}): {verdict}.")


def before_after(target_before: int, target_after: int, comparison_before: int,
                 comparison_after: int, level: float = 0.95) -> BeforeAfter:
    """Ratio ``(T1/T0) / (C1/C0)`` with a log-scale Poisson interval.

    Any zero count leaves the ratio without an interval (the log variance is infinite);
    the result says so in ``note`` instead of inventing one.
    """
    t0, t1, c0, c1 = (int(v) for v in (target_before, target_after, comparison_before,
                                        comparison_after))
    if min(t0, t1, c0, c1) < 0:
        raise ValueError("counts must be non-negative")
    if min(t0, t1, c0, c1) == 0:
        ratio = (t1 / t0) / (c1 / c0) if t0 and c0 and c1 else float("nan")
        return BeforeAfter(t0, t1, c0, c1, ratio, float("nan"), float("nan"), float("nan"), level,
                           "A period with no crimes in the target or comparison areas leaves the "
                           "ratio without an interval; compare longer periods or larger areas.")
    lr = np.log(t1 / t0) - np.log(c1 / c0)
    se = np.sqrt(1 / t0 + 1 / t1 + 1 / c0 + 1 / c1)
    q = stats.norm.isf((1 - level) / 2)
    return BeforeAfter(t0, t1, c0, c1, float(np.exp(lr)), float(np.exp(lr - q * se)),
                       float(np.exp(lr + q * se)), float(2 * stats.norm.sf(abs(lr) / se)), level)


def choose_comparison_areas(areas: pd.DataFrame, target: str, k: int = 5, exclude=()) -> pd.DataFrame:
    """Comparison areas for a target: same borough, most similar baseline.

    Parameters
    ----------
    areas : pandas.DataFrame
        Columns ``area``, ``borough``, ``baseline`` (crimes in the period before).
    target : str
        The target area's code.
    k : int
        How many to choose.
    exclude : iterable of str
        Areas not to use (the target's neighbours, where displacement would land).

    Similarity is ``|ln(baseline / target baseline)|``, so an area with twice the crime
    is as far as one with half; ties go to the order given.
    """
    need = {"area", "borough", "baseline"}
    if not need <= set(areas.columns):
        raise ValueError(f"areas needs columns {sorted(need)}, got {list(areas.columns)}")
    row = areas[areas["area"] == target]
    if row.empty:
        raise ValueError(f"target area {target!r} is not in the table")
    borough, base = row["borough"].iloc[0], float(row["baseline"].iloc[0])
    pool = areas[(areas["borough"] == borough) & (areas["area"] != target)
                 & ~areas["area"].isin(list(exclude)) & (areas["baseline"] > 0)].copy()
    if pool.empty:
        raise ValueError(f"no other area in {borough} with crime to compare {target} with")
    pool["distance"] = np.abs(np.log(pool["baseline"] / max(base, 0.5)))
    pool["_order"] = np.arange(len(pool))
    return pool.sort_values(["distance", "_order"]).head(k).drop(columns="_order")
