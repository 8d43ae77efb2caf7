"""`openbeat analyse <method>`: figures from the lake as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys

import click
from rich.console import Console
from rich.table import Table

from openbeat.analytics.result import Result, jsonable
from openbeat.analytics.store import BadPeriod, Store, UnknownArea
from openbeat.cli.options import lake_option


def common(f):
    """--area, --from, --to, --format and --lake, shared by every method."""
    f = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                     show_default=True, help="csv writes the main table only.")(f)
    f = click.option("--to", "last", metavar="YYYY-MM", help="Last month [default: the latest in the lake].")(f)
    f = click.option("--from", "first", metavar="YYYY-MM", help="First month [default: 12 months to --to].")(f)
    return lake_option(f)


@click.group()
def analyse():
    """Compute figures from the lake: profiles, hotspots, stop and search, trust, targeting …

    Every method takes --area (an LSOA 2021, ward or borough code, or a force slug),
    --from/--to and --format table|json|csv.

    Example:

        openbeat analyse profile --area E05013660 --from 2024-03 --to 2025-02
    """


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Ward, borough or LSOA 2021 code, or a force slug.")
@common
def profile(area, lake, first, last, fmt):
    """Crimes per type and month, rates, harm, outcomes and change against a year earlier

    Example:

        openbeat analyse profile --area northbridge --format json
    """
    from openbeat.analytics.profiles import area_profile

    _emit(lambda store: area_profile(store, area, first, last), lake, fmt)


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Ward, borough or LSOA 2021 code, or a force slug.")
@click.option("--crime-type", metavar="TYPE", help="One police.uk crime type [default: all crime except ASB].")
@click.option("--by", type=click.Choice(["grid", "lsoa"]), default="grid", show_default=True)
@click.option("--cell-size", type=click.FloatRange(min=50), default=250.0, show_default=True, help="Metres.")
@click.option("--permutations", type=click.IntRange(min=0), default=9999, show_default=True)
@click.option("--geojson", "geojson_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the map (cells with z, p, q, class) as GeoJSON here.")
@common
def hotspots(area, crime_type, by, cell_size, permutations, geojson_path, lake, first, last, fmt):
    """Getis-Ord Gi* hot spots on a grid or on LSOAs, with FDR-controlled classes and concentration

    Example:

        openbeat analyse hotspots --area X09000001 --crime-type "Violence and sexual offences" --geojson hot.geojson
    """
    from openbeat.analytics.hotspots import hotspots as compute

    def run(store):
        result = compute(store, area, first, last, crime_type=crime_type, cell_size=cell_size, by=by,
                         permutations=permutations)
        if geojson_path:
            with open(geojson_path, "w") as fh:
                json.dump(result.geojson, fh)
        return result

    _emit(run, lake, fmt)


@analyse.command()
@click.option("--level", type=click.Choice(["ward", "borough", "lsoa21"]), default="ward", show_default=True)
@click.option("--within", metavar="CODE", help="Only the areas inside this borough or force.")
@click.option("--crime-type", metavar="TYPE", help="One police.uk crime type [default: all crime except ASB].")
@click.option("--overdispersion", is_flag=True, help="Widen the limits by Spiegelhalter's phi.")
@common
def compare(level, within, crime_type, overdispersion, lake, first, last, fmt):
    """Crime rates per 1,000 residents of every area, with funnel-plot limits

    Example:

        openbeat analyse compare --level ward --within X09000001 --crime-type Burglary
    """
    from openbeat.analytics.comparison import compare_areas

    _emit(lambda store: compare_areas(store, level, within, first, last, crime_type=crime_type,
                                      overdispersion=overdispersion), lake, fmt)


def _emit(compute, lake, fmt: str) -> None:
    try:
        result: Result = compute(Store(lake))
    except (UnknownArea, BadPeriod, ValueError) as e:
        raise click.ClickException(str(e)) from e
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    elif fmt == "csv":
        rows = jsonable(result.main_table)
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        _print(result)


def _print(result: Result) -> None:
    console = Console(width=max(Console().width, 120))
    console.print(f"[bold]{result.title}[/]", highlight=False)
    for key, value in jsonable(result.summary).items():
        if isinstance(value, dict) and "summary" in value:
            value = value["summary"]
        if isinstance(value, (dict, list)) or value is None:
            continue
        console.print(f"  {key.replace('_', ' ')}: {_fmt(value)}", highlight=False)
    rows = jsonable(result.main_table)
    if rows:
        table = Table()
        for col in rows[0]:
            table.add_column(col.replace("_", " "), justify="left" if isinstance(rows[0][col], str) else "right")
        for r in rows:
            table.add_row(*(_fmt(v) for v in r.values()))
        console.print(table)
    for note in result.notes:
        console.print(f"  • {note}", highlight=False, style="dim")
    console.print("  Sources: " + "; ".join(result.sources), highlight=False, style="dim")
    console.print(f"  {result.licence}", highlight=False, style="dim")


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v != 0 and abs(v) < 0.001:
            return f"{v:.1e}"
        return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


COMMANDS = [analyse]
