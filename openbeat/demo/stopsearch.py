"""Stop-and-search records for the demo force, month by month.

Searches per borough and census ethnic group are Poisson with mean
``residents × base rate × group ratio`` (``vocab.SEARCH_RATE_RATIO``: Black residents
3.6 times the White rate), so the disproportionality ratio is the same in every
borough and force-wide. A search's self-defined ethnicity is one of the group's
census strings or "Not stated"; the officer-defined one is the officer's reading of
the group. The find rate (outcome linked to the object of the search) depends on the
grounds and is lower for searches of Black people.

Dates are real-format UTC timestamps of a local (Europe/London) time, so in British
Summer Time a search just after local midnight on the 1st is dated the previous
month in UTC while it sits in its local month's file, as in police.uk's files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openbeat.datasets import STOP_AND_SEARCH
from openbeat.demo import vocab
from openbeat.demo.csvio import Vocab, vocab_column, write_csv
from openbeat.demo.geography import City

#: Searches a month at scale 1 (the Met's rate, about 1.1 per 1,000 residents a month).
SEARCHES_PER_MONTH = 1_000
DECLINE = 0.30  # searches fall 30% over the window, as the Met's did in 2022–24
NO_COORDINATES_SHARE = 0.08
MIDNIGHT_SHARE = 0.03  # time not recorded: published as local midnight
OPERATION_SHARE = 0.03
EOL = "\r\n"
_LONDON = ZoneInfo("Europe/London")
#: Local hour of day weights: few searches in the early morning, most in the evening.
_HOURS = np.array([5, 4, 3, 2, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 7, 8, 9, 9, 9, 9, 8, 7, 6], float)


class SearchWriter:
    def __init__(self, city: City, seed: int, months: list[str], scale: float, folder: Path):
        self.city, self.seed, self.months, self.scale, self.folder = city, seed, months, scale, folder
        pts = city.points
        inside = pts.lsoa >= 0
        borough = np.where(inside, city.lsoas.borough[np.maximum(pts.lsoa, 0)], -1)
        # Where searches happen: the night-time economy, the drug market, town centres.
        rng = np.random.default_rng([seed, 4])
        w = rng.lognormal(0, 1.0, len(pts)) * inside
        for key, amp, sigma in (("nte", 12, 450), ("drugs", 15, 400)):
            hx, hy = city.hotspots[key]
            w *= 1 + amp * np.exp(-((pts.x - hx) ** 2 + (pts.y - hy) ** 2) / (2 * sigma**2))
        self.points_by_borough = []
        for b in range(len(city.boroughs)):
            idx = np.flatnonzero(borough == b)
            self.points_by_borough.append((idx, w[idx] / w[idx].sum()))
        eth = city.lsoas.extra["eth"]
        self.residents = np.array([eth[city.lsoas.borough == b].sum(axis=0) for b in range(len(city.boroughs))])
        # Boroughs differ in how much they search (the drug market and the centre most).
        self.borough_level = np.array([1.6, 0.6, 1.3, 1.0, 0.8])
        ratio = np.array(vocab.SEARCH_RATE_RATIO)
        expected = (self.residents * ratio * self.borough_level[:, None]).sum()
        self.rate = SEARCHES_PER_MONTH / expected  # per resident-month at ratio 1

        self.lat = Vocab(pts.lat + [""])
        self.lon = Vocab(pts.lon + [""])
        self_defined = [s for group in vocab.SELF_DEFINED for s, _ in group]
        self.self_defined = Vocab(self_defined + [vocab.NOT_STATED, ""])
        self.sd_offset = np.cumsum([0] + [len(g) for g in vocab.SELF_DEFINED])[:-1]
        self.grounds_p = np.array([g[2] for g in vocab.SEARCH_GROUNDS])
        self.grounds_p /= self.grounds_p.sum()
        self.find_rate = np.array([g[3] for g in vocab.SEARCH_GROUNDS])
        self.outcomes = Vocab(tuple(dict.fromkeys(
            [o for o, _ in vocab.SEARCH_OUTCOMES_FOUND] + [o for o, _ in vocab.SEARCH_OUTCOMES_NOT_FOUND])))
        names = self.outcomes.array.to_pylist()
        self.found_idx = np.array([names.index(o) for o, _ in vocab.SEARCH_OUTCOMES_FOUND])
        self.found_p = _p(vocab.SEARCH_OUTCOMES_FOUND)
        self.notfound_idx = np.array([names.index(o) for o, _ in vocab.SEARCH_OUTCOMES_NOT_FOUND])
        self.notfound_p = _p(vocab.SEARCH_OUTCOMES_NOT_FOUND)
        self.cannabis_warning = names.index("Khat or Cannabis warning")
        self.community_resolution = names.index("Community resolution")
        self.rows = 0
        self.by_group = np.zeros(len(vocab.ETHNIC_GROUPS), int)

    def expected_crude_ratio(self, group: str = "Black") -> float:
        """Force-wide searches per resident of ``group`` over White, as expected.

        Differs from the planted within-borough ratio because groups live in different
        proportions in boroughs that search more or less (a compositional effect that
        any force-wide figure carries).
        """
        names = [name for _, name in vocab.ETHNIC_GROUPS]
        g = names.index(group)
        white = [3, 4, 5]  # White British, White Irish, White Other (two census codes)
        ratio = np.array(vocab.SEARCH_RATE_RATIO)
        searches = self.residents * ratio * self.borough_level[:, None]
        rate_g = searches[:, g].sum() / self.residents[:, g].sum()
        rate_w = searches[:, white].sum() / self.residents[:, white].sum()
        return float(rate_g / rate_w)

    def write_month(self, i: int) -> Path:
        rng = np.random.default_rng([self.seed, 5, i])
        month = self.months[i]
        t = i / max(1, len(self.months) - 1)
        year, cal = int(month[:4]), int(month[5:7])
        first = datetime(year, cal, 1)
        days = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
        level = self.rate * self.scale * (1 - DECLINE * t) * days / 30.44
        lam = self.residents * np.array(vocab.SEARCH_RATE_RATIO) * self.borough_level[:, None] * level
        counts = rng.poisson(lam)
        borough = np.repeat(np.repeat(np.arange(lam.shape[0]), lam.shape[1]), counts.ravel())
        group = np.repeat(np.tile(np.arange(lam.shape[1]), lam.shape[0]), counts.ravel())
        n = len(group)
        self.rows += n
        self.by_group += np.bincount(group, minlength=len(vocab.ETHNIC_GROUPS))

        point = np.empty(n, np.int64)
        for b, (idx, p) in enumerate(self.points_by_borough):
            sel = borough == b
            point[sel] = rng.choice(idx, sel.sum(), p=p)
        point[rng.random(n) < NO_COORDINATES_SHARE] = -1

        utc = self._times(rng, year, cal, days, n)
        order = np.argsort(utc, kind="stable")
        utc, point, group, borough = utc[order], point[order], group[order], borough[order]
        stamps = pc.binary_join_element_wise(
            pa.array(np.datetime_as_string(utc, unit="s")), pa.scalar("+00:00"), "")

        # Ethnicity as the person states it and as the officer records it.
        sub = np.zeros(n, np.int64)
        for g, options in enumerate(vocab.SELF_DEFINED):
            sel = group == g
            sub[sel] = self.sd_offset[g] + rng.choice(len(options), sel.sum(), p=_p(options))
        u = rng.random(n)
        not_stated_idx = self.sd_offset[-1] + len(vocab.SELF_DEFINED[-1])
        sub[u < vocab.NOT_STATED_SHARE] = not_stated_idx
        sub[u > 1 - vocab.SELF_DEFINED_BLANK_SHARE] = not_stated_idx + 1
        cum = np.cumsum(np.array(vocab.OFFICER_MIX)[group], axis=1)
        officer = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), 3)
        officer[rng.random(n) < vocab.OFFICER_BLANK_SHARE] = len(vocab.OFFICER_DEFINED)

        grounds = rng.choice(len(vocab.SEARCH_GROUNDS), n, p=self.grounds_p)
        black = [name for _, name in vocab.ETHNIC_GROUPS].index("Black")
        find_p = self.find_rate[grounds] * np.where(group == black, vocab.BLACK_FIND_RATE_RATIO, 1.0)
        found = rng.random(n) < find_p
        outcome = np.where(
            found,
            self.found_idx[rng.choice(len(self.found_idx), n, p=self.found_p)],
            self.notfound_idx[rng.choice(len(self.notfound_idx), n, p=self.notfound_p)],
        )
        drugs = np.array([g[1] == "Controlled drugs" for g in vocab.SEARCH_GROUNDS])[grounds]
        outcome[(outcome == self.cannabis_warning) & ~drugs] = self.community_resolution

        operation = (rng.random(n) < OPERATION_SHARE) & (borough == 0)
        search_type = rng.choice(len(vocab.SEARCH_TYPES), n, p=_p(vocab.SEARCH_TYPES))
        removal = rng.random(n) < vocab.REMOVAL_SHARE
        p = np.where(point >= 0, point, len(self.city.points))
        columns = [
            vocab_column([s for s, _ in vocab.SEARCH_TYPES], search_type),
            stamps,
            vocab_column(["False", "True"], operation.astype(int)),
            vocab_column(["", vocab.OPERATION_NAME], operation.astype(int)),
            self.lat.column(p),
            self.lon.column(p),
            vocab_column([s for s, _ in vocab.GENDERS], rng.choice(len(vocab.GENDERS), n, p=_p(vocab.GENDERS))),
            vocab_column([s for s, _ in vocab.AGE_RANGES],
                         rng.choice(len(vocab.AGE_RANGES), n, p=_p(vocab.AGE_RANGES))),
            self.self_defined.column(sub),
            vocab_column(list(vocab.OFFICER_DEFINED) + [""], officer),
            vocab_column([g[0] for g in vocab.SEARCH_GROUNDS], grounds),
            vocab_column([g[1] for g in vocab.SEARCH_GROUNDS], grounds),
            self.outcomes.column(outcome),
            vocab_column(["False", "True"], found.astype(int)),
            vocab_column(["False", "True"], removal.astype(int)),
        ]
        path = self.folder / month / f"{month}-{self.city.place.force}-stop-and-search.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(path, STOP_AND_SEARCH.header, columns, EOL)
        return path

    def _times(self, rng, year: int, cal: int, days: int, n: int) -> np.ndarray:
        """UTC instants of searches made at local times within the local month."""
        day = rng.integers(0, days, n)
        hour = rng.choice(24, n, p=_HOURS / _HOURS.sum())
        minute = rng.integers(0, 60, n)
        second = np.where(rng.random(n) < 0.8, 0, rng.integers(0, 60, n))  # most are whole minutes
        midnight = rng.random(n) < MIDNIGHT_SHARE
        hour[midnight] = minute[midnight] = second[midnight] = 0
        local = (np.datetime64(f"{year:04d}-{cal:02d}-01T00:00:00")
                 + (((day * 24 + hour) * 60 + minute) * 60 + second).astype("timedelta64[s]"))
        offset = _utc_offsets(local, year, cal, days)
        return local - offset


def _utc_offsets(local: np.ndarray, year: int, cal: int, days: int) -> np.ndarray:
    """Europe/London's UTC offset at each naive local time of one month (vectorised).

    The offset is looked up for every local hour of the month with zoneinfo; a time in
    the hour skipped when clocks go forward is read as summer time.
    """
    first = np.datetime64(f"{year:04d}-{cal:02d}-01T00:00:00")
    hours = ((local - first) // np.timedelta64(1, "h")).astype(np.int64)
    table = np.empty(days * 24, "timedelta64[s]")
    for h in range(days * 24):
        wall = datetime(year, cal, 1) + timedelta(hours=h)
        table[h] = np.timedelta64(int(wall.replace(tzinfo=_LONDON).utcoffset().total_seconds()), "s")
    return table[hours]


def _p(pairs) -> np.ndarray:
    p = np.array([w for _, w in pairs], float)
    return p / p.sum()
