"""Sharing officers and PCSOs between wards: minimums first, then need.

Every ward first gets its minimum (the Met's standard: 2 dedicated ward officers and
1 PCSO per ward). The rest are shared in proportion to need — harm, optionally
weighted by a trust deficit — by the **largest-remainder (Hamilton) method**: each
ward's exact share ``R * need_i / sum(need)`` is rounded down, and the officers left
over go one each to the wards with the largest fractions (ties: larger need first,
then the order given). It is deterministic, adds up exactly and never gives a ward
with more need fewer officers than a ward with less (with equal minimums).

It can show the "population paradox": raising one ward's need can, rarely, move an
officer between two *other* wards. That is a property of every quota method that
adds up exactly (Balinski & Young 1982), and the reason we promise order, not more.

When caps or extra constraints are given (no ward above 12; at least 6 across three
town-centre wards; ...), an integer programme (``scipy.optimize.milp``, HiGHS) finds
the allocation closest to the proportional shares: it minimises the total absolute
difference from the targets ``t_i = clip(min_i + lambda * need_i, min_i, cap_i)``
(``lambda`` set so the targets add up to the total: the proportional share with capped
wards' surplus passed on in proportion to need), subject to minimums, caps, the total
and the extra constraints.

References
----------
Balinski, M. L. & Young, H. P. (1982). *Fair Representation: Meeting the Ideal of One
Man, One Vote*. Yale University Press (Hamilton's method and its paradoxes).
Mayor of London / MOPAC (2023). *A New Met for London*; Met Police ward policing
standard of two dedicated ward officers and one PCSO per ward.

Example
-------
>>> from openbeat.stats.apportion import allocate
>>> a = allocate(20, need=[5.0, 3.0, 1.0, 1.0], minimum=2)
>>> a.allocated.tolist()
[8, 6, 3, 3]
>>> allocate(20, need=[5.0, 3.0, 1.0, 1.0], minimum=2, caps=6).allocated.tolist()
[6, 6, 4, 4]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse


@dataclass(frozen=True)
class Allocation:
    """An allocation of ``total`` people to wards.

    Attributes
    ----------
    wards : ndarray
        Ward codes or names (or positions).
    need : ndarray
        Need score per ward.
    minimum, cap : ndarray
        Bounds per ward (``cap`` is inf when uncapped).
    target : ndarray
        The exact proportional share (not whole people).
    allocated : ndarray of int
        People per ward; adds up to ``total``.
    method : str
        ``"largest remainder"`` or ``"milp"``.
    """

    total: int
    wards: np.ndarray
    need: np.ndarray
    minimum: np.ndarray
    cap: np.ndarray
    target: np.ndarray
    allocated: np.ndarray
    method: str

    @property
    def deviation(self) -> float:
        """Total absolute difference between the allocation and the exact shares."""
        return float(np.abs(self.allocated - self.target).sum())

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"ward": self.wards, "need": self.need, "minimum": self.minimum,
                             "cap": self.cap, "share": self.target, "allocated": self.allocated})


def need_score(harm, trust=None, trust_weight: float = 1.0) -> np.ndarray:
    """Need per ward: harm, optionally weighted by the ward's trust deficit.

    ``need = harm * (deficit / mean(deficit)) ** trust_weight`` with
    ``deficit = 1 - trust`` (trust as a proportion). ``trust_weight`` 0 ignores trust;
    1 makes a ward with twice the average deficit count its harm double.
    """
    h = np.asarray(harm, dtype=float)
    if np.any(h < 0) or not np.all(np.isfinite(h)):
        raise ValueError("harm must be finite and non-negative")
    if trust is None or trust_weight == 0:
        return h
    t = np.asarray(trust, dtype=float)
    if t.shape != h.shape:
        raise ValueError(f"{t.size} trust values for {h.size} wards")
    if np.any((t < 0) | (t > 1)) or not np.all(np.isfinite(t)):
        raise ValueError("trust must be proportions between 0 and 1")
    deficit = 1 - t
    if deficit.mean() == 0:
        return h
    return h * (deficit / deficit.mean()) ** trust_weight


def _as_array(value, n, name, dtype=float):
    a = np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()
    return a


def _hamilton(extra: int, need: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Largest-remainder apportionment of ``extra`` seats by ``need``."""
    n = need.size
    if extra == 0:
        return np.zeros(n, dtype=np.int64)
    total_need = need.sum()
    quota = extra * need / total_need if total_need > 0 else np.full(n, extra / n)
    base = np.floor(quota).astype(np.int64)
    left = extra - int(base.sum())
    frac = quota - base
    # Largest fraction first; ties to larger need, then the order given.
    rank = np.lexsort((order, -need, -frac))
    base[rank[:left]] += 1
    return base


def _targets(total, need, lo, hi):
    """Proportional shares min + lambda * need, clipped to [lo, hi], adding up to total."""
    if need.sum() == 0:
        need = np.ones_like(need)

    def s(lam):
        return np.clip(lo + lam * need, lo, hi).sum()

    lam_lo, lam_hi = 0.0, 1.0
    while s(lam_hi) < total:
        lam_hi *= 2
        if lam_hi > 1e300:
            break
    for _ in range(200):
        mid = (lam_lo + lam_hi) / 2
        if s(mid) < total:
            lam_lo = mid
        else:
            lam_hi = mid
    t = np.clip(lo + lam_hi * need, lo, hi)
    # Share the bisection's last rounding among the wards still below their caps.
    free = t < hi
    if free.any():
        t[free] += (total - t.sum()) / free.sum()
    return t


def allocate(total: int, need, minimum=2, caps=None, constraints=None, wards=None) -> Allocation:
    """Allocate ``total`` officers (or PCSOs) to wards.

    Parameters
    ----------
    total : int
        People to allocate.
    need : array_like
        Need score per ward (harm, or :func:`need_score`), non-negative.
    minimum : int or array_like
        Minimum per ward (default 2, the dedicated ward officers; use 1 for PCSOs).
    caps : int or array_like, optional
        Maximum per ward.
    constraints : list of (coefficients, lower, upper), optional
        Extra linear constraints ``lower <= coefficients @ allocated <= upper``; e.g.
        ``([1, 1, 1, 0, ...], 6, np.inf)`` for at least 6 across the first three wards.
    wards : array_like, optional
        Ward codes or names.

    Raises
    ------
    ValueError
        If ``total`` is below the sum of minimums, caps leave too few places, or the
        constraints cannot all be met.
    """
    need = np.asarray(need, dtype=float).ravel()
    n = need.size
    if n == 0:
        raise ValueError("no wards to allocate to")
    if np.any(need < 0) or not np.all(np.isfinite(need)):
        raise ValueError("need must be finite and non-negative for every ward")
    if int(total) != total or total < 0:
        raise ValueError(f"total must be a whole number of people, got {total}")
    total = int(total)
    lo = _as_array(minimum, n, "minimum")
    if np.any(lo < 0) or np.any(lo != np.round(lo)):
        raise ValueError("minimums must be whole, non-negative numbers")
    hi = np.full(n, np.inf) if caps is None else _as_array(caps, n, "caps")
    if np.any(hi < lo):
        i = int(np.flatnonzero(hi < lo)[0])
        raise ValueError(f"ward {wards[i] if wards is not None else i} has a cap ({hi[i]:g}) "
                         f"below its minimum ({lo[i]:g})")
    if total < lo.sum():
        raise ValueError(f"{total} people cannot cover the ward minimums: {n} wards need "
                         f"{int(lo.sum())} between them; raise the total or lower the minimum")
    if total > hi.sum():
        raise ValueError(f"the caps allow at most {hi.sum():g} people but {total} are to be "
                         "allocated; raise the caps")
    ward_ids = np.arange(n) if wards is None else np.asarray(wards)
    order = np.arange(n)

    if caps is None and not constraints:
        extra = total - int(lo.sum())
        alloc = lo.astype(np.int64) + _hamilton(extra, need, order)
        share = need / need.sum() if need.sum() > 0 else np.full(n, 1 / n)
        target = lo + extra * share
        return Allocation(total, ward_ids, need, lo, hi, target, alloc, "largest remainder")

    target = _targets(total, need, lo, hi)
    alloc = _milp(total, target, lo, hi, constraints or [], n)
    return Allocation(total, ward_ids, need, lo, hi, target, alloc, "milp")


def _milp(total, t, lo, hi, constraints, n):
    """min sum |x - t| s.t. lo <= x <= hi, sum x = total, extra constraints; x integer.

    x_i = f_i + r_i + u_i - d_i with f_i = floor(t_i), r_i in {0, 1} (round up),
    u_i, d_i >= 0 further steps up or down. Its cost (1 - 2 frac_i) r_i + u_i + d_i
    equals |x_i - t_i| up to a constant, and its LP relaxation is nearly integral, so
    HiGHS solves hundreds of wards in milliseconds.
    """
    f = np.floor(t + 1e-9)
    frac = np.clip(t - f, 0, 1)
    up_room = np.where(np.isinf(hi), total, hi - f - 1)  # u_i <= hi - f - 1 (given r = 1)
    r_ub = np.where(f >= hi, 0, 1)
    up_room = np.maximum(up_room, 0)
    down_room = f - lo
    # variables: [r (n), u (n), d (n)]
    c = np.concatenate([1 - 2 * frac, np.ones(n), np.ones(n)])
    lb = np.zeros(3 * n)
    ub = np.concatenate([r_ub, up_room, down_room])
    eye = sparse.identity(n, format="csr")
    X = sparse.hstack([eye, eye, -eye], format="csr")  # x - f as a function of the variables
    cons = [
        optimize.LinearConstraint(X.sum(axis=0), total - f.sum(), total - f.sum()),
        optimize.LinearConstraint(X, lo - f, hi - f),
    ]
    for coef, lower, upper in constraints:
        a = np.asarray(coef, dtype=float).ravel()
        if a.size != n:
            raise ValueError(f"a constraint has {a.size} coefficients for {n} wards")
        cons.append(optimize.LinearConstraint(a @ X, lower - a @ f, upper - a @ f))
    res = optimize.milp(c, constraints=cons, integrality=np.ones(3 * n),
                        bounds=optimize.Bounds(lb, ub), options={"mip_rel_gap": 0})
    if res.status != 0 or res.x is None:
        raise ValueError(f"no allocation meets every constraint ({res.message}); relax the "
                         "caps or constraints")
    v = np.round(res.x).astype(np.int64)
    return (f.astype(np.int64) + v[:n] + v[n:2 * n] - v[2 * n:])


def allocate_team(officers: int, pcsos: int, need, wards=None, min_officers: int = 2,
                  min_pcsos: int = 1, officer_caps=None, pcso_caps=None) -> pd.DataFrame:
    """Officers and PCSOs for each ward (two separate allocations, same need).

    Returns a table with ``ward``, ``need``, ``officers``, ``pcsos``.
    """
    a = allocate(officers, need, min_officers, officer_caps, wards=wards)
    b = allocate(pcsos, need, min_pcsos, pcso_caps, wards=wards)
    return pd.DataFrame({"ward": a.wards, "need": a.need, "officers": a.allocated,
                         "pcsos": b.allocated})
