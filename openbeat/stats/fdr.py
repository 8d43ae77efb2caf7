"""Benjamini–Hochberg false discovery rate control.

Reference: Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate:
a practical and powerful approach to multiple testing. *JRSS B* 57(1), 289–300.

Thousands of grid cells are tested at once in a hotspot map; at 5% each, one cell in
twenty would be "significant" by chance alone. The q-value of a cell is the smallest
false discovery rate at which it would be called significant.

Example
-------
>>> from openbeat.stats.fdr import benjamini_hochberg
>>> reject, q = benjamini_hochberg([0.01, 0.04, 0.03, 0.2], alpha=0.05)
>>> reject.tolist()
[True, False, False, False]
>>> q.round(3).tolist()
[0.04, 0.053, 0.053, 0.2]
"""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(p_values, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg step-up procedure.

    Parameters
    ----------
    p_values : array_like
        p-values. NaN marks a test that was not made (e.g. a cell with no neighbours):
        it is left out of the count of tests and gets NaN q and ``reject=False``.
    alpha : float
        The false discovery rate to control.

    Returns
    -------
    reject : ndarray of bool
        True where the hypothesis is rejected at FDR ``alpha``.
    q : ndarray of float
        BH-adjusted p-values (q-values): ``min(1, min_{j>=i} p_(j) m / j)``, the same
        numbers as statsmodels ``multipletests(method="fdr_bh")[1]``.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        p = p.ravel()
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    valid = ~np.isnan(p)
    if np.any((p[valid] < 0) | (p[valid] > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    q = np.full(p.shape, np.nan)
    pv = p[valid]
    m = pv.size
    if m:
        order = np.argsort(pv, kind="mergesort")  # stable: ties keep input order
        ranked = pv[order] * m / np.arange(1, m + 1)
        # Step-up: each q is the running minimum from the largest p downwards.
        adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.minimum(adjusted, 1.0)
        q[valid] = out
    reject = np.zeros(p.shape, dtype=bool)
    reject[valid] = q[valid] <= alpha
    return reject, q
