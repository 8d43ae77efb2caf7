"""Commands about loaded areas: ``areas list``, ``areas geojson``, ``locate``.

Loading them is ``openbeat reference load`` (:mod:`openbeat.cli.reference_commands`);
``areas load`` stays as a hidden, deprecated alias of it.
"""

from __future__ import annotations

import json

import click

from openbeat.cli.options import lake_option
from openbeat.cli.reference_commands import reference_load


@click.group()
def areas():
    """The loaded areas: list them, write their boundaries as GeoJSON

    Load them (and the other reference data) with `openbeat reference load`.

    Example:

        openbeat areas list
    """


#: The old name, hidden from help: says it is deprecated (on stderr) and runs `reference load`.
areas.add_command(click.Command("load", params=reference_load.params, callback=reference_load.callback, hidden=True,
                                help=reference_load.help, deprecated="Use `openbeat reference load`."))


@areas.command("list")
@lake_option
def areas_list(lake):
    """Show how many areas of each level are loaded, and from where

    Example:

        openbeat areas list --lake data/lake
    """
    from rich.console import Console
    from rich.table import Table

    from openbeat.geo.refdata import read_reference

    t = read_reference(lake, "areas", columns=["level", "vintage", "approximate", "source"])
    if t is None:
        raise click.ClickException(f"no areas in {lake.root}; load some with: openbeat reference load PATH")
    counts: dict[tuple, int] = {}
    for row in zip(*(t[c].to_pylist() for c in ("level", "vintage", "approximate", "source"))):
        counts[row] = counts.get(row, 0) + 1
    table = Table(title=f"Areas in {lake.root}")
    for c in ("level", "vintage", "approximate", "source", "areas"):
        table.add_column(c, justify="right" if c == "areas" else "left")
    for (lvl, vin, approx, src), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][3]))):
        table.add_row(lvl, vin or "", "yes" if approx else "no", src or "", f"{n:,}")
    Console().print(table)


@areas.command("geojson")
@click.argument("level", type=click.Choice(["lsoa11", "lsoa21", "msoa21", "ward", "borough"]))
@lake_option
@click.option("--borough", metavar="CODE", help="Only areas in this borough (GSS code).")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File to write [default: stdout].")
def areas_geojson(level, lake, borough, output):
    """Write the simplified WGS84 web layer of one level as a GeoJSON FeatureCollection

    Example:

        openbeat areas geojson ward --borough E09000007 -o camden-wards.geojson
    """
    import pyarrow.compute as pc

    from openbeat.geo.refdata import read_reference
    from openbeat.geo.simplify import feature_collection

    t = read_reference(lake, "areas", columns=["level", "code", "name", "borough_code", "geometry_web"])
    if t is None:
        raise click.ClickException(f"no areas in {lake.root}; load some with: openbeat reference load PATH")
    t = t.filter(pc.equal(t["level"], level))
    if borough:
        t = t.filter(pc.equal(t["borough_code"], borough))
    if t.num_rows == 0:
        raise click.ClickException(f"no {level} areas loaded" + (f" in borough {borough}" if borough else ""))
    output.write(feature_collection(t["code"].to_pylist(), t["name"].to_pylist(), t["geometry_web"].to_pylist()))


@click.command()
@click.argument("query")
@lake_option
@click.option("--online", is_flag=True, envvar="OPENBEAT_ONLINE", show_envvar=True,
              help="Ask postcodes.io for postcodes not in the loaded directory.")
@click.option("--postcodes-io-url", envvar="OPENBEAT_POSTCODES_IO_URL", show_envvar=True, default=None,
              help="postcodes.io base URL [default: https://api.postcodes.io].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def locate(query, lake, online, postcodes_io_url, as_json):
    """Find the LSOA, ward, borough and neighbourhood of a point or postcode

    QUERY is "lat,lon" (WGS84), "easting,northing" (British National Grid) or a UK
    postcode, looked up in the loaded ONS Postcode Directory or, with --online, on
    postcodes.io.

    Example:

        openbeat locate 51.5074,-0.1278
        openbeat locate "N13 4PN" --online
    """
    from openbeat.locate import LocateError
    from openbeat.locate import locate as locate_lib

    try:
        res = locate_lib(lake, query, online=online or bool(postcodes_io_url), postcodes_io_url=postcodes_io_url)
    except LocateError as e:
        raise click.ClickException(str(e)) from e
    except Exception as e:
        # Imported only now: the ingest package costs a coordinate look-up ~50 ms to load.
        from openbeat.ingest.errors import IngestError

        if isinstance(e, IngestError):
            raise click.ClickException(str(e)) from e
        raise
    if res["status"] == "no_areas" and not res.get("postcodes_io_codes"):  # not "outside": nothing to be inside of
        raise click.ClickException("no boundaries are loaded in this lake, so no point can be located; load them "
                                   "first, e.g. `openbeat reference load ../shared/data/boundaries "
                                   "../shared/data/lookups`")
    if as_json:
        click.echo(json.dumps(res, indent=2, ensure_ascii=False))
        return
    where = f"{res['latitude']:.6f}, {res['longitude']:.6f} (E {res['easting']:.0f}, N {res['northing']:.0f})"
    click.echo(f"{res['postcode'] + ' → ' if res['postcode'] else ''}{where} [{res['source']}]")
    for label, key in (("LSOA 2021", "lsoa21"), ("MSOA 2021", "msoa21"), ("Ward", "ward"),
                       ("Borough", "borough"), ("Neighbourhood", "neighbourhood")):
        v = res.get(key)
        if v is None:
            text = "not loaded" if key == "neighbourhood" and not res["neighbourhoods_loaded"] else "—"
        else:
            code = v.get("code") or v.get("id")
            text = f"{code} {v.get('name') or ''}".rstrip()
            if v.get("approximate"):
                text += " (shape approximate: dissolved from LSOAs)"
        click.echo(f"  {label:<14} {text}")
    if res["status"] == "outside_area":
        click.echo("  (outside the loaded areas)")
    elif res["status"] == "no_areas":
        click.echo("  (no boundaries are loaded: the codes above are postcodes.io's)")


COMMANDS = [areas, locate]
