"""Ward trust: shrinkage toward the borough figure, intervals with honest coverage."""

import numpy as np
import pytest
from scipy import special, stats

from openbeat.stats.shrinkage import estimate_kappa, shrink_to_borough


def test_plugin_posterior_is_the_conjugate_beta():
    r = shrink_to_borough([30, 12], [40, 20], borough_p=0.6, kappa=50.0)
    a = np.array([30 + 0.6 * 50, 12 + 0.6 * 50])
    b = np.array([10 + 0.4 * 50, 8 + 0.4 * 50])
    np.testing.assert_allclose(r.table["estimate"], a / (a + b))
    np.testing.assert_allclose(r.table["low"], stats.beta.ppf(0.025, a, b))
    np.testing.assert_allclose(r.table["high"], stats.beta.ppf(0.975, a, b))
    np.testing.assert_allclose(r.table["weight"], [40 / 90, 20 / 70])
    assert r.method == "given kappa"


def test_ml_kappa_maximises_the_beta_binomial_likelihood():
    rng = np.random.default_rng(5)
    n = rng.integers(20, 200, 25)
    y = rng.binomial(n, rng.beta(0.7 * 30, 0.3 * 30, 25))
    k = estimate_kappa(y, n, 0.7)

    def loglik(kappa):
        return np.sum(special.betaln(y + 0.7 * kappa, n - y + 0.3 * kappa)
                      - special.betaln(0.7 * kappa, 0.3 * kappa))

    grid = np.geomspace(1, 1e4, 2000)
    assert loglik(k) >= max(loglik(g) for g in grid) - 1e-6
    assert 10 < k < 100


def test_method_of_moments_by_hand():
    y, n, mu = np.array([10, 30, 25]), np.array([40, 50, 30]), 0.5
    num = np.sum((y - n * mu) ** 2 - n * mu * (1 - mu))
    den = np.sum(n * (n - 1) * mu * (1 - mu))
    assert estimate_kappa(y, n, mu, "moments") == pytest.approx(den / num - 1)


def test_shrinkage_pulls_small_wards_harder_and_stays_inside_the_data():
    r = shrink_to_borough([30, 8, 500], [40, 10, 800], borough_p=0.65, wards=["A", "B", "C"])
    t = r.table.set_index("ward")
    for w in "ABC":
        lo, hi = sorted([t.loc[w, "raw"], 0.65])
        assert lo <= t.loc[w, "estimate"] <= hi
        assert t.loc[w, "low"] < t.loc[w, "estimate"] < t.loc[w, "high"]
    assert t.loc["B", "weight"] < t.loc["A", "weight"] < t.loc["C", "weight"]


def test_interval_coverage_on_synthetic_truth_is_about_95_percent():
    """150 boroughs of 20 wards (15–119 answers each), true ward proportions drawn from
    Beta(mu kappa, (1 - mu) kappa) with kappa = 40 around borough figures from 0.5 to 0.85.
    3,000 intervals: the binomial SE of the coverage is 0.4 points."""
    rng = np.random.default_rng(2024)
    covered = total = 0
    for _ in range(150):
        mu = rng.uniform(0.5, 0.85)
        p = rng.beta(mu * 40, (1 - mu) * 40, 20)
        n = rng.integers(15, 120, 20)
        y = rng.binomial(n, p)
        t = shrink_to_borough(y, n, mu).table
        covered += int(np.sum((t["low"] <= p) & (p <= t["high"])))
        total += 20
    assert 0.93 <= covered / total <= 0.97, covered / total


def test_errors():
    with pytest.raises(ValueError, match="0 <= yes <= n"):
        shrink_to_borough([5], [4], 0.5)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        shrink_to_borough([5], [10], 1.0)
