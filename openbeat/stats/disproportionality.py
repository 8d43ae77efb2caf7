"""Stop and search: rates by ethnicity, disproportionality, find and arrest rates.

* **Rate per 1,000** residents of each group, with an exact Poisson (Garwood) interval.
* **Disproportionality ratio** of a group's rate to the White rate (as the Home Office
  publishes it), with the Katz log interval (Katz et al. 1978)::

      RR = (a / n_a) / (b / n_b)
      exp(ln RR ± 1.96 sqrt(1/a - 1/n_a + 1/b - 1/n_b))

  where ``a``, ``b`` are searches and ``n_a``, ``n_b`` residents. The interval treats
  searches as if each were a different resident; with repeat searches it is narrower
  than it should be, and when a group has more searches than residents it does not
  exist at all, which we say instead of printing one.
* **Find rate**: searches whose outcome was linked to the object of the search, over
  searches where the force recorded that field. The Met left it blank up to 2024-01 and
  from 2024-02 writes "False" on every row; either way its find rate is "not recorded",
  never 0. **Arrest rate**: arrests over searches with an outcome. Both with Wilson
  (1927) score intervals.

Ethnicity comes from police.uk's ``Self-defined ethnicity``: the 18 census strings of
the 2011 classification plus "Other ethnic group - Not stated", mapped here to the five
broad groups and to Census 2021 categories. Census 2021 split the 2011 "Any other White
background" into "Roma" and "Other White", so that police.uk string maps to both (add
their populations for its denominator).

References
----------
Katz, D., Baptista, J., Azen, S. P. & Pike, M. C. (1978). Obtaining confidence intervals
for the risk ratio in cohort studies. *Biometrics* 34(3), 469–474.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *JASA* 22(158), 209–212.
Home Office (2023). Police powers and procedures: stop and search, England and Wales
(disproportionality relative to the White group, Census 2021 denominators).

Example
-------
>>> from openbeat.stats.disproportionality import disproportionality
>>> t = disproportionality({"Black": 500, "White": 300}, {"Black": 10_000, "White": 60_000})
>>> t.loc[t.group == "Black", ["rate_per_1000", "ratio", "ratio_low", "ratio_high"]].round(2).values.tolist()
[[50.0, 10.0, 8.68, 11.52]]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

BROAD_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
NOT_STATED = "Not stated"

_A = "Asian, Asian British or Asian Welsh: "
_B = "Black, Black British, Black Welsh, Caribbean or African: "
_M = "Mixed or Multiple ethnic groups: "
_W = "White: "
_O = "Other ethnic group: "

#: Census 2021 ethnic group, 19 categories (ONS TS021 labels).
CENSUS_2021_CATEGORIES = (
    _A + "Bangladeshi", _A + "Chinese", _A + "Indian", _A + "Pakistani", _A + "Other Asian",
    _B + "African", _B + "Caribbean", _B + "Other Black",
    _M + "White and Asian", _M + "White and Black African", _M + "White and Black Caribbean",
    _M + "Other Mixed or Multiple ethnic groups",
    _W + "English, Welsh, Scottish, Northern Irish or British", _W + "Irish",
    _W + "Gypsy or Irish Traveller", _W + "Roma", _W + "Other White",
    _O + "Arab", _O + "Any other ethnic group",
)

#: police.uk ``Self-defined ethnicity`` → (broad group, Census 2021 categories).
SELF_DEFINED_ETHNICITY: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "Asian/Asian British - Bangladeshi": ("Asian", (_A + "Bangladeshi",)),
    "Asian/Asian British - Chinese": ("Asian", (_A + "Chinese",)),
    "Asian/Asian British - Indian": ("Asian", (_A + "Indian",)),
    "Asian/Asian British - Pakistani": ("Asian", (_A + "Pakistani",)),
    "Asian/Asian British - Any other Asian background": ("Asian", (_A + "Other Asian",)),
    "Black/African/Caribbean/Black British - African": ("Black", (_B + "African",)),
    "Black/African/Caribbean/Black British - Caribbean": ("Black", (_B + "Caribbean",)),
    "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background":
        ("Black", (_B + "Other Black",)),
    "Mixed/Multiple ethnic groups - White and Asian": ("Mixed", (_M + "White and Asian",)),
    "Mixed/Multiple ethnic groups - White and Black African":
        ("Mixed", (_M + "White and Black African",)),
    "Mixed/Multiple ethnic groups - White and Black Caribbean":
        ("Mixed", (_M + "White and Black Caribbean",)),
    "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background":
        ("Mixed", (_M + "Other Mixed or Multiple ethnic groups",)),
    "White - English/Welsh/Scottish/Northern Irish/British":
        ("White", (_W + "English, Welsh, Scottish, Northern Irish or British",)),
    "White - Irish": ("White", (_W + "Irish",)),
    "White - Gypsy or Irish Traveller": ("White", (_W + "Gypsy or Irish Traveller",)),
    # 2011's "Any other White background" is 2021's Roma plus Other White.
    "White - Any other White background": ("White", (_W + "Roma", _W + "Other White")),
    "Other ethnic group - Arab": ("Other", (_O + "Arab",)),
    "Other ethnic group - Any other ethnic group": ("Other", (_O + "Any other ethnic group",)),
    "Other ethnic group - Not stated": (None, ()),
}

#: Census 2021 "Ethnic group (8 categories)" code → broad group. Codes, not labels: in
#: the shared UTLA file codes 5 (White: Irish) and 6 (White: Gypsy/Irish Traveller, Roma
#: or Other White) are both labelled "White Other". Code -8 "Does not apply" is dropped.
CENSUS_8_CODES = {1: "Asian", 2: "Black", 3: "Mixed", 4: "White", 5: "White", 6: "White", 7: "Other"}


def broad_group(self_defined) -> str:
    """Broad group (Asian, Black, Mixed, White, Other) or ``"Not stated"``.

    Blank values and "Other ethnic group - Not stated" are ``"Not stated"``; a string
    police.uk does not use raises ``ValueError``.
    """
    if self_defined is None or (isinstance(self_defined, float) and np.isnan(self_defined)):
        return NOT_STATED
    s = str(self_defined).strip()
    if s == "":
        return NOT_STATED
    try:
        group = SELF_DEFINED_ETHNICITY[s][0]
    except KeyError:
        raise ValueError(f"unrecognised self-defined ethnicity {s!r}: police.uk uses the 18 "
                         "census strings in SELF_DEFINED_ETHNICITY plus "
                         "'Other ethnic group - Not stated'") from None
    return NOT_STATED if group is None else group


def searches_by_group(self_defined) -> pd.Series:
    """Searches per broad group (and ``"Not stated"``) from self-defined ethnicity values."""
    values = pd.Series(self_defined, dtype=object)
    uniq = {v: broad_group(v) for v in values.dropna().unique()}
    groups = values.map(lambda v: uniq.get(v, NOT_STATED) if v is not None else NOT_STATED)
    groups = groups.fillna(NOT_STATED)
    counts = groups.value_counts()
    return counts.reindex(list(BROAD_GROUPS) + [NOT_STATED], fill_value=0).astype(int)


def census_broad_populations(census: pd.DataFrame) -> pd.DataFrame:
    """Residents per area and broad group from the Census 2021 8-category ethnicity table.

    Parameters
    ----------
    census : pandas.DataFrame
        The ONS table as published (e.g. ``Census_2021_ethnicity.csv``): an area code
        column, an area name column, ``Ethnic group (8 categories) Code`` and
        ``Observation``. Area columns are found by their ``Code`` suffix.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``group``, ``population``; joined on codes, as
        names differ between sources (``Barking & Dagenham``).
    """
    code_col = "Ethnic group (8 categories) Code"
    missing = [c for c in (code_col, "Observation") if c not in census.columns]
    if missing:
        raise ValueError(f"census table lacks columns {missing}; expected the ONS Census 2021 "
                         f"'Ethnic group (8 categories)' layout, got {list(census.columns)}")
    area_code = next(c for c in census.columns if c.endswith("Code") and c != code_col)
    area_name = area_code[: -len(" Code")] if area_code.endswith(" Code") else area_code
    df = census[census[code_col] != -8].copy()
    unknown = sorted(set(df[code_col]) - set(CENSUS_8_CODES))
    if unknown:
        raise ValueError(f"unknown ethnic group codes {unknown} in the census table")
    df["group"] = df[code_col].map(CENSUS_8_CODES)
    out = (df.groupby([area_code, area_name, "group"], sort=False)["Observation"].sum()
           .reset_index())
    out.columns = ["area_code", "area_name", "group", "population"]
    return out


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n`` (same as statsmodels' "wilson")."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z = _normal_quantile(level)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at k = 0 and k = n the bound is 0 and 1 exactly; floating point puts it a hair off ("-0.0%")
    return (0.0 if k == 0 else float(centre - half)), (1.0 if k == n else float(centre + half))


@functools.lru_cache(maxsize=16)
def _normal_quantile(level: float) -> float:
    """The two-sided normal quantile of ``level`` (1.96 for 0.95), computed once per level."""
    return stats.norm.isf((1 - level) / 2)


@functools.lru_cache(maxsize=1 << 14)
def poisson_interval(k: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count (kept: pure, and the same counts recur)."""
    a = 1 - level
    low = stats.chi2.ppf(a / 2, 2 * k) / 2 if k > 0 else 0.0
    return float(low), float(stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2)


def katz_interval(a: int, n_a: float, b: int, n_b: float, z: float = 1.96):
    """Rate ratio ``(a/n_a)/(b/n_b)`` with its Katz log interval, or a note why there is none.

    Returns
    -------
    ratio, low, high, note : float, float, float, str
        ``low``/``high`` are NaN, and ``note`` says why, when the interval is undefined.
    """
    if n_a <= 0 or n_b <= 0:
        return float("nan"), float("nan"), float("nan"), "no resident population to compare with"
    if b == 0:
        return (float("nan"), float("nan"), float("nan"),
                "no searches in the reference group: the ratio is undefined")
    ratio = (a / n_a) / (b / n_b)
    if a == 0:
        return 0.0, float("nan"), float("nan"), "no searches in this group: ratio 0, no interval"
    if a > n_a or b > n_b:
        return (float(ratio), float("nan"), float("nan"),
                "more searches than residents: the Katz interval assumes one search per "
                "person and is not given")
    se = np.sqrt(1 / a - 1 / n_a + 1 / b - 1 / n_b)
    return (float(ratio), float(np.exp(np.log(ratio) - z * se)),
            float(np.exp(np.log(ratio) + z * se)), "")


def disproportionality(searches: Mapping[str, int], population: Mapping[str, float],
                       reference: str = "White", per: float = 1000.0, z: float = 1.96,
                       level: float = 0.95) -> pd.DataFrame:
    """Search rates per group and ratios to the reference group.

    Parameters
    ----------
    searches : mapping group → count
        Searches per group (e.g. from :func:`searches_by_group`; "Not stated" is ignored
        unless it has a population).
    population : mapping group → residents
        Census 2021 residents per group (e.g. from :func:`census_broad_populations`).
    reference : str
        The comparison group (White, as the Home Office publishes).
    per : float
        Rates per this many residents.
    z : float
        Normal quantile for the Katz interval (1.96 for 95%).
    level : float
        Coverage of the exact Poisson interval on each rate.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``searches``, ``population``, ``rate_per_1000`` (or per ``per``),
        ``rate_low``, ``rate_high``, ``ratio``, ``ratio_low``, ``ratio_high``, ``note``.
    """
    out = pd.DataFrame(disproportionality_rows(searches, population, reference, per, z, level))
    if per != 1000:
        out = out.rename(columns={"rate_per_1000": f"rate_per_{per:g}"})
    return out


def disproportionality_rows(searches: Mapping[str, int], population: Mapping[str, float],
                            reference: str = "White", per: float = 1000.0, z: float = 1.96,
                            level: float = 0.95) -> list[dict]:
    """:func:`disproportionality`'s rows as plain dicts, one per group of ``population``
    (the key is ``rate_per_1000`` whatever ``per`` is); no DataFrame, for a page's few rows."""
    if reference not in population or reference not in searches:
        raise ValueError(f"the reference group {reference!r} needs both searches and a population")
    b, n_b = int(searches[reference]), float(population[reference])
    rows = []
    for group, n_a in population.items():
        a = int(searches.get(group, 0))
        n_a = float(n_a)
        lo, hi = poisson_interval(a, level)
        rate = a / n_a * per if n_a > 0 else float("nan")
        if group == reference:
            ratio, r_lo, r_hi, note = 1.0, float("nan"), float("nan"), "reference group"
        else:
            ratio, r_lo, r_hi, note = katz_interval(a, n_a, b, n_b, z)
        rows.append({
            "group": group, "searches": a, "population": n_a, "rate_per_1000": rate,
            "rate_low": lo / n_a * per if n_a > 0 else float("nan"),
            "rate_high": hi / n_a * per if n_a > 0 else float("nan"),
            "ratio": ratio, "ratio_low": r_lo, "ratio_high": r_hi, "note": note,
        })
    return rows


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson interval, or the reason there is none.

    ``status`` is ``"ok"``, ``"not recorded"`` (the force leaves the field blank) or
    ``"no searches"``. ``value``/``low``/``high`` are None unless ``status == "ok"``.
    """

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None
    status: str
    note: str = ""


def _truthy(v):
    """police.uk True/False flags as bool; blank, None and NaN as None (not recorded)."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    s = str(v).strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    if s == "":
        return None
    raise ValueError(f"unexpected value {v!r} in a True/False column")


#: Fewer searches than this, all recorded "False", are believed; more are a placeholder.
ALL_FALSE_MIN = 100


def find_outcome_recorded(linked) -> bool:
    """Does this force (or force-month) really record "Outcome linked to object of search"?

    False when every value is blank (the Met up to 2024-01), and when every value is
    "False" over at least :data:`ALL_FALSE_MIN` searches: from 2024-02 the Met writes
    False on every row, which would otherwise read as a find rate of 0 — impossible
    beside its arrest rate of about 16%. Judge it on a whole force-month, not an area.
    """
    return find_outcome_recorded_counts((v, 1) for v in linked)


def find_outcome_recorded_counts(linked_counts) -> bool:
    """:func:`find_outcome_recorded` of aggregated values: ``(value, how many)`` pairs."""
    recorded = 0
    found = False
    for v, n in linked_counts:
        if n <= 0:
            continue
        t = _truthy(v)
        if t is not None:
            recorded += n
            found = found or t
    if not recorded:
        return False
    return not (recorded >= ALL_FALSE_MIN and not found)


def find_rate(linked, level: float = 0.95, recorded: bool | None = None) -> Rate:
    """Share of searches whose outcome was linked to the object of the search.

    Parameters
    ----------
    linked : iterable
        ``Outcome linked to object of search`` per search: True/False (or the strings
        police.uk writes), blank where not recorded.
    recorded : bool, optional
        Whether the force records the field (see :func:`find_outcome_recorded`, best
        judged on the force-month). Judged from ``linked`` itself when not given.

    Only searches with the field recorded count in the denominator. If the force does
    not record it (blank, or a placeholder False on every row), the result is
    ``status="not recorded"``, never a rate of 0.
    """
    vals = [_truthy(v) for v in linked]
    total = len(vals)
    if total == 0:
        return Rate(0, 0, None, None, None, "no searches")
    if recorded is None:
        recorded = find_outcome_recorded(vals)
    rec = [v for v in vals if v is not None]
    if not recorded or not rec:
        why = ("the force leaves 'Outcome linked to object of search' blank" if not rec else
               f"the force writes False on all {len(rec):,} searches, a placeholder rather "
               "than a record")
        return Rate(0, 0, None, None, None, "not recorded", why)
    k, n = sum(rec), len(rec)
    lo, hi = wilson_interval(k, n, level)
    note = "" if n == total else f"recorded on {n:,} of {total:,} searches"
    return Rate(k, n, k / n, lo, hi, "ok", note)


def arrest_rate(outcomes, level: float = 0.95) -> Rate:
    """Share of searches (with an outcome) whose outcome was ``Arrest``."""
    vals = [None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
            else str(v).strip() for v in outcomes]
    rec = [v for v in vals if v is not None]
    if not rec:
        return Rate(0, 0, None, None, None, "no searches" if not vals else "not recorded")
    k, n = sum(v == "Arrest" for v in rec), len(rec)
    lo, hi = wilson_interval(k, n, level)
    note = "" if n == len(vals) else f"outcome recorded on {n:,} of {len(vals):,} searches"
    return Rate(k, n, k / n, lo, hi, "ok", note)


def outcome_rates(table, by=None, level: float = 0.95) -> pd.DataFrame:
    """Find and arrest rates, overall or per group (legislation, object of search, ...).

    Parameters
    ----------
    table : pandas.DataFrame or pyarrow.Table
        Stop-and-search rows with the lake's columns ``outcome`` and
        ``outcome_linked_to_object_of_search`` (and ``force``, ``month`` if present:
        whether the find outcome is recorded is judged per force-month, so pass whole
        force-months even when grouping by area).
    by : str or list of str, optional
        Columns to group by.

    Returns
    -------
    pandas.DataFrame
        Per group: ``searches``, ``find_k``, ``find_n``, ``find_rate``, ``find_low``,
        ``find_high``, ``find_status``, ``arrests``, ``arrest_rate``, ``arrest_low``,
        ``arrest_high``.
    """
    df = table.to_pandas() if hasattr(table, "to_pandas") and not isinstance(table, pd.DataFrame) else table
    need = ["outcome", "outcome_linked_to_object_of_search"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"stop-and-search table lacks columns {missing}")
    by = [by] if isinstance(by, str) else list(by or [])
    linked = df["outcome_linked_to_object_of_search"]
    # Whether the field is really recorded is a property of the force-month, not of a
    # group: judge it there and blank it out where it is not.
    keys = [c for c in ("force", "month") if c in df.columns]
    if keys:
        ok = df.groupby(keys, dropna=False)["outcome_linked_to_object_of_search"].transform(
            lambda v: find_outcome_recorded(v.tolist()))
    else:
        ok = pd.Series(find_outcome_recorded(linked.tolist()), index=df.index)
    df = df.assign(outcome_linked_to_object_of_search=linked.where(ok.astype(bool), None))
    groups = df.groupby(by, dropna=False, sort=True) if by else [((), df)]
    rows = []
    for key, g in groups:
        f = find_rate(g["outcome_linked_to_object_of_search"].tolist(), level, recorded=True)
        a = arrest_rate(g["outcome"].tolist(), level)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "searches": len(g),
                     "find_k": f.k, "find_n": f.n, "find_rate": f.value, "find_low": f.low,
                     "find_high": f.high, "find_status": f.status,
                     "arrests": a.k, "arrest_rate": a.value, "arrest_low": a.low,
                     "arrest_high": a.high})
    return pd.DataFrame(rows)
