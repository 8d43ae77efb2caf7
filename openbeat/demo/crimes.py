"""Street crimes and their outcomes for the demo force, month by month.

Counts are Poisson per (crime type, map point, month), with an expected value that is
the product of a force-wide level, the season, a trend, a spatial weight and the
planted area effects (see README.md). The spatial weight is heavy-tailed (log-normal
per point and per LSOA, plus kernels around the hotspots), so about half the crime
falls on about 5% of places, the "law of crime concentration" (Weisburd 2015).

Each crime's outcome history is drawn when the crime is: an outcome event (e.g.
"Unable to prosecute suspect") some months later, sometimes a second suspect's outcome
after it. Events inside the window become rows of that month's outcomes file; the
street file's ``Last outcome category`` is the state at the end of the window, as in
the latest police.uk release.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openbeat.datasets import OUTCOMES, STREET
from openbeat.demo import vocab
from openbeat.demo.csvio import Vocab, constant_column, crime_ids, vocab_column, write_csv
from openbeat.demo.geography import PLACE, City

#: Street rows a month at scale 1 (about 10 per 1,000 residents, an urban force's rate).
ROWS_PER_MONTH = 9_500
NO_LOCATION_SHARE = 0.008
OUTSIDE_SHARE = 0.0015
DUPLICATE_ID_SHARE = 0.002
SECOND_SUSPECT_SHARE = 0.07
DUPLICATE_OUTCOME_SHARE = 0.03
EOL = "\r\n"  # as data.police.uk publishes (the City of London files are CRLF)

#: Planted effects (README.md, "What analytics should find").
BURGLARY_WARD_LEVEL = 3.0  # the priority ward is a burglary hotspot before …
BURGLARY_PRIORITY_EFFECT = 0.6  # … and keeps 60% of its burglaries after the priority
VEHICLE_GROWTH = 0.7  # vehicle crime in Northbridge West grows 70% over the window
ASB_WARD_LEVEL = 2.5  # ASB priority ward: high, and the priority changes nothing
FORCE_TRENDS = {"Shoplifting": 0.35, "Theft from the person": 0.15}


def change_month(n_months: int) -> int:
    """Index of the first month after the planted priorities (month 24 of 36)."""
    return n_months * 2 // 3


def vintage_2011_share(i: int, n: int) -> float:
    """Share of rows carrying 2011 LSOA codes in month ``i`` of an ``n``-month window.

    Like the Met's files (2011 codes only, then a year of both, then 2021 only): in a
    36-month window the first 4 months are all 2011, months 4–11 mixed with ever fewer
    2011 codes, the rest 2021 only; shorter windows keep the same proportions.
    """
    pure, mixed_end = round(n / 9), n // 3
    if i < pure:
        return 1.0
    if i < mixed_end:
        return 0.85 - 0.75 * (i - pure) / max(1, mixed_end - pure - 1)
    return 0.0


@dataclass
class CrimeStats:
    street_rows: int = 0
    outcome_rows: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    no_location: int = 0
    outside: int = 0
    duplicate_ids: int = 0
    asb: int = 0


class CrimeModel:
    """Expected counts per crime type, map point and month."""

    def __init__(self, city: City, seed: int, months: list[str], scale: float):
        self.city, self.seed, self.months, self.scale = city, seed, months, scale
        pts = city.points
        self.inside = pts.lsoa >= 0
        self.ward = np.where(self.inside, city.lsoas.extra["ward"][pts.lsoa], -1)
        self.borough = np.where(self.inside, city.lsoas.borough[pts.lsoa], -1)
        self.weights = self._weights(np.random.default_rng([seed, 2]))

    def _weights(self, rng) -> np.ndarray:
        city, pts = self.city, self.city.points
        n_lsoa = len(city.lsoas)
        lsoa_level = rng.lognormal(0, 0.55, n_lsoa) * city.lsoas.extra["pop"] / city.lsoas.extra["pop"].mean()
        base = np.where(self.inside, lsoa_level[np.maximum(pts.lsoa, 0)], 0) * rng.lognormal(0, 1.55, len(pts))
        place = np.array(vocab.PLACE_NAMES)[np.maximum(pts.place, 0)]
        place = np.where(pts.kind == PLACE, place, "")

        def kernel(key, sigma):
            hx, hy = self.city.hotspots[key]
            return np.exp(-((pts.x - hx) ** 2 + (pts.y - hy) ** 2) / (2 * sigma**2))

        nte, drugs = kernel("nte", 450), kernel("drugs", 400)
        towns = sum(kernel(k, 350) for k in self.city.hotspots if k.startswith("town"))
        centre_wide = kernel("nte", 1_800)
        w = np.empty((len(vocab.CRIME_TYPES), len(pts)))
        for t, name in enumerate(vocab.CRIME_TYPE_NAMES):
            spec = _SPATIAL[name]
            f = 1 + spec.get("nte", 0) * nte + spec.get("town", 0) * towns + spec.get("drugs", 0) * drugs
            f = f * (1 - spec.get("centre_less", 0) * centre_wide)
            aff = np.ones(len(pts)) * np.where(pts.kind == PLACE, spec.get("places", 1.0), spec.get("streets", 1.0))
            for pname, mult in spec.get("at", {}).items():
                aff[place == pname] = mult
            w[t] = base * f * aff
        # Planted hotspot wards (before any change).
        bt = vocab.CRIME_TYPE_NAMES.index("Burglary")
        w[bt, self.ward == self.city.roles["burglary_ward"]] *= BURGLARY_WARD_LEVEL
        w[vocab.ASB, self.ward == self.city.roles["asb_ward"]] *= ASB_WARD_LEVEL
        return w / w.sum(axis=1, keepdims=True)

    def expected(self, i: int) -> np.ndarray:
        """Expected crimes per (type, point) in window month ``i``."""
        month = self.months[i]
        cal = int(month[5:7])
        year = int(month[:4])
        days = _days_in_month(year, cal)
        t = i / max(1, len(self.months) - 1)
        lam = np.empty_like(self.weights)
        for k, (name, share) in enumerate(vocab.CRIME_TYPES):
            amp, peak = vocab.SEASONALITY.get(name, vocab.DEFAULT_SEASONALITY)
            level = ROWS_PER_MONTH * self.scale * share * days / 30.44
            level *= 1 + amp * np.cos(2 * np.pi * (cal - peak) / 12)
            level *= 1 + FORCE_TRENDS.get(name, 0) * t
            lam[k] = level * self.weights[k]
        if i >= change_month(len(self.months)):
            bt = vocab.CRIME_TYPE_NAMES.index("Burglary")
            lam[bt, self.ward == self.city.roles["burglary_ward"]] *= BURGLARY_PRIORITY_EFFECT
        vt = vocab.CRIME_TYPE_NAMES.index("Vehicle crime")
        lam[vt, self.borough == self.city.roles["vehicle_borough"]] *= 1 + VEHICLE_GROWTH * t
        return lam


#: Spatial character per crime type: kernels around the night-time economy ("nte"),
#: town centres and the drug market, and affinities to place types ("at").
_SPATIAL: dict[str, dict] = {
    "Violence and sexual offences": {"nte": 5, "town": 1.5, "drugs": 1, "at": {"Nightclub": 6, "Hospital": 2}},
    "Anti-social behaviour": {"nte": 3, "town": 1, "at": {"Park/Open Space": 4, "Pedestrian Subway": 3}},
    "Other theft": {"nte": 4, "town": 3, "at": {"Shopping Area": 3, "Supermarket": 2}},
    "Vehicle crime": {"centre_less": 0.3, "at": {"Parking Area": 8, "Petrol Station": 3}},
    "Criminal damage and arson": {"nte": 2, "at": {"Parking Area": 2, "Park/Open Space": 2}},
    "Public order": {"nte": 5, "town": 1.5, "at": {"Nightclub": 4}},
    "Shoplifting": {"nte": 4, "town": 4, "streets": 0.3, "at": {"Shopping Area": 30, "Supermarket": 30,
                                                                  "Petrol Station": 8}},
    "Burglary": {"centre_less": 0.6, "places": 0.3, "at": {"Further/Higher Educational Building": 1}},
    "Theft from the person": {"nte": 8, "town": 3, "at": {"Nightclub": 4, "Shopping Area": 3,
                                                             "Bus/Coach Station": 3}},
    "Drugs": {"nte": 3, "drugs": 25, "at": {"Park/Open Space": 3, "Pedestrian Subway": 3}},
    "Robbery": {"nte": 4, "drugs": 2, "town": 1},
    "Other crime": {"nte": 1},
    "Bicycle theft": {"nte": 3, "town": 2, "at": {"Further/Higher Educational Building": 4,
                                                  "Bus/Coach Station": 4, "Sports/Recreation Area": 3}},
    "Possession of weapons": {"nte": 4, "drugs": 10},
}


def _days_in_month(year: int, month: int) -> int:
    nxt = (year + (month == 12), month % 12 + 1)
    return (np.datetime64(f"{nxt[0]:04d}-{nxt[1]:02d}-01") - np.datetime64(f"{year:04d}-{month:02d}-01")).astype(int)


def month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


class CrimeWriter:
    """Writes street and outcomes files month by month, holding only pending outcomes."""

    def __init__(self, city: City, model: CrimeModel, folder: Path):
        self.city, self.model, self.folder = city, model, folder
        self.seed, self.months = model.seed, model.months
        self.pending: dict[int, list[tuple[np.ndarray, ...]]] = defaultdict(list)
        self.stats = CrimeStats()
        pts = city.points
        self.outside_points = np.flatnonzero(pts.lsoa < 0)
        # Location vocabularies: index p for point p, last entry for "no location".
        self.lon = Vocab(pts.lon + [""])
        self.lat = Vocab(pts.lat + [""])
        self.loc_street = Vocab(pts.location + ["No Location"])  # street files: capital L
        self.loc_outcome = Vocab(pts.location + ["No location"])  # outcomes files: lower-case l
        code21 = [city.lsoas.code[i] if i >= 0 else pts.outside_code[p] for p, i in enumerate(pts.lsoa)]
        name21 = [city.lsoas.name[i] if i >= 0 else pts.outside_name[p] for p, i in enumerate(pts.lsoa)]
        code11 = [city.lsoas11.code[i] if i >= 0 else pts.outside_code[p] for p, i in enumerate(pts.lsoa11)]
        name11 = [city.lsoas11.name[i] if i >= 0 else pts.outside_name[p] for p, i in enumerate(pts.lsoa11)]
        # LSOA vocabulary: first the 2021 codes per point, then the 2011 ones, then "".
        self.npts = len(pts)
        self.lsoa_code = Vocab(code21 + code11 + [""])
        self.lsoa_name = Vocab(name21 + name11 + [""])
        # Output order: by LSOA (2021 index), then point; rows without location last.
        self.sort_key = np.where(pts.lsoa >= 0, pts.lsoa, len(city.lsoas) + 1).astype(np.int64) * len(pts)
        self.sort_key += np.arange(len(pts))
        self.mix = np.array([np.array(vocab.outcome_mix(t)) / sum(vocab.outcome_mix(t))
                             if i != vocab.ASB else np.zeros(len(vocab.OUTCOMES))
                             for i, t in enumerate(vocab.CRIME_TYPE_NAMES)])
        self.mean_lag = np.array([lag for _, _, lag in vocab.OUTCOMES])
        suspect = np.zeros(len(vocab.OUTCOMES))
        suspect[list(vocab.SUSPECT_OUTCOMES)] = 1
        self.second_mix = suspect / suspect.sum()
        self.is_suspect = suspect > 0

    # ---- one month ------------------------------------------------------------------

    def write_month(self, i: int) -> tuple[Path, Path]:
        rng = np.random.default_rng([self.seed, 1, i])
        month = self.months[i]
        street = self._street(i, month, rng)
        outcomes = self._outcomes(i, month, np.random.default_rng([self.seed, 3, i]))
        return street, outcomes

    def _street(self, i: int, month: str, rng: np.random.Generator) -> Path:
        lam = self.model.expected(i)
        counts = rng.poisson(lam)
        ctype = np.repeat(np.repeat(np.arange(lam.shape[0]), lam.shape[1]), counts.ravel())
        point = np.repeat(np.tile(np.arange(lam.shape[1]), lam.shape[0]), counts.ravel())
        n = len(ctype)
        # A few crimes recorded outside the force area; a few without any location.
        out = rng.random(n) < OUTSIDE_SHARE
        point[out] = rng.choice(self.outside_points, out.sum())
        noloc = (rng.random(n) < NO_LOCATION_SHARE) & ~out
        point[noloc] = -1
        id_number = np.arange(n)
        asb = ctype == vocab.ASB

        # Outcome histories (not for anti-social behaviour).
        last_cat = self._outcome_histories(i, ctype, point, id_number, asb, rng)

        # A few Crime IDs published twice in the month, as real forces do: same crime
        # type, another location and outcome.
        crimes = np.flatnonzero(~asb)
        n_dup = rng.binomial(len(crimes), DUPLICATE_ID_SHARE) if len(crimes) else 0
        if n_dup:
            src = rng.choice(crimes, n_dup, replace=False)
            dup_point = rng.choice(np.flatnonzero(self.model.inside), n_dup)
            ctype = np.concatenate([ctype, ctype[src]])
            point = np.concatenate([point, dup_point])
            id_number = np.concatenate([id_number, id_number[src]])
            asb = np.concatenate([asb, asb[src]])
            last_cat = np.concatenate([last_cat, last_cat[rng.permutation(src)]])

        order = np.lexsort((ctype, np.where(point >= 0, self.sort_key[np.maximum(point, 0)], np.iinfo(np.int64).max)))
        ctype, point, id_number, asb, last_cat = (a[order] for a in (ctype, point, id_number, asb, last_cat))
        n = len(ctype)
        use11 = rng.random(n) < vintage_2011_share(i, len(self.months))

        ids = crime_ids(self.seed, month_number(month), id_number)
        ids = pc.if_else(pa.array(asb), pa.scalar(""), ids)
        cats = (*_STREET_CATEGORIES, "")
        columns = [
            ids,
            constant_column(month, n),
            constant_column(self.city.place.force_name, n),
            constant_column(self.city.place.force_name, n),
            *self._place_columns(point, use11, self.loc_street),
            vocab_column(vocab.CRIME_TYPE_NAMES, ctype),
            vocab_column(cats, np.where(asb, len(cats) - 1, last_cat)),
            constant_column("", n),
        ]
        path = self.folder / month / f"{month}-{self.city.place.force}-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(path, STREET.header, columns, EOL)

        s = self.stats
        s.street_rows += n
        s.asb += int(asb.sum())
        s.no_location += int((point < 0).sum())
        s.outside += int(((point >= 0) & (self.city.points.lsoa[np.maximum(point, 0)] < 0)).sum())
        s.duplicate_ids += n_dup
        for t, c in zip(*np.unique(ctype, return_counts=True)):
            s.by_type[vocab.CRIME_TYPE_NAMES[t]] += int(c)
        return path

    def _place_columns(self, point: np.ndarray, use11: np.ndarray, locations: Vocab) -> list[pa.Array]:
        p = np.where(point >= 0, point, self.npts)
        lsoa = np.where(point < 0, 2 * self.npts, np.where(use11, self.npts + point, point))
        return [
            self.lon.column(p),
            self.lat.column(p),
            locations.column(p),
            self.lsoa_code.column(lsoa),
            self.lsoa_name.column(lsoa),
        ]

    def _outcome_histories(self, i, ctype, point, id_number, asb, rng) -> np.ndarray:
        """Draw each crime's outcome events; queue the rows; return street categories."""
        n = len(ctype)
        last = len(self.months) - 1
        cat = np.full(n, _CAT[vocab.UNDER_INVESTIGATION])
        unavailable = (rng.random(n) < vocab.STATUS_UNAVAILABLE_SHARE) & ~asb
        cat[unavailable] = _CAT[vocab.STATUS_UNAVAILABLE]
        live = np.flatnonzero(~asb & ~unavailable)
        if len(live) == 0:
            return cat
        # Inverse-CDF draw of the event per crime from its type's mix.
        cum = np.cumsum(self.mix[ctype[live]], axis=1)
        event = (rng.random(len(live))[:, None] > cum).sum(axis=1)
        event = np.minimum(event, len(vocab.OUTCOMES) - 1)
        lag = rng.geometric(1 / (1 + self.mean_lag[event])) - 1
        when = i + lag
        # A second suspect's outcome, some months after the first.
        second = self.is_suspect[event] & (rng.random(len(live)) < SECOND_SUSPECT_SHARE)
        event2 = rng.choice(len(vocab.OUTCOMES), len(live), p=self.second_mix)
        when2 = when + rng.geometric(0.4, len(live)) - 1
        # Street category: the latest event published by the end of the window.
        latest = np.where(second & (when2 <= last), event2, event)
        latest_when = np.where(second & (when2 <= last), when2, when)
        c = np.array([_CAT[street] for _, street, _ in vocab.OUTCOMES])[latest]
        charged = latest == vocab.CHARGED
        c[charged & (last - latest_when >= vocab.COURT_RESULT_MONTHS)] = _CAT[vocab.COURT_UNAVAILABLE]
        cat[live] = np.where(when <= last, c, _CAT[vocab.UNDER_INVESTIGATION])

        dup = (event == vocab.NO_SUSPECT) & (rng.random(len(live)) < DUPLICATE_OUTCOME_SHARE)
        rows = [(when, event, np.ones(len(live), bool)), (when2, event2, second), (when, event, dup)]
        for w, e, keep in rows:
            keep = keep & (w <= last)
            for m in np.unique(w[keep]):
                sel = live[keep & (w == m)]
                self.pending[int(m)].append(
                    (np.full(len(sel), i, np.int16), id_number[sel].astype(np.int32),
                     point[sel].astype(np.int32), e[keep & (w == m)].astype(np.int8))
                )
        return cat

    def _outcomes(self, i: int, month: str, rng: np.random.Generator) -> Path:
        parts = self.pending.pop(i, [])
        if parts:
            crime_month, id_number, point, event = (np.concatenate(c) for c in zip(*parts))
        else:
            crime_month = id_number = point = event = np.empty(0, np.int32)
        # police.uk lists rows without location first in the outcomes files.
        key = np.where(point >= 0, self.sort_key[np.maximum(point, 0)] + 1, 0)
        order = np.lexsort((id_number, crime_month, key))
        crime_month, id_number, point, event = (a[order] for a in (crime_month, id_number, point, event))
        n = len(event)
        ids = _ids_by_month(self.seed, self.months, crime_month, id_number)
        use11 = rng.random(n) < vintage_2011_share(i, len(self.months))
        columns = [
            ids,
            constant_column(month, n),
            constant_column(self.city.place.force_name, n),
            constant_column(self.city.place.force_name, n),
            *self._place_columns(point, use11, self.loc_outcome),
            vocab_column(vocab.OUTCOME_TYPES, event),
        ]
        path = self.folder / month / f"{month}-{self.city.place.force}-outcomes.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(path, OUTCOMES.header, columns, EOL)
        self.stats.outcome_rows += n
        return path


_STREET_CATEGORIES = tuple(dict.fromkeys(
    [street for _, street, _ in vocab.OUTCOMES]
    + [vocab.UNDER_INVESTIGATION, vocab.STATUS_UNAVAILABLE, vocab.COURT_UNAVAILABLE]
))
_CAT = {c: k for k, c in enumerate(_STREET_CATEGORIES)}


def _ids_by_month(seed: int, months: list[str], crime_month: np.ndarray, id_number: np.ndarray) -> pa.Array:
    """Crime IDs for rows whose crimes come from several months, in row order."""
    n = len(id_number)
    if n == 0:
        return pa.array([], pa.string())
    chunks, positions = [], []
    for m in np.unique(crime_month):
        sel = np.flatnonzero(crime_month == m)
        chunks.append(crime_ids(seed, month_number(months[int(m)]), id_number[sel]))
        positions.append(sel)
    combined = pa.concat_arrays(chunks)
    inverse = np.empty(n, np.int64)
    inverse[np.concatenate(positions)] = np.arange(n)
    return combined.take(pa.array(inverse))
