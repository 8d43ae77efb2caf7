"""Loading reference data: ``openbeat reference load`` (boundaries, lookups, population,
PAS, ward crime, postcodes), through :func:`openbeat.ingest.reference.load_reference`."""

from __future__ import annotations

import sys

import click

from openbeat.cli.options import lake_option


@click.group()
def reference():
    """Load boundaries, lookups, population, PAS, ward crime and postcodes

    Example:

        openbeat reference load ../shared/data/boundaries ../shared/data/lookups
    """


@reference.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@lake_option(must_exist=False)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and errors.")
def reference_load(paths, lake, quiet):
    """Load boundary, lookup, census, PAS, ward-crime and postcode files (or folders of them)

    Each file is recognised by its fields or header, not its name: shapefile, GeoJSON,
    GeoPackage or MapInfo TAB boundaries (LSOA 2011/2021, MSOA, wards, boroughs); ONS
    LSOA 2021 → ward → LAD lookups; Census 2021 TS007A and ethnic group; mid-year LSOA
    estimates; MOPAC PAS; MPS ward-level crime; ONS Postcode Directory. Afterwards
    approximate wards, the best-fit LSOA 2011 → 2021 lookup and the web map versions
    are rebuilt. A file that is none of these is an error.

    Example:

        openbeat reference load boundaries/ lookups/ population/ mopac_pas/ --lake data/lake
    """
    from rich.console import Console

    from openbeat.ingest.reference import load_reference

    err = Console(stderr=True)

    def on_file(lf):
        if lf.status == "failed":
            err.print(f"[red]✗[/] {lf.message}", highlight=False)
        elif not quiet and lf.status == "skipped":
            err.print(f"[yellow]–[/] {lf.message}", highlight=False)
        elif not quiet:
            msg = f" ({lf.message})" if lf.message else ""
            err.print(f"[green]✓[/] {lf.path}: {lf.rows:,} rows → {lf.dataset}{msg}", highlight=False)

    report = load_reference(list(paths), lake=lake, on_file=on_file,
                            progress=None if quiet else (lambda s: err.print(f"  {s}", highlight=False)))
    loaded = [f for f in report.files if f.status == "loaded"]
    click.echo(f"{len(report.files)} files: {len(loaded)} loaded, "
               f"{sum(f.status == 'skipped' for f in report.files)} skipped, {len(report.failed)} failed; "
               f"lake {lake.root}")
    rb = report.rebuild
    if rb is not None:
        click.echo("areas: " + ", ".join(f"{n:,} {lvl}" for lvl, n in sorted(rb.levels.items()))
                   + (f" ({rb.approximate_wards:,} wards dissolved from LSOAs, approximate)"
                      if rb.approximate_wards else ""))
        for lvl, (tol, size, budget) in sorted((rb.web or {}).items()):
            click.echo(f"web {lvl}: {size / 1e6:.2f} MB GeoJSON (budget {budget / 1e6:.1f} MB), "
                       f"simplified at {tol:g} m")
        for note in rb.notes or []:
            click.echo(f"note: {note}")
    if not report.files:
        raise click.ClickException("no reference files found in " + ", ".join(paths))
    if report.failed:
        sys.exit(1)


COMMANDS = [reference]
