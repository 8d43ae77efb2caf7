"""Coverage: which months each force published, and which forces' data cover an area.

Forces publish (or miss) months independently, and an area can be covered by more than
one force: a London ward holds the Met's crimes, British Transport Police's crimes at its
stations, and a few the City of London Police placed just over its boundary. A month a
force did not publish is not a month without crime, so every figure here asks this
module before it counts or compares:

* **published** — ``(force, dataset, month)`` is published when the lake holds that
  partition or the manifest records its file (:meth:`Coverage.published`);
* **contributing forces** of an area — every force with rows police.uk placed in it, at
  any time (:meth:`Coverage.forces_of`); its **own forces** are the territorial forces
  among them whose territory it lies in (British Transport Police is never one; a force
  whose boroughs are listed in :data:`openbeat.geo.rollup.FORCE_BOROUGHS` owns only those);
* the **default period** of an area ends at the latest month every own force published
  (:meth:`Coverage.default_end`), never at the lake's latest month;
* a **comparison of two periods** uses only the month pairs (a month and the same month a
  year earlier) that every contributing force published in both periods
  (:meth:`Coverage.pairs`), or declines with a sentence naming the forces and months
  (:class:`CannotCompare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openbeat.analytics.store import LEVEL_COLUMN, Area, Period, Store
from openbeat.geo.rollup import FORCE_BOROUGHS

#: Forces that police a network, not a territory: they never set an area's default period.
NATIONAL_FORCES = {"btp": "British Transport Police"}

#: Which aggregate holds each dataset's rows placed in areas.
_COUNTS = {"crimes": "crime_counts", "outcomes": "crime_counts", "stop_searches": "stop_search_counts"}


class CannotCompare(ValueError):
    """The lake does not hold the months a figure needs; the message names force and months."""


@dataclass(frozen=True)
class ForceCoverage:
    """One contributing force of an area over a period."""

    force: str
    name: str
    own: bool
    published: tuple[date, ...]  # months of the period the force published
    missing: tuple[date, ...]  # months of the period it did not

    def as_dict(self) -> dict:
        return {"force": self.force, "name": self.name, "own_force": self.own,
                "months_published": len(self.published), "months_missing": [f"{m:%Y-%m}" for m in self.missing]}


class Coverage:
    """The coverage model of one store's lake (computed once per lake state)."""

    def __init__(self, store: Store):
        self.store = store

    # ---- published months -------------------------------------------------------------

    def _published(self) -> dict[tuple[str, str], frozenset[date]]:
        def compute():
            # From the store's own connection: the partitions and manifest of the state its
            # figures read, so an ingest landing meanwhile cannot make a month "published"
            # that the figures do not hold yet.
            out: dict[tuple[str, str], set[date]] = {}
            rows = self.store.cursor().execute(
                "SELECT force, dataset, month FROM lake_partitions "
                "UNION SELECT force, dataset, month FROM manifest").fetchall()
            for force, dataset, month in rows:
                out.setdefault((force, dataset), set()).add(month)
            return {k: frozenset(v) for k, v in out.items()}
        return self.store.memo("coverage-published", compute)

    def published(self, force: str, dataset: str = "crimes") -> frozenset[date]:
        """Months ``force`` published of ``dataset`` (crimes, outcomes, stop_searches)."""
        return self._published().get((force, dataset), frozenset())

    def forces(self, dataset: str = "crimes") -> list[str]:
        """Every force that published any month of ``dataset``."""
        return sorted(f for (f, d) in self._published() if d == dataset)

    def force_name(self, force: str) -> str:
        names = self.store.memo("coverage-force-names", lambda: dict(self.store.force_names()))
        return NATIONAL_FORCES.get(force) or names.get(force) or force

    # ---- forces of an area ------------------------------------------------------------

    def forces_of(self, area: Area, dataset: str = "crimes") -> list[str]:
        """The forces whose rows of ``dataset`` police.uk placed in the area (a force: itself)."""
        if area.level == "force":
            return [area.code]
        table = _COUNTS[dataset]

        def compute():
            return [f for (f,) in self.store.cursor().execute(
                f"SELECT DISTINCT force FROM {table} WHERE {area.column} = ? ORDER BY 1", [area.code]).fetchall()]
        return self.store.memo(_forces_key(table, area.level, area.code), compute)

    def read_forces_of(self, level: str = "ward") -> None:
        """:meth:`forces_of` of every area of ``level`` that has rows, read in one query a table
        instead of two a page (a web worker does this before it serves: on a national lake
        4,370 wards' forces for about what two pages' queries cost)."""
        column = LEVEL_COLUMN[level]
        for table in sorted(set(_COUNTS.values())):
            if not self.store.has(table):
                continue
            by_code: dict[str, list] = {}
            for code, force in self.store.cursor().execute(
                    f"SELECT {column}, force FROM {table} WHERE {column} IS NOT NULL GROUP BY ALL").fetchall():
                by_code.setdefault(code, []).append(force)
            for code, forces in by_code.items():
                if None not in forces:  # as the query's ORDER BY (force codes: ASCII) would give them
                    self.store.memo(_forces_key(table, level, code), lambda f=forces: sorted(f))

    def own_forces(self, area: Area, dataset: str = "crimes") -> list[str]:
        """The territorial forces among the area's contributing forces whose territory it is in."""
        if area.level == "force":
            return [area.code]
        borough = area.code if area.level == "borough" else area.borough_code
        forces = self.forces_of(area, dataset)
        own = [f for f in forces if f not in NATIONAL_FORCES
               and (f not in FORCE_BOROUGHS or borough is None or borough in FORCE_BOROUGHS[f])]
        return own or forces

    # ---- periods ----------------------------------------------------------------------

    def default_end(self, forces: list[str], dataset: str = "crimes") -> date | None:
        """The latest month every one of ``forces`` published (None if one published nothing)."""
        ends = [max(self.published(f, dataset), default=None) for f in forces]
        if not ends or None in ends:
            return None
        return min(ends)

    def area_period(self, area: Area, first: str | None, last: str | None, *, dataset: str = "crimes",
                    default_months: int = 12) -> Period:
        """The period asked for; by default the 12 months to the latest its own forces published.

        A period may not end after the last month its own forces published: those months
        cost work and answer nothing (``to=2199-12``), so they decline like a period with
        no data at all (:class:`CannotCompare`), naming the months held.
        """
        own = self.own_forces(area, dataset)
        if last is None:
            end = self.default_end(own, dataset)
            if end is not None:
                last = f"{end:%Y-%m}"
        period = self.store.period(first, last, default_months=default_months)
        held = set().union(*(self.published(f, dataset) for f in own)) if own else set()
        if held and period.last > max(held):
            if period.first > max(held):
                self.require(area, period, dataset)  # no month held at all: its own words
            names = " and ".join(self.force_name(f) for f in own)
            raise CannotCompare(
                f"{names} published {_WHAT[dataset]} for {area.name} up to {max(held):%Y-%m}, so a period "
                f"ending {period.last:%Y-%m} reaches months the lake does not hold; end it by {max(held):%Y-%m}")
        return period

    def of(self, forces: list[str], period: Period, dataset: str = "crimes",
           own: list[str] | None = None) -> list[ForceCoverage]:
        months = [period.shift(i).first for i in range(period.months)]
        out = []
        for f in forces:
            pub = self.published(f, dataset)
            out.append(ForceCoverage(f, self.force_name(f), own is None or f in own,
                                     tuple(m for m in months if m in pub), tuple(m for m in months if m not in pub)))
        return out

    def require(self, area: Area, period: Period, dataset: str = "crimes") -> list[ForceCoverage]:
        """Each contributing force's months in the period; declines if no own force published any."""
        forces = self.forces_of(area, dataset) or self.own_forces(area, dataset)
        own = self.own_forces(area, dataset)
        cov = self.of(forces, period, dataset, own)
        if not forces:
            raise CannotCompare(f"no police data placed in {area.name} is loaded")
        if not any(c.published for c in cov if c.own):
            raise CannotCompare(
                f"the lake holds no {_WHAT[dataset]} for {area.name} in {period.label()}: "
                + "; ".join(f"{c.name} published {span(self.published(c.force, dataset))}"
                            for c in cov if c.own)
                + ". Months a force did not publish are not months without crime; choose months it published")
        return cov

    def complete_months(self, forces: list[str], period: Period, dataset: str = "crimes") -> list[date]:
        """Months of the period every one of ``forces`` published."""
        months = [period.shift(i).first for i in range(period.months)]
        return [m for m in months if all(m in self.published(f, dataset) for f in forces)]

    def pairs(self, forces: list[str], period: Period, before: Period,
              dataset: str = "crimes") -> list[tuple[date, date]]:
        """(month, same month in ``before``) pairs every one of ``forces`` published on both sides."""
        if before.months != period.months:
            raise ValueError("periods of different lengths have no month pairs")
        out = []
        for i in range(period.months):
            now, then = period.shift(i).first, before.shift(i).first
            if all(now in self.published(f, dataset) and then in self.published(f, dataset) for f in forces):
                out.append((now, then))
        return out

    def gaps_sentence(self, forces: list[str], *periods: Period, dataset: str = "crimes") -> str:
        """'British Transport Police did not publish 2023-04 to 2023-12 and 2024-05 to 2025-02' for each force."""
        parts = []
        for f in forces:
            pub = self.published(f, dataset)
            missing = sorted({p.shift(i).first for p in periods for i in range(p.months)} - pub)
            if missing:
                parts.append(f"{self.force_name(f)} did not publish {spans(missing)}")
        return "; ".join(parts)


_WHAT = {"crimes": "street-level crime", "outcomes": "outcomes", "stop_searches": "stop and search"}


def coverage(store: Store) -> Coverage:
    return Coverage(store)


def span(months) -> str:
    months = sorted(months)
    if not months:
        return "no months"
    return f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}" if len(months) > 1 else f"{months[0]:%Y-%m}"


def spans(months) -> str:
    """Consecutive months as ranges: '2023-04 to 2023-12, 2024-05 to 2025-02'."""
    months = sorted(months)
    runs: list[list[date]] = []
    for m in months:
        if runs and _next(runs[-1][-1]) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    text = [span(r) for r in runs]
    return ", ".join(text[:-1]) + " and " + text[-1] if len(text) > 1 else (text[0] if text else "no months")


def _next(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _forces_key(table: str, level: str, code: str) -> tuple:
    """The store's memo key of one area's forces in ``table``: one key for
    :meth:`Coverage.forces_of` and :meth:`Coverage.read_forces_of`, which fills it ahead."""
    return ("coverage-forces", table, level, code)
