"""Ward trust estimates: beta-binomial shrinkage toward the borough figure.

A ward survey with 40 answers says little on its own: 30 "yes" is 75%, give or take 13
points. The borough's figure (the published Public Attitude Survey) says what wards
there typically look like, and how much wards differ from each other is learnt from
all the borough's wards together. Each ward's estimate is then pulled toward the
borough figure — strongly for a ward with few answers, hardly for one with many —
and comes with an interval (Efron & Morris 1975; Casella 1985).

Model: ward *j*'s true proportion ``p_j ~ Beta(mu * kappa, (1 - mu) * kappa)`` with
``mu`` the borough proportion (taken as known) and ``kappa`` the prior concentration
(larger means wards are more alike); the ward's count ``y_j ~ Binomial(n_j, p_j)``.
Given ``kappa`` the posterior is ``Beta(y_j + mu kappa, n_j - y_j + (1 - mu) kappa)``.

How ``kappa`` is handled (``method``):

* ``"integrated"`` (default): ``kappa`` is learnt from the borough's wards through the
  beta-binomial marginal likelihood, and its uncertainty is carried into the ward
  estimates: the posterior is averaged over a grid of ``kappa`` weighted by
  likelihood × prior, with a uniform prior on the intra-ward correlation
  ``rho = 1 / (1 + kappa)``. Estimates are posterior means, intervals equal-tailed
  quantiles of that mixture of betas.
* ``"ml"`` / ``"moments"``: classic "plug-in" empirical Bayes with ``kappa`` fixed at
  its marginal maximum-likelihood or method-of-moments estimate, intervals from
  ``scipy.stats.beta.ppf``. Plug-in intervals ignore that ``kappa`` is estimated from
  some 20 wards and are too narrow: in our simulation (20 wards of 15–120 answers,
  ``kappa`` = 40) they covered the truth 91% of the time, and 74% at ``kappa`` = 150,
  where ``kappa``'s estimate often runs to its bound. The integrated method covered
  94–97% over ``kappa`` from 5 to 200 (tests/stats/test_shrinkage.py checks this).

``kappa`` reported is always the marginal ML estimate: the borough figure "counts as"
that many answers.

References
----------
Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. *JASA* 70(350), 311–319.
Casella, G. (1985). An introduction to empirical Bayes data analysis. *The American
Statistician* 39(2), 83–87.
Kass, R. E. & Steffey, D. (1989). Approximate Bayesian inference in conditionally
independent hierarchical models (parametric empirical Bayes models). *JASA* 84(407),
717–726 (why plug-in intervals are too narrow).

Example
-------
>>> from openbeat.stats.shrinkage import shrink_to_borough
>>> r = shrink_to_borough([30, 12, 50, 8], [40, 20, 80, 10], borough_p=0.65,
...                       wards=["A", "B", "C", "D"])
>>> r.table[["ward", "raw", "estimate"]].round(3).values.tolist()
[['A', 0.75, 0.711], ['B', 0.6, 0.626], ['C', 0.625, 0.632], ['D', 0.8, 0.704]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

KAPPA_MIN, KAPPA_MAX = 0.5, 1e6


def _neg_loglik(log_kappa, y, n, mu):
    k = np.exp(log_kappa)
    a, b = mu * k, (1 - mu) * k
    return -np.sum(special.betaln(y + a, n - y + b) - special.betaln(a, b))


def estimate_kappa(yes, n, mu: float, method: str = "ml") -> float:
    """Prior concentration ``kappa`` across wards, with the prior mean fixed at ``mu``.

    ``"ml"`` maximises the beta-binomial marginal likelihood over
    ``kappa`` in [0.5, 1e6] (log scale); ``"moments"`` solves
    ``E[(y - n mu)^2] = n mu (1 - mu) (1 + (n - 1) rho)`` for the intra-ward correlation
    ``rho = 1 / (1 + kappa)``, pooled over wards.
    """
    y, n = np.asarray(yes, float), np.asarray(n, float)
    keep = n > 0
    y, n = y[keep], n[keep]
    if y.size == 0:
        return KAPPA_MAX
    if method == "ml":
        res = optimize.minimize_scalar(_neg_loglik, bounds=(np.log(KAPPA_MIN), np.log(KAPPA_MAX)),
                                       args=(y, n, mu), method="bounded",
                                       options={"xatol": 1e-6})
        return float(np.exp(res.x))
    if method == "moments":
        v = mu * (1 - mu)
        num = np.sum((y - n * mu) ** 2 - n * v)
        den = np.sum(n * (n - 1) * v)
        rho = num / den if den > 0 else 0.0
        if rho <= 1 / (1 + KAPPA_MAX):
            return KAPPA_MAX
        return float(np.clip(1 / rho - 1, KAPPA_MIN, KAPPA_MAX))
    raise ValueError(f"method must be 'ml' or 'moments', got {method!r}")


@dataclass(frozen=True)
class Shrinkage:
    """Ward estimates shrunk toward the borough figure.

    Attributes
    ----------
    borough_p : float
        The borough proportion the wards are shrunk toward.
    kappa : float
        Marginal ML (or moments) estimate of the prior concentration: the borough
        figure counts like ``kappa`` answers.
    method : str
        ``"integrated"``, ``"ml"``, ``"moments"`` or ``"given kappa"``.
    table : pandas.DataFrame
        ``ward``, ``yes``, ``n``, ``raw`` (yes/n), ``estimate`` (posterior mean),
        ``low``, ``high`` (equal-tailed interval), ``weight`` (share of the estimate
        that comes from the ward's own answers, ``n / (n + kappa)``, averaged over
        ``kappa`` for the integrated method).
    """

    borough_p: float
    kappa: float
    method: str
    level: float
    table: pd.DataFrame

    @property
    def no_ward_variation(self) -> bool:
        """True when the wards vary no more than chance: every estimate is the borough's."""
        return self.kappa >= KAPPA_MAX * 0.999

    @property
    def note(self) -> str:
        if self.no_ward_variation:
            return ("The wards differ no more than their sample sizes explain, so each ward's "
                    "estimate stays close to the borough figure.")
        return (f"Each ward's estimate combines its own answers with the borough figure, "
                f"which counts as {self.kappa:.0f} answers.")


def _mixture_posterior(y, n, mu, level):
    """Posterior means and equal-tailed intervals averaged over kappa (uniform-rho prior)."""
    log_k = np.linspace(np.log(1e-3), np.log(1e5), 121)
    k = np.exp(log_k)
    a, b = mu * k, (1 - mu) * k
    ll = np.array([-_neg_loglik(lk, y, n, mu) for lk in log_k])
    log_prior = log_k - 2 * np.log1p(k)  # rho = 1/(1+kappa) uniform, on the log-kappa grid
    lw = ll + log_prior
    w = np.exp(lw - lw.max())
    keep = w > 1e-12 * w.max()  # drop kappas the data rule out: same answer, less work
    w, a, b, k = w[keep] / w[keep].sum(), a[keep], b[keep], k[keep]
    A = y[:, None] + a[None, :]
    B = (n - y)[:, None] + b[None, :]
    mean = (A / (A + B)) @ w
    share = (n[:, None] / (n[:, None] + k[None, :])) @ w

    var = (A * B / ((A + B) ** 2 * (A + B + 1)) + (A / (A + B)) ** 2) @ w - mean**2
    # Start from the beta with the mixture's mean and variance, then safeguarded Newton.
    common = mean * (1 - mean) / var - 1
    a0, b0 = mean * common, (1 - mean) * common

    def quantile(q):
        x = special.betaincinv(a0, b0, q)
        lo, hi = np.zeros(y.size), np.ones(y.size)
        for _ in range(60):
            f = special.betainc(A, B, x[:, None]) @ w - q
            if np.all(np.abs(f) < 1e-12):
                break
            lo, hi = np.where(f < 0, x, lo), np.where(f > 0, x, hi)
            dens = np.exp(stats.beta.logpdf(x[:, None], A, B)) @ w
            with np.errstate(divide="ignore", invalid="ignore"):
                step = x - f / dens
            # Newton inside the bracket, bisection when Newton would leave it.
            bad = ~np.isfinite(step) | (step < lo) | (step > hi)
            x = np.where(np.abs(f) < 1e-12, x, np.where(bad, (lo + hi) / 2, step))
        return x

    tail = (1 - level) / 2
    return mean, quantile(tail), quantile(1 - tail), share


def shrink_to_borough(yes, n, borough_p: float, wards=None, method: str = "integrated",
                      level: float = 0.95, kappa: float | None = None) -> Shrinkage:
    """Ward estimates of a survey proportion (e.g. trust in the police), shrunk to the borough.

    Parameters
    ----------
    yes, n : array_like
        Per ward: answers agreeing (e.g. "trust the police a great deal / a fair
        amount") and all valid answers.
    borough_p : float
        The borough's proportion (e.g. the PAS figure), between 0 and 1.
    wards : array_like, optional
        Ward codes or names.
    method : {"integrated", "ml", "moments"}
        See the module docstring; ``"integrated"`` has honest intervals.
    level : float
        Interval coverage (0.95).
    kappa : float, optional
        Use this concentration (plug-in) instead of learning it from the wards.
    """
    y, n = np.asarray(yes, dtype=float), np.asarray(n, dtype=float)
    if y.shape != n.shape or y.ndim != 1:
        raise ValueError("yes and n must be 1-d and the same length")
    if np.any(y < 0) or np.any(y > n) or np.any(y != np.round(y)) or np.any(n != np.round(n)):
        raise ValueError("each ward needs whole counts with 0 <= yes <= n")
    if not 0 < borough_p < 1:
        raise ValueError(f"borough_p must be strictly between 0 and 1, got {borough_p}")
    if method not in ("integrated", "ml", "moments"):
        raise ValueError(f"method must be 'integrated', 'ml' or 'moments', got {method!r}")
    k_ml = estimate_kappa(y, n, borough_p, "moments" if method == "moments" else "ml")
    if method == "integrated" and kappa is None:
        est, low, high, share = _mixture_posterior(y, n, borough_p, level)
    else:
        k = k_ml if kappa is None else float(kappa)
        a = y + borough_p * k
        b = n - y + (1 - borough_p) * k
        tail = (1 - level) / 2
        est, low, high = a / (a + b), stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)
        share = n / (n + k)
        method = method if kappa is None else "given kappa"
    table = pd.DataFrame({
        "ward": np.arange(y.size) if wards is None else np.asarray(wards),
        "yes": y.astype(int), "n": n.astype(int),
        "raw": np.where(n > 0, y / np.where(n > 0, n, 1), np.nan),
        "estimate": est, "low": low, "high": high, "weight": share,
    })
    return Shrinkage(float(borough_p), k_ml if kappa is None else float(kappa), method, level, table)
