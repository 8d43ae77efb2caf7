"""Gi* against PySAL esda 2.9 (test-only reference) on the same weights."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from scipy import sparse

esda_getisord = pytest.importorskip("esda.getisord", reason="esda (test extra) not installed")
libpysal_weights = pytest.importorskip("libpysal.weights", reason="libpysal (test extra) not installed")

from openbeat.geo.grid import Grid, bng_to_wgs84  # noqa: E402
from openbeat.stats.gistar import GiStar, classify, hotspots_geojson, star_weights  # noqa: E402

NR, NC = 18, 22
P = 1999


def esda_g(y, w, transform, permutations=P, seed=1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's DeprecationWarning about `alternative`
        # n_jobs=1: the serial kernel compiles in half the time of the parallel one.
        return esda_getisord.G_Local(y, w, transform=transform, star=True,
                                     permutations=permutations, seed=seed, n_jobs=1)


def lat_w():
    return libpysal_weights.lat2W(NR, NC, rook=False)


@pytest.fixture(scope="module")
def counts():
    rng = np.random.default_rng(11)
    y = rng.poisson(1.5, NR * NC).astype(float)
    r, c = np.divmod(np.arange(NR * NC), NC)
    y += rng.poisson(6 * np.exp(-((r - 4) ** 2 + (c - 15) ** 2) / 6))  # a hotspot
    return y


@pytest.fixture(scope="module")
def continuous():
    rng = np.random.default_rng(12)
    y = rng.gamma(2.0, 1.0, NR * NC)
    y[40:44] += 6
    return y


def directed_p(sims, observed, P):
    """esda's 'directed' pseudo p from kept simulations, ties counted exactly."""
    ge = (sims >= observed[:, None] * (1 - 1e-12)).sum(axis=1).astype(float)
    low = (P - ge) < ge
    ge[low] = P - ge[low]
    return (ge + 1) / (P + 1)


def assert_mc_agree(p_ours, p_ref, P, z_max=4.5):
    """Two Monte Carlo estimates of the same p, each Binomial(P, p)/P: their difference has
    SE sqrt(2 p (1-p) / P). With ~400 cells a 4.5-SE bound fails by chance about once in
    300 runs if the draws were independent; the seeds are fixed, so the test is stable.
    Both sides share one set of draws across cells (esda's design), so cell errors are
    correlated and their mean does not shrink like 1/sqrt(cells): the bias check allows
    3 per-cell SEs, which still catches any systematic shift of a few percent."""
    p = np.maximum(p_ours, p_ref)
    se = np.sqrt(2 * p * (1 - np.minimum(p_ours, p_ref)) / (P + 1))
    ratio = np.abs(p_ours - p_ref) / np.maximum(se, 1 / (P + 1))
    assert ratio.max() < z_max, f"worst cell {ratio.argmax()}: {p_ours[ratio.argmax()]} vs {p_ref[ratio.argmax()]}"
    # And no systematic shift: the mean difference is small against its own SE.
    assert abs(np.mean(p_ours - p_ref)) < 3 * np.sqrt(np.mean(se**2))


def test_grid_weights_equal_libpysal_queen_and_rook():
    g = Grid(0.0, 0.0, 250.0, NR, NC, np.zeros(NR * NC))
    assert abs(g.weights("queen") - lat_w().sparse).max() == 0
    assert abs(g.weights("rook") - libpysal_weights.lat2W(NR, NC, rook=True).sparse).max() == 0


@pytest.mark.parametrize("transform", ["B", "R"])
def test_analytical_equals_esda(counts, transform):
    g = Grid(0.0, 0.0, 250.0, NR, NC, counts)
    ours = GiStar(counts, g.weights(), transform=transform, permutations=0)
    ref = esda_g(counts, lat_w(), transform, permutations=0)
    for name in ("Gs", "EGs", "VGs", "Zs", "p_norm"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=0, atol=1e-9,
                                   err_msg=name)


def test_weights_with_self_weights_already_present_are_used_as_given(counts):
    g = Grid(0.0, 0.0, 250.0, NR, NC, counts)
    w = g.weights() + sparse.identity(NR * NC, format="csr")
    np.testing.assert_allclose(GiStar(counts, w, permutations=0).Zs,
                               GiStar(counts, g.weights(), permutations=0).Zs, atol=1e-12)
    assert star_weights(g.weights(), "R").sum(axis=1).round(12).tolist() == [[1.0]] * (NR * NC)


def test_permutation_p_agrees_with_esda_binary_counts(counts):
    g = Grid(0.0, 0.0, 250.0, NR, NC, counts)
    ours = GiStar(counts, g.weights(), "B", permutations=P, seed=3)
    ref = esda_g(counts, lat_w(), "B")
    assert_mc_agree(ours.p_sim, ref.p_sim, P)
    # Moments of the reference distribution agree too (SE of a mean over P draws).
    np.testing.assert_allclose(ours.EG_sim, ref.EG_sim, rtol=0, atol=4 * ref.seG_sim.max() / np.sqrt(P))
    np.testing.assert_allclose(ours.seG_sim, ref.seG_sim, rtol=0.1)


def test_permutation_p_agrees_with_esda_row_standardised_continuous(continuous):
    g = Grid(0.0, 0.0, 250.0, NR, NC, continuous)
    ours = GiStar(continuous, g.weights(), "R", permutations=P, seed=4)
    ref = esda_g(continuous, lat_w(), "R")
    assert_mc_agree(ours.p_sim, ref.p_sim, P)


def test_row_standardised_counts_agree_once_esda_ties_are_recounted(counts):
    """With counts and 1/(k+1) weights esda's float comparisons drop some exact ties
    (fastmath: the simulated and observed sums are computed differently); recounting
    them from its kept simulations gives the p we compute."""
    g = Grid(0.0, 0.0, 250.0, NR, NC, counts)
    ours = GiStar(counts, g.weights(), "R", permutations=P, seed=5)
    ref = esda_g(counts, lat_w(), "R")
    assert_mc_agree(ours.p_sim, directed_p(ref.rGs, ref.Gs, P), P)


def test_unequal_weights_path_agrees_with_esda(continuous):
    """Inverse-distance weights (unequal within a row) take the direct path."""
    r, c = np.divmod(np.arange(NR * NC), NC)
    base = Grid(0.0, 0.0, 250.0, NR, NC, continuous).weights().tocoo()
    d = np.hypot(r[base.row] - r[base.col], c[base.row] - c[base.col])
    w = sparse.csr_matrix((1 / d, (base.row, base.col)), shape=base.shape)
    lw = libpysal_weights.W.from_sparse(w)
    ref = esda_g(continuous, lw, "R")
    ours = GiStar(continuous, w, "R", permutations=P, seed=6)
    np.testing.assert_allclose(ours.Zs, ref.Zs, atol=1e-9)
    assert_mc_agree(ours.p_sim, ref.p_sim, P)


@pytest.mark.parametrize("alternative", ["greater", "lesser", "folded"])
def test_other_alternatives_agree_with_esda_significance(continuous, alternative):
    from esda.significance import calculate_significance

    g = Grid(0.0, 0.0, 250.0, NR, NC, continuous)
    ours = GiStar(continuous, g.weights(), "B", permutations=P, seed=7, alternative=alternative)
    ref = esda_g(continuous, lat_w(), "B")
    ref_p = calculate_significance(ref.Gs, ref.rGs, alternative=alternative)
    if alternative == "folded":
        # Folding is about each run's own simulated mean, whose Monte Carlo error moves
        # p sharply for cells observed right at the centre (p near 1), beyond the
        # binomial SE. Compare where significance is decided.
        keep = np.minimum(ours.p_sim, ref_p) < 0.5
        assert keep.sum() > 50
        ours_p, ref_p = ours.p_sim[keep], ref_p[keep]
    else:
        ours_p = ours.p_sim
    assert_mc_agree(ours_p, ref_p, P)


def test_same_seed_same_p_and_9999_permutations(counts):
    g = Grid(0.0, 0.0, 250.0, NR, NC, counts)
    a = GiStar(counts, g.weights(), permutations=9999, seed=42)
    b = GiStar(counts, g.weights(), permutations=9999, seed=np.random.default_rng(42))
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert a.p_sim.min() >= 1 / 10000 and a.p_sim.max() <= 0.5 + 1 / 10000


def test_bad_inputs_say_what_is_wrong():
    w = Grid(0.0, 0.0, 250.0, 2, 2, np.zeros(4)).weights()
    with pytest.raises(ValueError, match="every value is zero"):
        GiStar(np.zeros(4), w)
    with pytest.raises(ValueError, match="non-negative"):
        GiStar([1, -1, 0, 2], w)
    with pytest.raises(ValueError, match="weights are 4×4 but y has 3"):
        GiStar([1, 2, 3], w)
    with pytest.raises(ValueError, match="transform"):
        GiStar([1, 2, 3, 4], w, transform="V")


def test_classify_uses_q_and_sign():
    assert classify([3, 2.5, -3, -2.1, 1, 4], [0.001, 0.03, 0.009, 0.04, 0.5, np.nan]).tolist() == [
        "hot 99%", "hot 95%", "cold 99%", "cold 95%", "not significant", "not significant"]


def test_geojson_feature_collection_whole_output():
    counts = [9, 7, 1, 0, 0, 6, 5, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]
    g = Grid(530000.0, 180000.0, 250.0, 5, 5, np.array(counts))
    gi = GiStar(g.counts, g.weights(), permutations=999, seed=1)
    fc = hotspots_geojson(gi, g.cell_ids, g.polygons(bng_to_wgs84()))
    json.dumps(fc)  # serialisable as is
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 25
    first = fc["features"][0]
    assert first["properties"] == {"cell_id": "E530000N180000", "count": 9, "gi_z": 4.6774,
                                   "p": 0.002, "q": 0.0167, "class": "hot 95%"}
    ring = first["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    lon, lat = ring[0]
    assert -0.13 < lon < -0.12 and 51.49 < lat < 51.51
    flagged = {i: f["properties"]["class"] for i, f in enumerate(fc["features"])
               if f["properties"]["class"] != "not significant"}
    # The 9-7-6-5 corner is hot; the opposite corner, zeros all round, is no cold spot: its
    # neighbour sum 0 ties with most draws (esda's count gives p = 0.001, the mid-p 0.0645).
    assert flagged == {0: "hot 95%", 1: "hot 95%", 5: "hot 95%"}
    assert fc["features"][24]["properties"]["p"] == 0.129 and gi.p_sim[24] == 0.001


@pytest.mark.parametrize("transform", ["B", "R", "weighted"])
@pytest.mark.parametrize("alternative", ["directed", "greater", "lesser", "folded"])
def test_fast_counting_equals_direct_permutation_with_the_same_draws(counts, transform, alternative):
    """The sorted-prefix-sum shortcut gives exactly what building every cell's reference
    distribution from the same draws gives."""
    from openbeat.stats.gistar import _distinct_draws

    n, P_small = NR * NC, 499
    w = Grid(0.0, 0.0, 250.0, NR, NC, counts).weights()
    if transform == "weighted":
        w = w.multiply(1.0 + (np.arange(n) % 3)[None, :]).tocsr()  # unequal within rows
    ours = GiStar(counts, w, "R" if transform != "B" else "B", permutations=P_small, seed=9,
                  alternative=alternative)
    W = star_weights(w, "R" if transform != "B" else "B").tolil()
    W.setdiag(0)
    off = W.tocsr()
    off.eliminate_zeros()
    k = np.diff(off.indptr)
    J = _distinct_draws(np.random.default_rng(9), n - 1, int(k.max()), P_small)
    expected = np.empty(n)
    mid = np.empty(n)
    observed = off @ counts
    for i in range(n):
        wi = off.data[off.indptr[i]:off.indptr[i + 1]]
        idx = J[:, :k[i]].copy()
        idx[idx == i] = n - 1
        R, O = counts[idx] @ wi, observed[i]
        tol = 1e-9 * max(abs(O), 1)
        if alternative == "folded":
            m = R.mean()
            c = (np.abs(R - m) >= np.abs(O - m) - tol).sum()
        else:
            ge, le = (R >= O - tol).sum(), (R <= O + tol).sum()
            c = {"greater": ge, "lesser": le, "directed": min(ge, P_small - ge)}[alternative]
            ties = ge + le - P_small
            mid[i] = (min(P_small - le, P_small - ge) + ties / 2 + 0.5) / (P_small + 1)
        expected[i] = (c + 1) / (P_small + 1)
    np.testing.assert_allclose(ours.p_sim, expected, rtol=0, atol=1e-12)
    if alternative != "folded":
        np.testing.assert_allclose(ours.p_mid, mid, rtol=0, atol=1e-12)


def test_empty_cells_among_empty_cells_are_not_cold_spots():
    """A mostly empty grid (95% zeros, one small cluster): esda's count calls an empty cell
    among empty neighbours 'as extreme as every draw' (p = 1/(P+1)); the tie-aware mid-p puts
    it near the middle, no such cell is classed cold, and z is still esda's."""
    from openbeat.stats.gistar import hotspot_table, two_sided_p

    n_r, n_c = 20, 20
    y = np.zeros(n_r * n_c)
    rng = np.random.default_rng(3)
    y[rng.choice(n_r * n_c, 14, replace=False)] = 1
    y[[21, 22, 41, 42]] = [6, 5, 4, 7]  # a cluster near a corner
    g = Grid(0.0, 0.0, 250.0, n_r, n_c, y)
    ours = GiStar(g.counts, g.weights(), "B", permutations=P, seed=5)
    ref = esda_g(y, libpysal_weights.lat2W(n_r, n_c, rook=False), "B", seed=5)
    np.testing.assert_allclose(ours.Zs, ref.Zs, rtol=1e-10, atol=1e-10)
    w = g.weights()
    empty = (y == 0) & ((w @ y) == 0)
    assert empty.mean() > 0.5
    # esda's reading: every empty cell among empty cells is at the floor
    assert np.all(two_sided_p(ours, "sim_esda")[empty] <= 2 / (P + 1))
    # tie-aware: the observed sum 0 ties with most draws, so p is far from significant
    assert np.all(ours.p_mid[empty] > 0.25) and np.all(two_sided_p(ours, "sim")[empty] > 0.5)
    table = hotspot_table(ours, g.cell_ids, source="sim")
    assert not any(str(c).startswith("cold") for c in table["class"][empty])
    assert set(table["class"][[21, 22, 41, 42]]) <= {"hot 95%", "hot 99%"}
