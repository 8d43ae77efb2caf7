"""The demo command: generate the synthetic city Northbridge and load it into the lake."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from openbeat.cli.options import Deferred, lake_option

# The generator is imported only when the command runs (or shows its own help).
DEFAULT_END, DEFAULT_MONTHS, DEFAULT_SEED = (Deferred("openbeat.demo", n)
                                             for n in ("DEFAULT_END", "DEFAULT_MONTHS", "DEFAULT_SEED"))


def _month(ctx, param, value):
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value!r} is not a month; use YYYY-MM, e.g. 2025-12")
    return value


@click.command()
@lake_option(must_exist=False)
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the generated source files [default: northbridge-demo, or national-demo with "
                   "--forces, beside the lake].")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same bytes.")
@click.option("--months", type=click.IntRange(1, 120), default=DEFAULT_MONTHS, show_default=True,
              help="How many months of police.uk files.")
@click.option("--end", default=DEFAULT_END, show_default=True, metavar="YYYY-MM", callback=_month,
              help="The last month.")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Multiplies crime and search volumes; 9.5 is Met-sized. With --forces, the residents too.")
@click.option("--forces", type=click.IntRange(1, 79), default=None,
              help="Write this many synthetic forces instead of Northbridge, sized like England and Wales's: 43 "
                   "hold about 6 million street rows, 5 million outcomes and 0.6 million searches a year; fewer "
                   "are that many of them across the range of sizes.")
def demo(lake, out, seed, months, end, scale, forces):
    """Generate the synthetic demo force Northbridge and ingest it into the lake

    Writes a fictional force in police.uk's formats (street, outcomes and
    stop-and-search CSVs, plus boundaries, lookups, population, trust survey,
    postcodes and API responses), ingests the CSVs through the same pipeline as real
    data, and prints a summary of the lake. All of it is labelled synthetic. With
    --forces it writes that many fictional forces sized like England and Wales's
    instead, each with its own boundaries, wards and boroughs (a national-scale lake).

    Example:

        openbeat demo --lake data/lake --months 36 --end 2025-12

        openbeat demo --lake data/national --forces 43 --months 36
    """
    if forces is not None:
        _national(lake, out, seed, months, end, scale, forces)
        return

    from rich.console import Console
    from rich.progress import Progress

    from openbeat.demo import SYNTHETIC_LINE, build, lake_summary
    from openbeat.ingest import FileReport
    out_dir = Path(out) if out else lake.root.parent / "northbridge-demo"
    err = Console(stderr=True)
    err.print(f"Generating Northbridge ({months} months to {end}, seed {seed}, scale {scale:g}) in {out_dir} …",
              highlight=False)

    with Progress(console=err, transient=True) as progress:
        writing = progress.add_task("Writing months", total=months)
        ingesting = progress.add_task("Ingesting files", total=3 * months)

        def on_file(fr: FileReport) -> None:
            progress.advance(ingesting)
            if fr.status == "failed":
                progress.console.print(f"[red]✗[/] {fr.error}", highlight=False)

        result = build(lake, out_dir, seed=seed, months=months, end=end, scale=scale,
                       on_month=lambda month: progress.advance(writing), on_file=on_file)
    summary = lake_summary(lake)
    city = result.city
    span = f" ({summary.months[0]} to {summary.months[-1]})" if summary.months else ""
    click.echo(f"Northbridge demo: {len(summary.months)} months{span}, seed {seed}, scale {scale:g}")
    click.echo(f"  source files   {out_dir}")
    click.echo(f"  lake           {lake.root}")
    click.echo(f"  crimes         {summary.rows['crimes']:>10,} rows ({summary.asb:,} anti-social behaviour)")
    click.echo(f"  outcomes       {summary.rows['outcomes']:>10,} rows")
    click.echo(f"  stop_searches  {summary.rows['stop_searches']:>10,} rows")
    click.echo(f"  rejected       {summary.rejected:>10,} rows")
    click.echo("  top crime types: " + "; ".join(f"{t} {n:,}" for t, n in summary.top_crime_types))
    if result.reference is not None:
        ref = result.reference
        click.echo(f"  reference data {sum(1 for f in ref.files if f.status == 'loaded'):>10,} files loaded "
                   "(boundaries, lookups, population, trust survey, postcodes)")
    if result.neighbourhoods is not None:
        nb = result.neighbourhoods
        click.echo(f"  neighbourhoods {len(nb.loaded):>10,} loaded with their teams, events and priorities")
    click.echo(f"  generated in {city.seconds:.1f} s, built in {result.seconds:.1f} s")
    click.echo(SYNTHETIC_LINE)
    if not result.ok:
        sys.exit(1)


def _national(lake, out, seed, months, end, scale, forces):
    """``openbeat demo --forces N``: the national-scale demo (openbeat.demo.national)."""
    from rich.console import Console
    from rich.progress import Progress

    from openbeat.demo.national import build_national
    from openbeat.ingest import FileReport

    out_dir = Path(out) if out else lake.root.parent / "national-demo"
    err = Console(stderr=True)
    err.print(f"Generating {forces} synthetic forces ({months} months to {end}, seed {seed}, scale {scale:g}) "
              f"in {out_dir} …", highlight=False)
    with Progress(console=err, transient=True) as progress:
        writing = progress.add_task("Writing force-months", total=forces * months)
        ingesting = progress.add_task("Ingesting files", total=3 * forces * months)

        def on_file(fr: FileReport) -> None:
            progress.advance(ingesting)
            if fr.status == "failed":
                progress.console.print(f"[red]✗[/] {fr.error}", highlight=False)

        result = build_national(lake, out_dir, forces=forces, seed=seed, months=months, end=end, scale=scale,
                                on_month=lambda spec, month: progress.advance(writing), on_file=on_file)
    demo, totals = result.demo, result.report.totals()
    rows = demo.totals()
    click.echo(f"National demo: {forces} forces ({demo.forces[0].slug} … {demo.forces[-1].slug}), "
               f"{len(demo.months)} months ({demo.months[0]} to {demo.months[-1]}), seed {seed}, scale {scale:g}")
    click.echo(f"  source files   {out_dir}")
    click.echo(f"  lake           {lake.root}")
    for kind in ("street", "outcomes", "stop-and-search"):
        click.echo(f"  {kind:<15}{rows[kind]:>11,} rows written")
    click.echo(f"  loaded         {totals['rows_loaded']:>10,} rows, {totals['rows_rejected']:,} rejected")
    if result.reference is not None:
        click.echo(f"  reference data {sum(1 for f in result.reference.files if f.status == 'loaded'):>10,} files "
                   "loaded (boundaries, lookup, population)")
    click.echo(f"  generated in {demo.seconds:.1f} s, built in {result.seconds:.1f} s")
    click.echo("These data are SYNTHETIC: every force is fictional, generated by `openbeat demo --forces`; "
               "no row describes a real crime, search, place or person.")
    if not result.ok:
        sys.exit(1)


COMMANDS = [demo]
