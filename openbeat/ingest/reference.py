"""One entry point for all reference data: ``openbeat reference load PATH...``.

Each file is recognised by its content — vector layers by their fields, CSVs by their
header — never by its name, and sent to its loader:

==================  ===========================================  =========================
kind                recognised by                                dataset(s)
==================  ===========================================  =========================
boundaries          a vector file (shp, gpkg, geojson, tab, fgb)  ``areas``
lsoa_wards          LSOA21CD + WDyyCD + LADyyCD                  ``lsoa_wards``
census              geography code + Age: Total (TS007A);        ``population``,
                    … Ethnic group … Code + Observation;         ``population_ethnicity``
                    LSOA11CD + Persons_All-Ages (mid-year)
pas                 Date;Survey;Borough;Measure;Proportion       ``pas``
ward_crime          MajorText, MinorText, WardCode, YYYYMM…      ``ward_crime``
postcodes           pcds/pcd + lat + long (ONSPD)                ``postcodes``
==================  ===========================================  =========================

Boundaries and lookups load first (the others resolve names and codes through them);
then derived areas, the LSOA 2011 → 2021 lookup, web geometry, the stop-search area
cache and the neighbourhood ↔ ward links are rebuilt once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openbeat.datasets import parse_file_name
from openbeat.geo.refdata import first_line
from openbeat.ingest import boundaries, census, lookups, pas, postcodes, ward_crime
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

ORDER = ("boundaries", "lsoa_wards", "census", "pas", "ward_crime", "postcodes")
CSV_SUFFIXES = (".csv", ".csv.gz")


@dataclass
class LoadedFile:
    path: str
    kind: str | None
    status: str  # loaded, skipped, failed
    dataset: str | None = None
    rows: int = 0
    message: str | None = None


@dataclass
class LoadReport:
    files: list[LoadedFile] = field(default_factory=list)
    rebuild: boundaries.RebuildReport | None = None
    stop_searches_located: int | None = None
    neighbourhood_links: int | None = None

    @property
    def failed(self) -> list[LoadedFile]:
        return [f for f in self.files if f.status == "failed"]


def _header(path: Path) -> list[str]:
    line = first_line(path)
    delim = ";" if line.count(";") > line.count(",") else ","
    return next(csv.reader([line], delimiter=delim), [])


def classify(path: str | Path) -> tuple[str, list[str]]:
    """(kind, header) of a reference file; raises :class:`IngestError` when unknown."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(boundaries.VECTOR_SUFFIXES):
        return "boundaries", []
    header = _header(path)
    if parse_file_name(path.name):
        raise IngestError(str(path), "a police.uk file, not reference data", hint="load it with: openbeat ingest")
    if lookups.is_lsoa_ward_lookup(header):
        return "lsoa_wards", header
    if census.kind_of(header):
        return "census", header
    if pas.is_pas(header):
        return "pas", header
    if ward_crime.is_ward_crime(header):
        return "ward_crime", header
    if postcodes.is_postcode_directory(header):
        return "postcodes", header
    shown = ", ".join(header[:8]) + (" …" if len(header) > 8 else "")
    raise IngestError(
        str(path), f"not a recognised reference file (header: {shown or 'empty'})",
        hint="expected boundaries (shp/gpkg/geojson/tab), an ONS LSOA→ward→LAD lookup, Census TS007A or "
             "ethnic group, mid-year LSOA estimates, MOPAC PAS, MPS ward crime, or an ONS postcode directory",
    )


def expand(paths: list[str | Path]) -> tuple[list[Path], list[LoadedFile]]:
    """Files named, and the reference files found in folders (sidecar files left out)."""
    out, notes = [], []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                n = f.name.lower()
                if f.is_file() and (n.endswith(boundaries.VECTOR_SUFFIXES) or n.endswith(CSV_SUFFIXES)):
                    if parse_file_name(f.name) or n == "manifest.csv":
                        continue
                    out.append(f)
        elif p.is_file():
            out.append(p)
        else:
            notes.append(LoadedFile(str(p), None, "failed", message=f"{p}: no such file or folder"))
    return out, notes


def load_reference(paths: list[str | Path], *, lake: Lake, rebuild: bool = True,
                   progress: Callable[[str], None] | None = None,
                   on_file: Callable[[LoadedFile], None] | None = None) -> LoadReport:
    """Load every reference file named (files or folders), then rebuild derived data."""
    say = progress or (lambda s: None)
    files, report_files = expand(paths)
    report = LoadReport(files=report_files)
    notify = on_file or (lambda lf: None)
    for f in report_files:
        notify(f)
    classified: list[tuple[int, Path, str, list[str]]] = []
    from_folder = {Path(p) for p in paths if Path(p).is_dir()}
    for f in files:
        try:
            kind, header = classify(f)
            classified.append((ORDER.index(kind), f, kind, header))
        except IngestError as e:
            inside = any(d in f.parents for d in from_folder)
            lf = LoadedFile(str(f), None, "skipped" if inside else "failed", message=str(e))
            report.files.append(lf)
            notify(lf)
    classified.sort(key=lambda t: t[0])
    lake.root.mkdir(parents=True, exist_ok=True)
    touched_geo = False
    with lake.lock():
        for _, f, kind, header in classified:
            try:
                lf = _load_one(lake, f, kind, header)
                touched_geo |= kind in ("boundaries", "lsoa_wards") and lf.status == "loaded"
            except IngestError as e:
                lf = LoadedFile(str(f), kind, "failed", message=str(e))
            report.files.append(lf)
            notify(lf)
        if rebuild and touched_geo:
            say("rebuilding derived areas")
            report.rebuild = boundaries.rebuild_areas(lake, progress=say)
            from openbeat.geo.neighbourhoods import link_lake_neighbourhoods
            from openbeat.geo.rollup import refresh_stop_search_areas

            report.stop_searches_located = refresh_stop_search_areas(lake)
            links = link_lake_neighbourhoods(lake)
            report.neighbourhood_links = None if links is None else links.num_rows
    return report


def _load_one(lake: Lake, f: Path, kind: str, header: list[str]) -> LoadedFile:
    if kind == "boundaries":
        layers, notes = boundaries.read_boundary_file(f)
        if not layers:
            return LoadedFile(str(f), kind, "skipped", message="; ".join(notes))
        n = boundaries.load_boundary_layers(lake, layers)
        levels = ", ".join(f"{len(l.codes):,} {l.spec.level} ({l.spec.vintage})" for l in layers)
        return LoadedFile(str(f), kind, "loaded", "areas", n, "; ".join([levels, *notes]))
    if kind == "lsoa_wards":
        return LoadedFile(str(f), kind, "loaded", "lsoa_wards", lookups.load_lsoa_ward_lookup(lake, f))
    if kind == "census":
        dataset, n = census.load_census_file(lake, f)
        return LoadedFile(str(f), kind, "loaded", dataset, n)
    if kind == "pas":
        return LoadedFile(str(f), kind, "loaded", "pas", pas.load_pas(lake, f))
    if kind == "ward_crime":
        return LoadedFile(str(f), kind, "loaded", "ward_crime", ward_crime.load_ward_crime(lake, f))
    if kind == "postcodes":
        return LoadedFile(str(f), kind, "loaded", "postcodes", postcodes.load_postcodes(lake, f, header))
    raise AssertionError(kind)
