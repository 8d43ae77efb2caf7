"""Getis-Ord Gi* hotspots with analytical and conditional-permutation inference.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3), 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286–306.
Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
Analysis* 27(2), 93–115 (conditional randomisation).

The definitions are PySAL esda 2.9's ``G_Local(y, w, star=True, transform=...)``
(``esda/getisord.py``), so that our numbers can be checked against it:

* self-weights: if the weights matrix has an all-zero diagonal, a self-weight is added,
  1 for ``transform="B"`` and the row's largest weight for ``transform="R"`` (for
  binary contiguity that is 1, which row-standardising turns into 1/(k+1));
* ``"B"`` sets every weight to 1; ``"R"`` divides each row by its sum;
* ``Gs = (W @ y) / sum(y)``; ``EGs = w_i / n`` with ``w_i`` the row sum;
  ``VGs = w_i (n - w_i) / (n - 1) / n**2 * s**2 / ybar**2`` with ``s**2`` the
  population variance of ``y``; ``Zs = (Gs - EGs) / sqrt(VGs)``;
* ``p_norm`` is one-sided, ``norm.sf(|Zs|)``, as in esda.

Conditional permutation keeps ``y_i`` at cell *i* and draws its *k_i* neighbours'
values at random, without replacement, from the other n−1 cells. Like esda, one set of
random index draws is shared by all cells (each cell's reference distribution is still
a valid permutation distribution). esda then evaluates every cell separately; here the
sum of the first *k* drawn values is computed once per neighbour count *k* and sorted,
so each cell's count of "at least as extreme" draws is a binary search plus a handful of
corrections (the draws that hit the cell itself, swapped for the one cell the shared
draws leave out). Cost: O(P·k_max + n log P) instead of O(n·P·k), which is why 9,999
permutations on a London-sized grid take well under a second.

Example
-------
>>> from openbeat.geo.grid import Grid
>>> from openbeat.stats.gistar import GiStar, hotspot_table
>>> counts = [9, 7, 1, 0, 0,  6, 5, 1, 0, 1,  1, 0, 0, 1, 0,  0, 1, 0, 0, 0,  0, 0, 1, 0, 0]
>>> g = Grid(0.0, 0.0, 250.0, 5, 5, counts)  # 5 x 5 cells of 250 m, a cluster at the corner
>>> gi = GiStar(g.counts, g.weights(), permutations=999, seed=1)
>>> gi.Zs[:3].round(2).tolist(), gi.p_sim[:3].tolist()
([4.68, 3.88, 1.09], [0.002, 0.001, 0.137])
>>> hotspot_table(gi, g.cell_ids)["class"][:3].tolist()
['hot 95%', 'hot 95%', 'not significant']
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats

from openbeat.stats.fdr import benjamini_hochberg

ALTERNATIVES = ("directed", "greater", "lesser", "folded")


def star_weights(w, transform: str = "B") -> sparse.csr_matrix:
    """The Gi* weights esda uses: self-weight added when the diagonal is empty, then B or R.

    Parameters
    ----------
    w : scipy.sparse matrix (n, n)
        Spatial weights, usually binary contiguity without self-weights (as
        :meth:`openbeat.geo.grid.Grid.weights` returns).
    transform : {"B", "R"}
        Binary or row-standardised.
    """
    t = transform.upper()
    if t not in ("B", "R"):
        raise ValueError(f"transform must be 'B' (binary) or 'R' (row-standardised), got {transform!r}")
    if not sparse.issparse(w):
        raise TypeError("w must be a scipy.sparse matrix (e.g. from Grid.weights())")
    w = sparse.csr_matrix(w, dtype=float, copy=True)
    w.sum_duplicates()
    w.eliminate_zeros()
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weights must be square, got shape {w.shape}")
    if np.any(w.data < 0):
        raise ValueError("weights must be non-negative")
    if np.all(w.diagonal() == 0):
        # esda (_infer_star_and_structure_w): binary → 1, row-standardised → row max.
        if t == "B":
            self_w = np.ones(n)
        else:
            self_w = np.asarray(w.max(axis=1).todense()).ravel()
            self_w[self_w == 0] = 1.0  # an island's only weight is its own
        w = (w + sparse.diags(self_w, format="csr")).tocsr()
    if t == "B":
        w.data[:] = 1.0
    else:
        rs = np.asarray(w.sum(axis=1)).ravel()
        w = sparse.diags(1.0 / rs) @ w
        w = sparse.csr_matrix(w)
    w.sort_indices()
    return w


class GiStar:
    """Getis-Ord Gi* for every cell, with analytical and permutation inference.

    Parameters
    ----------
    y : array_like (n,)
        Non-negative values per cell (counts or harm), aligned with ``w``.
    w : scipy.sparse matrix (n, n)
        Spatial weights (binary contiguity; a self-weight is added as esda does).
    transform : {"B", "R"}
        ``"B"`` binary (default, the Gi* of Getis & Ord 1992) or ``"R"`` row-standardised.
    permutations : int
        Number of conditional permutations (0 for none). 999 by default; 9,999 gives
        p-values fine enough for FDR control over tens of thousands of cells.
    seed : int, numpy.random.Generator or None
        Seed for the permutation draws (pass one for reproducible p-values).
    alternative : {"directed", "greater", "lesser", "folded"}
        How ``p_sim`` is read from the reference distribution, as in esda
        (``directed`` is esda's current default for ``G_Local``: the tail the
        observed value lies in).

    Attributes
    ----------
    Gs, EGs, VGs, Zs : ndarray
        Statistic, its expectation and variance under the normality assumption, and z.
    p_norm : ndarray
        One-sided normal p-value of ``|Zs|`` (double it for two-sided).
    p_sim : ndarray
        Pseudo p-value ``(M + 1) / (P + 1)`` from the permutations, ties counted as
        extreme as esda counts them (NaN for a cell with no neighbours).
    p_mid : ndarray
        Tie-aware one-sided mid-p, ``(M_strict + T/2 + 1/2) / (P + 1)`` in the tail the
        observed value lies in (T draws equal to it); what the classes use.
    EG_sim, VG_sim, seG_sim, z_sim, p_z_sim : ndarray
        Mean, variance and sd of the reference distribution, the z of ``Gs`` against
        it, and its one-sided normal p-value.
    """

    def __init__(self, y, w, transform: str = "B", permutations: int = 999, seed=None,
                 alternative: str = "directed"):
        y = np.asarray(y, dtype=float).ravel()
        n = y.size
        if n < 2:
            raise ValueError("Gi* needs at least two cells")
        if not np.all(np.isfinite(y)):
            raise ValueError("y has missing or infinite values; use 0 for cells with no crime")
        if np.any(y < 0):
            raise ValueError("Gi* needs non-negative values (counts, harm, rates)")
        if y.sum() == 0:
            raise ValueError("every value is zero: Gi* is undefined (nothing to find)")
        if alternative not in ALTERNATIVES:
            raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
        W = star_weights(w, transform)
        if W.shape[0] != n:
            raise ValueError(f"weights are {W.shape[0]}×{W.shape[0]} but y has {n} values")
        self.y, self.n, self.w, self.transform = y, n, W, transform.upper()
        self.permutations, self.alternative = int(permutations), alternative
        self._calc()
        self.p_norm = stats.norm.sf(np.abs(self.Zs))
        if self.permutations > 0:
            self._permute(np.random.default_rng(seed))

    # -- analytical moments, exactly as esda.getisord.G_Local.calc with star=True ----
    def _calc(self):
        y, n, W = self.y, self.n, self.w
        self.Gs = (W @ y) / y.sum()
        ybar = y.sum() / n
        s2 = (y**2).sum() / n - ybar**2
        card = np.asarray(W.sum(axis=1)).ravel()
        self.EGs = card / n
        vg = card * (n - card)
        vg /= n - 1
        vg *= 1 / n**2
        vg *= s2 / ybar**2
        self.VGs = vg
        self.Zs = (self.Gs - self.EGs) / np.sqrt(self.VGs)

    # -- conditional permutation ------------------------------------------------------
    def _permute(self, rng: np.random.Generator):
        y, n, W, P = self.y, self.n, self.w, self.permutations
        self_w = W.diagonal()
        off = W.copy()
        off.setdiag(0)
        off.eliminate_zeros()
        off.sort_indices()
        k = np.diff(off.indptr)
        kmax = int(k.max())
        if kmax == 0:
            raise ValueError("no cell has a neighbour: check the weights")
        # O_i: the observed weighted sum over neighbours (self excluded).
        obs = off @ y
        # Shared draws: P rows of kmax distinct indices into the n-1 "other" cells.
        # Index j stands for cell j, except that for cell i a draw of j == i stands for
        # cell n-1 (a swap rather than esda's shift; either enumerates the others).
        J = _distinct_draws(rng, n - 1, kmax, P)
        Y = y[J]  # (P, kmax)

        # Rows whose neighbour weights are all equal (binary or row-standardised
        # contiguity) compare plain sums, exact for counts; others use their weights.
        starts = off.indptr[:-1]
        wmax = np.maximum.reduceat(off.data, starts[k > 0]) if off.nnz else np.array([])
        wmin = np.minimum.reduceat(off.data, starts[k > 0]) if off.nnz else np.array([])
        equal = np.zeros(n, dtype=bool)
        equal[np.flatnonzero(k > 0)] = wmax == wmin
        wconst = np.zeros(n)
        wconst[np.flatnonzero(k > 0)] = wmax

        ge = np.zeros(n)  # draws with R >= O
        le = np.zeros(n)  # draws with R <= O
        fold = np.zeros(n)  # draws with |R - mean| >= |O - mean|
        s1 = np.zeros(n)  # sum of R over draws
        s2 = np.zeros(n)  # sum of R**2

        # Corrections: every draw (p, m) that hit cell j with m < k_j.
        flat_j = J.ravel()
        flat_p = np.repeat(np.arange(P), kmax)
        flat_m = np.tile(np.arange(kmax), P)
        hit = flat_m < k[flat_j]
        hj, hp, hm = flat_j[hit], flat_p[hit], flat_m[hit]
        swap = y[n - 1] - y[hj]  # value change when the draw is swapped for cell n-1

        # --- equal-weight rows: sorted prefix sums per neighbour count -------------
        csum = np.zeros((P, kmax + 1))
        np.cumsum(Y, axis=1, out=csum[:, 1:])
        eq_rows = np.flatnonzero(equal)
        # Observed plain (unweighted) sums, so ties with the draws are exact for counts.
        o_eq = np.zeros(n)
        plain = off.copy()
        plain.data[:] = 1.0
        o_eq[eq_rows] = (plain @ y)[eq_rows]
        hit_eq = equal[hj]
        old_eq = csum[hp[hit_eq], k[hj[hit_eq]]]
        new_eq = old_eq + swap[hit_eq]
        for kk in np.unique(k[eq_rows]):
            rows = eq_rows[k[eq_rows] == kk]
            ref = np.sort(csum[:, kk])
            o = o_eq[rows]
            ge[rows] = P - np.searchsorted(ref, o, side="left")
            le[rows] = np.searchsorted(ref, o, side="right")
            s1[rows] = ref.sum()
            s2[rows] = (ref**2).sum()
        jj = hj[hit_eq]
        o = o_eq[jj]
        np.add.at(ge, jj, (new_eq >= o).astype(float) - (old_eq >= o))
        np.add.at(le, jj, (new_eq <= o).astype(float) - (old_eq <= o))
        np.add.at(s1, jj, new_eq - old_eq)
        np.add.at(s2, jj, new_eq**2 - old_eq**2)
        if self.alternative == "folded":
            mean = s1 / P
            for kk in np.unique(k[eq_rows]):
                rows = eq_rows[k[eq_rows] == kk]
                ref = np.sort(csum[:, kk])
                d = np.abs(o_eq[rows] - mean[rows])
                fold[rows] = (P - np.searchsorted(ref, mean[rows] + d, side="left")
                              + np.searchsorted(ref, mean[rows] - d, side="right"))
                both = d == 0  # every draw is "at least as far" from the mean
                fold[rows[both]] = P
            mu, d = mean[jj], np.abs(o - mean[jj])
            far_new = np.abs(new_eq - mu) >= d
            far_old = np.abs(old_eq - mu) >= d
            # Sorted counting above used >=/<= against mean±d; recount these draws.
            np.add.at(fold, jj, far_new.astype(float) - far_old)
        # Plain sums back to weighted sums for the moments.
        s1[eq_rows] *= wconst[eq_rows]
        s2[eq_rows] *= wconst[eq_rows] ** 2

        # --- rows with unequal weights: chunked weighted sums ------------------------
        other_rows = np.flatnonzero(~equal & (k > 0))
        if other_rows.size:
            self._permute_weighted(other_rows, off, obs, Y, J, hj, hp, hm, swap,
                                   ge, le, fold, s1, s2)

        islands = k == 0
        if self.alternative == "directed":
            larger = ge.copy()
            low = (P - larger) < larger
            larger[low] = P - larger[low]
            count = larger
        elif self.alternative == "greater":
            count = ge
        elif self.alternative == "lesser":
            count = le
        else:
            count = fold
        p = (count + 1) / (P + 1)
        p[islands] = np.nan
        self.p_sim = p
        # Tie-aware mid-p: draws equal to the observed sum count half (the observed value
        # itself too), so a cell whose draws are mostly ties (an empty cell among empty
        # cells) is not "as extreme as every draw" but in the middle: p about 0.5.
        ties = ge + le - P
        mid = np.minimum((P - le) + ties / 2, (P - ge) + ties / 2)
        p_mid = (mid + 0.5) / (P + 1)
        p_mid[islands] = np.nan
        self.p_mid = p_mid

        total = y.sum()
        mean_r = s1 / P
        var_r = np.maximum(s2 / P - mean_r**2, 0.0)
        self.EG_sim = (mean_r + self_w * y) / total
        self.VG_sim = var_r / total**2
        self.seG_sim = np.sqrt(self.VG_sim)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.z_sim = (self.Gs - self.EG_sim) / self.seG_sim
        self.p_z_sim = stats.norm.sf(np.abs(self.z_sim))

    def _permute_weighted(self, rows, off, obs, Y, J, hj, hp, hm, swap, ge, le, fold, s1, s2):
        """Direct reference distributions for rows with unequal weights, in chunks."""
        P = Y.shape[0]
        tol = 1e-10 * (np.abs(obs).max() + 1.0)
        pos = {int(r): i for i, r in enumerate(rows)}
        sel = np.array([int(j) in pos for j in hj], dtype=bool) if hj.size else np.zeros(0, bool)
        hj, hp, hm, swap = hj[sel], hp[sel], hm[sel], swap[sel]
        chunk = max(1, int(2_000_000 // P))
        for a in range(0, rows.size, chunk):
            block = rows[a:a + chunk]
            R = np.empty((P, block.size))
            for c, i in enumerate(block):
                w_i = off.data[off.indptr[i]:off.indptr[i + 1]]
                R[:, c] = Y[:, :w_i.size] @ w_i
            in_block = (hj >= block[0]) & (hj <= block[-1])
            for j, p_, m_, sw in zip(hj[in_block], hp[in_block], hm[in_block], swap[in_block]):
                c = np.searchsorted(block, j)
                if c < block.size and block[c] == j:
                    R[p_, c] += off.data[off.indptr[j] + m_] * sw
            o = obs[block]
            ge[block] = (R >= o - tol).sum(axis=0)
            le[block] = (R <= o + tol).sum(axis=0)
            mean = R.mean(axis=0)
            fold[block] = (np.abs(R - mean) >= np.abs(o - mean) - tol).sum(axis=0)
            s1[block] = R.sum(axis=0)
            s2[block] = (R**2).sum(axis=0)


def _distinct_draws(rng: np.random.Generator, n_other: int, k: int, P: int) -> np.ndarray:
    """P rows of k distinct integers from range(n_other), uniformly ordered."""
    if k > n_other:
        raise ValueError(f"a cell has {k} neighbours but there are only {n_other} other cells")
    if n_other * P <= 20_000_000 or k * 4 > n_other:
        return np.argsort(rng.random((P, n_other)), axis=1)[:, :k]
    J = rng.integers(0, n_other, size=(P, k))
    while True:
        s = np.sort(J, axis=1)
        bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
        if bad.size == 0:
            return J
        # Redrawing whole rows keeps every accepted row uniform over ordered k-subsets.
        J[bad] = rng.integers(0, n_other, size=(bad.size, k))


def two_sided_p(gi: GiStar, source: str = "sim") -> np.ndarray:
    """Two-sided p-value per cell: ``min(1, 2 p)`` from the permutations or the normal.

    ``"sim"`` uses the tie-aware mid-p (``p_mid``); ``"sim_esda"`` esda's count, in which
    every tie is "as extreme" (so an empty cell among empty cells gets p = 1/(P+1)).
    """
    if source in ("sim", "sim_esda"):
        if gi.permutations == 0 or gi.alternative not in ("directed", "folded"):
            raise ValueError("two-sided permutation p needs permutations and alternative "
                             "'directed' or 'folded'")
        if gi.alternative == "folded":
            return gi.p_sim
        return np.minimum(1.0, 2 * (gi.p_mid if source == "sim" else gi.p_sim))
    if source == "norm":
        return np.minimum(1.0, 2 * gi.p_norm)
    raise ValueError("source must be 'sim', 'sim_esda' or 'norm'")


def classify(z, q) -> np.ndarray:
    """Hot/cold class per cell from Gi* z and FDR q-values.

    ``"hot 99%"`` when q ≤ 0.01 and z > 0, ``"hot 95%"`` when q ≤ 0.05 and z > 0, the
    same for ``"cold"`` with z < 0, otherwise ``"not significant"``.
    """
    z, q = np.asarray(z, float), np.asarray(q, float)
    out = np.full(z.shape, "not significant", dtype=object)
    for level, name in ((0.05, "95%"), (0.01, "99%")):
        sig = np.nan_to_num(q, nan=1.0) <= level
        out[sig & (z > 0)] = f"hot {name}"
        out[sig & (z < 0)] = f"cold {name}"
    return out


def hotspot_table(gi: GiStar, cell_ids, counts=None, source: str = "sim") -> dict[str, np.ndarray]:
    """Columns for a per-cell hotspot table: id, count, z, p (two-sided), q (BH), class."""
    p = two_sided_p(gi, source)
    _, q = benjamini_hochberg(p)
    classes = classify(gi.Zs, q)
    # A cell with no crime whose neighbours have none either carries no evidence of a cold
    # spot: "fewer crimes than chance would give" needs somewhere chance could have put some.
    empty = (gi.y == 0) & ((gi.w @ gi.y) == 0)
    classes[empty] = "not significant"
    return {
        "cell_id": np.asarray(cell_ids),
        "count": np.asarray(gi.y if counts is None else counts),
        "z": gi.Zs,
        "p": p,
        "q": q,
        "class": classes,
    }


def hotspots_geojson(gi: GiStar, cell_ids, polygons, counts=None, source: str = "sim",
                     decimals: int = 4) -> dict:
    """A GeoJSON FeatureCollection of cells with their Gi* results.

    Parameters
    ----------
    gi : GiStar
    cell_ids : sequence of str
        One id per cell, aligned with ``gi.y``.
    polygons : sequence of rings
        One closed ring of ``[lon, lat]`` per cell (see :meth:`Grid.polygons`).
    counts : array_like, optional
        Counts to show (defaults to ``gi.y``).
    source : {"sim", "norm"}
        Which p-value the classes use: permutation (default) or normal.

    Each feature's properties: ``cell_id``, ``count``, ``gi_z``, ``p``, ``q`` and
    ``class`` (hot/cold at 95% or 99% after Benjamini–Hochberg FDR).
    """
    t = hotspot_table(gi, cell_ids, counts, source)
    if len(polygons) != gi.n:
        raise ValueError(f"{len(polygons)} polygons for {gi.n} cells")

    def num(v):
        v = float(v)
        return None if not np.isfinite(v) else round(v, decimals)

    features = []
    for i in range(gi.n):
        c = t["count"][i]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [polygons[i]]},
            "properties": {
                "cell_id": str(t["cell_id"][i]),
                "count": int(c) if float(c).is_integer() else float(c),
                "gi_z": num(t["z"][i]),
                "p": num(t["p"][i]),
                "q": num(t["q"][i]),
                "class": t["class"][i],
            },
        })
    return {"type": "FeatureCollection", "features": features}
