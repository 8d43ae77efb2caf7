"""Survey weights for a self-selected sample: raking to population margins, the Kish design
effect, and a weighted share with an interval that carries it.

**Raking** (iterative proportional fitting; Deming & Stephan 1940) adjusts each
respondent's weight until the weighted sample matches the population on every margin
given (e.g. age band and sex from Census 2021), one margin after another, until the
weighted shares move by less than ``tol``. A margin category nobody in the sample falls
into cannot be matched: it is left out and the others scaled to its population, and the
result says which.

**Design effect** (Kish 1965): unequal weights make an estimate less precise than the same
number of equally weighted answers, by ``deff = n Σw² / (Σw)²``; the sample is worth
``n_eff = n / deff`` simple-random answers.

**Interval**: the Wilson score interval of the weighted share with ``n_eff`` in place of
``n`` (the usual Kish-adjusted interval for a weighted proportion).

Weighting corrects who answered on the margins used, not why they chose to answer: a
self-selected online sample stays self-selected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Raked:
    weights: np.ndarray  # one per respondent, mean 1
    iterations: int
    converged: bool
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (margin, category) nobody answered in


def rake(categories: dict[str, np.ndarray], margins: dict[str, dict[str, float]], *, tol: float = 1e-10,
         max_iter: int = 1000) -> Raked:
    """Weights so that, for every margin, the weighted share of each category equals its
    population share.

    categories : margin name -> each respondent's category (array of str)
    margins : margin name -> {category: population count or share}
    """
    names = list(margins)
    if not names:
        raise ValueError("give at least one margin to rake to")
    n = len(next(iter(categories.values())))
    if any(len(categories[m]) != n for m in names):
        raise ValueError("every margin needs one category per respondent")
    dropped, targets = [], {}
    for m in names:
        cats = np.asarray(categories[m], dtype=object)
        present = set(cats.tolist())
        unknown = present - set(margins[m])
        if unknown:
            raise ValueError(f"margin {m!r} has no population figure for {sorted(unknown)}")
        kept = {c: float(v) for c, v in margins[m].items() if c in present}
        dropped += [(m, c) for c in margins[m] if c not in present]
        total = sum(kept.values())
        if total <= 0:
            raise ValueError(f"margin {m!r}: the population of the categories answered is 0")
        targets[m] = (cats, {c: v / total for c, v in kept.items()})
    w = np.ones(n, dtype=float)
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        worst = 0.0
        for m in names:
            cats, share = targets[m]
            total = w.sum()
            for c, s in share.items():
                mask = cats == c
                have = w[mask].sum() / total
                worst = max(worst, abs(have - s))
                w[mask] *= s / have
        if worst < tol:
            converged = True
            break
    return Raked(w / w.mean(), it, converged, dropped)


def kish_deff(weights) -> float:
    """Kish's design effect from unequal weights: n Σw² / (Σw)² (1 when all are equal)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return float(w.size * np.sum(w * w) / w.sum() ** 2)


@dataclass(frozen=True)
class WeightedShare:
    share: float
    low: float
    high: float
    n: int
    deff: float
    n_eff: float


def weighted_share(agree, weights, *, level: float = 0.95) -> WeightedShare:
    """The weighted share of ``agree`` (booleans) with a Wilson interval on the Kish
    effective sample size."""
    x = np.asarray(agree, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.shape != w.shape or x.size == 0:
        raise ValueError("agree and weights must be non-empty and the same length")
    p = float(np.sum(w * x) / np.sum(w))
    deff = kish_deff(w)
    n_eff = x.size / deff
    z = stats.norm.isf((1 - level) / 2)
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z * np.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / denom
    return WeightedShare(p, float(centre - half), float(centre + half), int(x.size), deff, float(n_eff))
