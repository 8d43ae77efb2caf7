"""A national-scale demo: any number of synthetic forces, sized like England and Wales.

    >>> from openbeat.demo.national import generate_national, build_national
    >>> demo = generate_national("national-demo", forces=43, months=36)  # doctest: +SKIP
    >>> result = build_national(Lake("lake"), "national-demo", forces=43)  # doctest: +SKIP

Each force is a city made the way Northbridge is (:func:`openbeat.demo.geography.build_city`
with its own :class:`~openbeat.demo.geography.Place`): its own outline, LSOAs, MSOAs,
wards and five boroughs, its own area codes (offset by the force's number, so no two
forces' codes collide) and its own planted hot spots. Its crimes, outcomes and searches
come from the same models as Northbridge's and are written by the same writers, in
police.uk's CSV layout, one file per force, month and kind, so ingest reads them as it
reads real files.

**Sizes.** England and Wales's police.uk files hold about 6 million street rows, 5
million outcomes and 0.6 million searches a year. With ``forces=43`` the forces share
those volumes (times ``scale``) in the proportions of the 43 territorial forces'
residents: one Met, a few forces of 2–3 million, most between 0.5 and 2 million, the
City of London's 10,000. Fewer forces are that many of the 43 spread across the range of
sizes (3: a Met, a force of 1.1 million and a City of London), each at its own size; more
than 43 share the country's volumes in the same proportions. A force's residents set how
many LSOAs it has (one per 1,850 residents, at least 40), so a Met-sized force has about
4,800 LSOAs and 650 wards, and its volumes: about 75,000 street rows a month for the Met.

**Where.** The forces lie side by side in the North Sea east of Scotland (British
National Grid E 470–690 km, N 1,150 km southwards), so their coordinates are valid
EPSG:27700 points that are no real place and overlap neither each other nor Northbridge,
which can share the lake.

**Memory and speed.** Forces are generated one at a time and each month is written as
soon as it is drawn (numpy and Arrow, no Python loop per row); only a force's pending
outcome events are held between its months, and only the areas (for the reference
files, written once for the whole country at the end) between forces.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from openbeat.datasets import parse_file_name
from openbeat.demo import vocab
from openbeat.demo.city import DEFAULT_END, DEFAULT_MONTHS, DEFAULT_SEED, _window
from openbeat.demo.crimes import ROWS_PER_MONTH, CrimeModel, CrimeWriter
from openbeat.demo.geography import N_LSOA, N_MERGES, N_SPLITS, RADIUS, Areas, City, Place, build_city
from openbeat.demo.reference import write_boundaries, write_lookup, write_population, write_text
from openbeat.demo.stopsearch import SearchWriter

#: Street rows a year in England and Wales's police.uk files (anti-social behaviour included).
STREET_ROWS_PER_YEAR = 6_000_000
#: Residents (thousands) of the 43 territorial police forces of England and Wales, largest
#: first (Census 2021, rounded): the Met, West Midlands, Greater Manchester, … the City of London.
FORCE_RESIDENTS = (
    8_870, 2_920, 2_870, 2_420, 2_350, 2_010, 1_870, 1_850, 1_800, 1_730, 1_700, 1_530, 1_460, 1_430,
    1_400, 1_340, 1_310, 1_200, 1_200, 1_170, 1_130, 1_100, 1_070, 1_050, 930, 920, 890, 830, 790,
    780, 770, 760, 730, 700, 700, 650, 640, 600, 600, 570, 520, 500, 10,
)
RESIDENTS_PER_LSOA = 1_850  # the mean of build_city's 1,250–2,450
MIN_LSOAS = 40  # five boroughs of at least a few wards each
MAX_LSOAS = 9_999  # area codes leave four digits per force
#: Area codes leave room for this many forces (X018/X019 codes must not meet X01 ones).
MAX_FORCES = 79
#: Where the forces lie: side by side in the North Sea, rows from the north down.
WEST, EAST, NORTH = 470_000.0, 690_000.0, 1_150_000.0

_PREFIXES = ("Ash", "Bram", "Brack", "Cor", "Dun", "Elder", "Fen", "Gar", "Hol", "Ivy", "Kes", "Lang", "Mar",
             "Nettle", "Orr", "Pen", "Quarry", "Ros", "Sil", "Tam", "Ull", "Vern", "Wen", "Yar", "Zeal")
_SUFFIXES = ("moor", "wick", "dale", "mouth", "combe", "stead", "haven", "holt", "ley", "by", "thorpe", "cross")


@dataclass(frozen=True)
class ForceSpec:
    """One synthetic force: its name, size and place."""

    number: int  # 1, 2, … (0 is Northbridge)
    slug: str
    name: str
    residents: int  # the share of England and Wales it stands for (its city's own count differs a little)
    street_rows_per_month: float  # expected, before seasons and trends
    place: Place
    seed: int

    @property
    def scale(self) -> float:
        """The crime and search models' ``scale`` (1 is Northbridge's volume)."""
        return self.street_rows_per_month / ROWS_PER_MONTH


def force_name(number: int) -> str:
    """The invented town a force is named after, e.g. ``Brackwick`` (unique for 1…MAX_FORCES)."""
    k = number - 1
    return _PREFIXES[k % len(_PREFIXES)] + _SUFFIXES[(k // len(_PREFIXES) + k) % len(_SUFFIXES)]


def national_forces(forces: int = 43, *, seed: int = DEFAULT_SEED, scale: float = 1.0) -> list[ForceSpec]:
    """``forces`` forces sharing England and Wales's volumes (times ``scale``), largest first."""
    if not 1 <= forces <= MAX_FORCES:
        raise ValueError(f"forces must be between 1 and {MAX_FORCES}, not {forces!r}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    table = np.array(FORCE_RESIDENTS, float)
    sizes = table if forces == len(table) else np.interp(
        np.linspace(0, len(table) - 1, forces), np.arange(len(table)), table)
    if forces > len(table):  # more forces than England and Wales has: they share its residents
        sizes = sizes * table.sum() / sizes.sum()
    share = sizes / table.sum()  # of England and Wales's residents, and so of its volumes
    residents = sizes * 1_000 * scale
    specs = []
    for k in range(forces):
        number = k + 1
        n_lsoa = max(MIN_LSOAS, round(residents[k] / RESIDENTS_PER_LSOA))
        if n_lsoa > MAX_LSOAS:
            raise ValueError(f"a force of {residents[k]:,.0f} residents needs {n_lsoa:,} LSOAs, more than the "
                             f"{MAX_LSOAS:,} its area codes allow: use a smaller scale or more forces")
        name = force_name(number)
        place = Place(
            number=number, radius=RADIUS * math.sqrt(n_lsoa / N_LSOA), n_lsoa=n_lsoa,
            n_splits=max(1, round(N_SPLITS * n_lsoa / N_LSOA)), n_merges=max(1, round(N_MERGES * n_lsoa / N_LSOA)),
            boroughs=tuple(b.replace("Northbridge", name) for b in vocab.BOROUGHS),
            neighbourhood_prefix=name[:2].upper(), force=name.lower(),
            force_name=f"{name} Police (synthetic demo)",
        )
        specs.append(ForceSpec(number, place.force, name, int(round(residents[k])),
                               STREET_ROWS_PER_YEAR / 12 * share[k] * scale, place, seed * 100 + number))
    return _placed(specs)


def _half_width(place: Place) -> float:
    """Half the side of the square a city needs: its coast (at most 1.28 radii) and the
    neighbouring district's points (1.25 radii + up to 5 km, scaled), and a gap."""
    return 1.35 * place.radius + 5_000 * place.k + 1_000


def _placed(specs: list[ForceSpec]) -> list[ForceSpec]:
    """Centres on shelves from the north-west, in rows west to east, biggest first."""
    out, x, top, row = [], WEST, NORTH, 0.0
    for spec in specs:
        h = _half_width(spec.place)
        if x > WEST and x + 2 * h > EAST:
            x, top, row = WEST, top - row, 0.0
        row = max(row, 2 * h)
        centre = (round(x + h, 1), round(top - h, 1))
        out.append(replace(spec, place=replace(spec.place, centre=centre)))
        x += 2 * h
    return out


@dataclass
class NationalDemo:
    """What :func:`generate_national` wrote."""

    root: Path
    seed: int
    scale: float
    months: list[str]
    forces: list[ForceSpec]
    files: list[Path]  # police.uk CSVs, force by force
    rows: dict[str, dict[str, int]]  # slug -> rows per police.uk file kind
    reference: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        kinds = ("street", "outcomes", "stop-and-search")
        return {k: sum(r[k] for r in self.rows.values()) for k in kinds}


def generate_national(out_dir: str | Path, *, forces: int = 43, seed: int = DEFAULT_SEED,
                      months: int = DEFAULT_MONTHS, end: str = DEFAULT_END, scale: float = 1.0,
                      reference: bool = True,
                      on_month: Callable[[ForceSpec, str], None] | None = None) -> NationalDemo:
    """Write ``forces`` synthetic forces in police.uk's formats under ``out_dir``.

    ``<out>/police_uk/YYYY-MM/YYYY-MM-<force>-{street,outcomes,stop-and-search}.csv`` and
    (``reference=True``) national boundaries (``boundaries/*.gpkg``), the LSOA → ward →
    borough lookup and census populations, plus ``SYNTHETIC.txt`` and ``forces.json``.
    The same arguments always give the same bytes.
    """
    started = time.perf_counter()
    window = _window(months, end)
    specs = national_forces(forces, seed=seed, scale=scale)
    root = Path(out_dir)
    police = root / "police_uk"
    police.mkdir(parents=True, exist_ok=True)
    _remove_stale(police, window, {s.slug for s in specs})
    write_text(root / "SYNTHETIC.txt", _synthetic_note(specs, seed, window, scale))
    files: list[Path] = []
    rows: dict[str, dict[str, int]] = {}
    layers: list[City] = []
    for spec in specs:
        city = build_city(spec.seed, spec.place)
        model = CrimeModel(city, spec.seed, window, spec.scale)
        crimes = CrimeWriter(city, model, police)
        searches = SearchWriter(city, spec.seed, window, spec.scale, police)
        for i, month in enumerate(window):
            files.extend(crimes.write_month(i))
            files.append(searches.write_month(i))
            if on_month:
                on_month(spec, month)
        rows[spec.slug] = {"street": crimes.stats.street_rows, "outcomes": crimes.stats.outcome_rows,
                           "stop-and-search": searches.rows}
        layers.append(replace(city, points=None, outline=None))  # the areas only: the rest can go
    demo = NationalDemo(root, seed, scale, window, specs, files, rows)
    if reference:
        demo.reference = _write_reference(_combine(layers), root)
    write_text(root / "forces.json", json.dumps([
        {"number": s.number, "force": s.slug, "name": s.place.force_name, "residents": s.residents,
         "boroughs": list(s.place.boroughs), "lsoas": s.place.n_lsoa, "centre_bng": list(s.place.centre),
         "rows": rows[s.slug]} for s in specs], indent=2) + "\n")
    demo.seconds = time.perf_counter() - started
    return demo


@dataclass
class NationalBuild:
    demo: NationalDemo
    report: object  # openbeat.ingest.IngestReport
    reference: object | None = None  # openbeat.ingest.reference.LoadReport
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.report.ok and (self.reference is None or not self.reference.failed)


def build_national(lake, out_dir: str | Path, *, forces: int = 43, seed: int = DEFAULT_SEED,
                   months: int = DEFAULT_MONTHS, end: str = DEFAULT_END, scale: float = 1.0,
                   on_month: Callable[[ForceSpec, str], None] | None = None,
                   on_file: Callable | None = None) -> NationalBuild:
    """:func:`generate_national`, then ingest the CSVs and load the national areas into ``lake``."""
    from openbeat.ingest import ingest_paths
    from openbeat.ingest.reference import load_reference

    started = time.perf_counter()
    demo = generate_national(out_dir, forces=forces, seed=seed, months=months, end=end, scale=scale,
                             on_month=on_month)
    report = ingest_paths(demo.files, lake=lake, on_file=on_file)
    out = Path(out_dir)
    ref = load_reference([out / "boundaries", out / "lookups", out / "population"], lake=lake)
    return NationalBuild(demo, report, ref, time.perf_counter() - started)


# ---- helpers ------------------------------------------------------------------------


def _remove_stale(police: Path, window: list[str], slugs: set[str]) -> None:
    """Remove these forces' files of months outside the window (from an earlier, longer run)."""
    for month_dir in police.iterdir():
        if not month_dir.is_dir() or month_dir.name in window:
            continue
        for f in month_dir.glob("*.csv"):
            name = parse_file_name(f.name)
            if name is not None and name.force in slugs:
                f.unlink()
        if not any(month_dir.iterdir()):
            month_dir.rmdir()


def _combine(cities: list[City]) -> City:
    """One City holding every force's areas, parent indices offset (for the national files)."""
    def cat(values):
        return np.concatenate(values) if values else np.empty(0)

    b_off = np.cumsum([0] + [len(c.boroughs) for c in cities])
    w_off = np.cumsum([0] + [len(c.wards) for c in cities])
    m_off = np.cumsum([0] + [len(c.msoas) for c in cities])

    def layer(get, extras: dict[str, Callable[[City, int], np.ndarray]]) -> Areas:
        parts = [get(c) for c in cities]
        return Areas(
            [x for a in parts for x in a.code], [x for a in parts for x in a.name],
            np.array([g for a in parts for g in a.geom], dtype=object),
            cat([a.borough + b_off[k] for k, a in enumerate(parts)]),
            {key: cat([f(c, k) for k, c in enumerate(cities)]) for key, f in extras.items()},
        )

    same = {name: (lambda key: lambda c, k: c.lsoas.extra[key])(name) for name in ("pop", "age", "eth")}
    lsoas = layer(lambda c: c.lsoas, {"ward": lambda c, k: c.lsoas.extra["ward"] + w_off[k],
                                      "msoa": lambda c, k: c.lsoas.extra["msoa"] + m_off[k], **same})
    lsoas11 = layer(lambda c: c.lsoas11, {"msoa": lambda c, k: c.lsoas11.extra["msoa"] + m_off[k],
                                          "pop": lambda c, k: c.lsoas11.extra["pop"],
                                          "age": lambda c, k: c.lsoas11.extra["age"]})
    return City(
        outline=None, boroughs=layer(lambda c: c.boroughs, {}),
        wards=layer(lambda c: c.wards, {"nbhd": lambda c, k: c.wards.extra["nbhd"]}),
        msoas=layer(lambda c: c.msoas, {}), lsoas=lsoas, lsoas11=lsoas11,
        changes=[ch for c in cities for ch in c.changes], points=None, roles={}, hotspots={},
    )


def _write_reference(country: City, root: Path) -> dict[str, Path]:
    refs = {f"boundaries/{name}": path for name, path in write_boundaries(country, root / "boundaries").items()}
    refs["lookup"] = write_lookup(country, root / "lookups")
    for name, path in write_population(country, root / "population").items():
        refs[f"population/{name}"] = path
    # the mid-year writer names its file after Northbridge; this one is the country's
    mid = refs["population/mid_year_lsoa11"]
    refs["population/mid_year_lsoa11"] = mid.replace(mid.with_name("national-mid2020-pop.csv"))
    return refs


def _synthetic_note(specs: list[ForceSpec], seed: int, window: list[str], scale: float) -> str:
    return f"""SYNTHETIC DATA — NOT REAL

Everything in this folder was generated by `openbeat demo --forces {len(specs)}`
(openbeat.demo.national.generate_national) with seed {seed}, months {window[0]} to
{window[-1]}, scale {scale}.

The {len(specs)} forces ({specs[0].place.force_name} … {specs[-1].place.force_name}) are
fictional. Their cities lie in the North Sea, so no coordinate is a real place; every
area code starts with X, and their sizes follow the residents of England and Wales's
43 territorial forces (forces.json). Each is made as the demo city Northbridge is
(openbeat/demo/README.md); the same seed always gives the same bytes.
"""
