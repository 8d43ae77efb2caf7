"""`openbeat analyse <method>`: figures from the lake as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys

import click

from openbeat.cli.options import lake_option


def _format(f):
    f = click.option("--table", "table", metavar="NAME", default=None,
                     help="The table to print or write as CSV [default: the first].")(f)
    return click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                        show_default=True, help="csv writes one table (see --table).")(f)


def common(f):
    """--from, --to, --format, --table and --lake, shared by every method."""
    f = _format(f)
    f = click.option("--to", "last", metavar="YYYY-MM",
                     help="Last month [default: the latest the area's own forces published].")(f)
    f = click.option("--from", "first", metavar="YYYY-MM", help="First month [default: 12 months to --to].")(f)
    return lake_option(f)


def lake_and_format(f):
    return lake_option(_format(f))


@click.group()
def analyse():
    """Compute figures from the lake: profiles, hotspots, stop and search, trust, targeting …

    Every method takes --area (an LSOA 2021, ward or borough code, or a force slug),
    --from/--to and --format table|json|csv.

    Example:

        openbeat analyse profile --area E05013660 --from 2024-03 --to 2025-02
    """


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Ward, borough or LSOA 2021 code, or a force slug or name.")
@click.option("--force", metavar="SLUG", help="Only this force's crimes (e.g. the Met's apart from BTP's).")
@common
def profile(area, force, lake, first, last, fmt, table):
    """Crimes per type and month, rates, harm, outcomes and change against a year earlier

    Change compares only months every force counted here published in both periods, or
    is declined with the force and months missing (table by_force splits it by force).

    Example:

        openbeat analyse profile --area E09000007 --force metropolitan --format json
    """
    from openbeat.analytics.profiles import area_profile

    _emit(lambda store: area_profile(store, area, first, last, force=force), lake, fmt, table, resident=False,
          areas=(area,), force=force)


def _check_permutations(ctx, param, value: int) -> int:
    # the library's rule (openbeat.analytics.hotspots), said before anything is computed
    if value != 0 and not 249 <= value <= 99_999:
        raise click.BadParameter(f"{value} is neither 0 nor between 249 and 99,999")
    return value


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Ward, borough or LSOA 2021 code, or a force slug.")
@click.option("--crime-type", metavar="TYPE", help="One police.uk crime type [default: all crime except ASB].")
@click.option("--by", type=click.Choice(["grid", "lsoa"]), default="grid", show_default=True)
@click.option("--cell-size", type=click.FloatRange(min=50), default=250.0, show_default=True, help="Metres.")
@click.option("--permutations", type=int, default=9999, show_default=True, callback=_check_permutations,
              help="Conditional permutations behind each p-value: 0 (the analytical z-scores alone), or 249 "
                   "to 99,999.")
@click.option("--geojson", "geojson_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the map (cells with z, p, q, class) as GeoJSON here.")
@common
def hotspots(area, crime_type, by, cell_size, permutations, geojson_path, lake, first, last, fmt, table):
    """Getis-Ord Gi* hot spots on a grid or on LSOAs, with FDR-controlled classes and concentration

    Example:

        openbeat analyse hotspots --area X09000001 --crime-type "Violence and sexual offences" --geojson hot.geojson
    """
    from openbeat.analytics.hotspots import hotspots as compute

    if geojson_path:
        _check_writable(geojson_path)  # before the permutations, not after them

    def run(store):
        result = compute(store, area, first, last, crime_type=crime_type, cell_size=cell_size, by=by,
                         permutations=permutations)
        if geojson_path:
            try:
                with open(geojson_path, "w") as fh:
                    json.dump(result.geojson, fh)
            except OSError as e:
                raise click.ClickException(f"cannot write {geojson_path}: {e.strerror}") from e
        return result

    _emit(run, lake, fmt, table, areas=(area,))


@analyse.command()
@click.option("--level", type=click.Choice(["ward", "borough", "lsoa21"]), default="ward", show_default=True)
@click.option("--within", metavar="CODE", help="Only the areas inside this borough or force.")
@click.option("--crime-type", metavar="TYPE", help="One police.uk crime type [default: all crime except ASB].")
@click.option("--overdispersion/--poisson", default=None,
              help="Limits widened by Spiegelhalter's phi, or plain Poisson [default: widened when phi > 1].")
@common
def compare(level, within, crime_type, overdispersion, lake, first, last, fmt, table):
    """Crime rates per 1,000 residents of every area, with funnel-plot limits

    Example:

        openbeat analyse compare --level ward --within X09000001 --crime-type Burglary
    """
    from openbeat.analytics.comparison import compare_areas

    _emit(lambda store: compare_areas(store, level, within, first, last, crime_type=crime_type,
                                      overdispersion=overdispersion), lake, fmt, table,
          areas=(within,))


@analyse.command("stop-search")
@click.option("--area", required=True, metavar="CODE", help="Force slug, borough or ward code.")
@click.option("--ward-denominators", type=click.Choice(["decline", "borough_shares"]), default="decline",
              show_default=True, help="Census ethnicity exists by borough only: decline ward rates, or "
              "apply the borough's shares (marked approximate).")
@common
def stop_search(area, ward_denominators, lake, first, last, fmt, table):
    """Stop and search: rates by ethnic group, disproportionality with Katz intervals, find and arrest rates

    Example:

        openbeat analyse stop-search --area metropolitan --from 2023-04 --to 2024-03
    """
    from openbeat.analytics.stopsearch import stop_search as compute

    _emit(lambda store: compute(store, area, first, last, ward_denominators=ward_denominators), lake, fmt, table,
          areas=(area,))


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Borough or ward code, or a force slug.")
@click.option("--responses", type=click.Path(exists=True, dir_okay=False),
              help="CSV of survey responses (ward_code, measure, yes, n) for ward estimates.")
@click.option("--measure", help="The PAS measure of the headline and the ward estimates; the tables show every "
                                "measure [default: Trust MPS, or the first the PAS loaded has].")
@common
def trust(area, responses, measure, lake, first, last, fmt, table):
    """Trust and confidence: the Public Attitude Survey series, and ward estimates shrunk toward the borough

    Example:

        openbeat analyse trust --area E09000007 --measure "Trust MPS"
    """
    from openbeat.analytics.trust import trust as compute

    _emit(lambda store: compute(store, area, first, last, responses=responses, measure=measure), lake, fmt, table,
          areas=(area,))


@analyse.command()
@click.option("--level", type=click.Choice(["ward", "borough"]), default="ward", show_default=True)
@click.option("--within", metavar="CODE", help="Only the areas inside this borough or force.")
@click.option("--responses", type=click.Path(exists=True, dir_okay=False), help="Survey responses CSV for ward trust.")
@common
def targeting(level, within, responses, lake, first, last, fmt, table):
    """Highest crime, lowest trust: areas ranked on harm rate and trust, classed only beyond chance

    Example:

        openbeat analyse targeting --level borough
    """
    from openbeat.analytics.targeting import targeting as compute

    _emit(lambda store: compute(store, level, within, first, last, responses=responses), lake, fmt, table,
          areas=(within,))


@analyse.command()
@click.option("--within", required=True, metavar="CODE", help="The borough (or force) whose wards share the officers.")
@click.option("--officers", required=True, type=click.IntRange(min=0), help="Dedicated ward officers to place.")
@click.option("--pcsos", required=True, type=click.IntRange(min=0), help="PCSOs to place.")
@click.option("--trust-weight", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Weight need by trust deficit (0: harm only).")
@click.option("--min-officers", type=click.IntRange(min=0), default=2, show_default=True)
@click.option("--min-pcsos", type=click.IntRange(min=0), default=1, show_default=True)
@common
def allocate(within, officers, pcsos, trust_weight, min_officers, min_pcsos, lake, first, last, fmt, table):
    """Share officers and PCSOs among wards: everyone's minimum first, the rest by need

    Example:

        openbeat analyse allocate --within X09000001 --officers 60 --pcsos 30
    """
    from openbeat.analytics.allocation import allocation_plan

    _emit(lambda store: allocation_plan(store, within, officers, pcsos, trust_weight=trust_weight,
                                        minimum_officers=min_officers, minimum_pcsos=min_pcsos,
                                        first=first, last=last), lake, fmt, table, areas=(within,))


def _did_it_work_options(f):
    f = lake_and_format(f)
    for option in reversed([
        click.option("--area", required=True, metavar="CODE", help="The ward where the action happened."),
        click.option("--start", required=True, metavar="YYYY-MM", help="The month the action started."),
        click.option("--crime-type", metavar="TYPE", help="The crime the action targeted [default: all crime]."),
        click.option("--before-months", type=click.IntRange(min=1), default=12, show_default=True),
        click.option("--after-months", type=click.IntRange(min=1), help="[default: up to the latest month]"),
    ]):
        f = option(f)
    return f


def _did_it_work(area, start, crime_type, before_months, after_months, lake, fmt, table):
    from openbeat.analytics.did_it_work import did_it_work

    _emit(lambda store: did_it_work(store, area, start, crime_type, before_months=before_months,
                                    after_months=after_months), lake, fmt, table, areas=(area,))


@analyse.command("did-it-work")
@_did_it_work_options
def did_it_work(**kwargs):
    """Did it work? Before/after against comparison wards, and the weighted displacement difference

    Example:

        openbeat analyse did-it-work --area X05000030 --start 2025-01 --crime-type Burglary
    """
    _did_it_work(**kwargs)


@analyse.command("evaluate", hidden=True, deprecated=True)
@_did_it_work_options
def evaluate(**kwargs):
    """The old name of openbeat analyse did-it-work, kept so that old scripts still run"""
    _did_it_work(**kwargs)


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="A force slug or a borough code.")
@click.option("--measure", default="Trust MPS", show_default=True, help="The PAS trust measure.")
@click.option("--responses", type=click.Path(exists=True, dir_okay=False), help="Survey responses CSV for ward trust.")
@click.option("--force", metavar="SLUG", help="Count only this force's crimes (e.g. the Met's apart from BTP's).")
@common
def scorecard(area, measure, responses, force, lake, first, last, fmt, table):
    """The progress scorecard: trust, crime and stop-search standards for every borough and ward

    Example:

        openbeat analyse scorecard --area northbridge --format csv --table wards
    """
    from openbeat.analytics.scorecard import scorecard as compute

    _emit(lambda store: compute(store, area, first, last, measure=measure, responses=responses, force=force), lake,
          fmt, table, areas=(area,), force=force)


@analyse.command()
@click.option("--area", required=True, metavar="CODE", help="Ward or borough code, or metropolitan for the whole Met.")
@common
def vawg(area, lake, first, last, fmt, table):
    """Violence against women and girls: rape, sexual offences, stalking and harassment

    Counts by month and over the period from the Met's ward-level recorded crime, rates
    per 1,000 female residents, change against a year earlier, a funnel comparison with
    the area's peers (table peers) and police.uk outcomes of violence and sexual offences
    (table outcomes), and hot spots of those crimes (table hotspots; police.uk has no time of
    day). A rise in recorded offences can mean more victims came forward.

    Example:

        openbeat analyse vawg --area E09000007 --format csv --table by_month
    """
    from openbeat.analytics.vawg import vawg as compute

    # no areas=: the violence figures name their own areas (the ward crime file's wards and boroughs)
    _emit(lambda store: compute(store, area, first, last), lake, fmt, table)


def _check_writable(path: str) -> None:
    """Stop with a plain error when ``path`` cannot be written, naming the path and why."""
    import os

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise click.ClickException(f"cannot write {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise click.ClickException(f"cannot write {path}: it is a folder")
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        raise click.ClickException(f"cannot write {path}: permission denied")


def _check_codes(store, areas: tuple, force: str | None) -> None:
    """Stop with the reason when --area/--within or --force names nothing the figures can use:
    an area loaded at a level the figures are not given for (an MSOA) is named as such, not
    called unloaded, and an unknown --force is called a force, not an area."""
    from openbeat.analytics.store import UnknownArea
    from openbeat.geo.levels import COUNTED_LEVELS, LEVEL_NAMES

    for code in filter(None, areas):
        try:
            store.area(code)
        except UnknownArea as e:
            found = store.has("areas") and store.cursor().execute(
                "SELECT name, level FROM areas WHERE code = ? LIMIT 1", [code]).fetchone()
            if not found:
                raise click.ClickException(str(e)) from e
            name, level = found
            levels = ", ".join(_lower_first(LEVEL_NAMES[lv]) for lv in reversed(COUNTED_LEVELS))
            raise click.ClickException(f"{name} ({code}) is a {_lower_first(LEVEL_NAMES.get(level, level))}; "
                                       f"these figures are given for: {levels}") from e
    if force:
        try:
            store.area(force)
        except UnknownArea as e:
            slugs = ", ".join(slug for slug, _ in store.force_names()) or "none"
            raise click.ClickException(f"no force {force!r} in the lake; its forces are: {slugs}") from e


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _emit(compute, lake, fmt: str, table: str | None = None, *, resident: bool = True, areas: tuple = (),
          force: str | None = None) -> None:
    """Compute, then print; ``resident=False`` for one area's figures (see Store); ``areas`` and
    ``force``, the codes given, are checked first (:func:`_check_codes`)."""
    from openbeat.analytics.result import Result, jsonable
    from openbeat.analytics.store import BadPeriod, Store, UnknownArea

    store = Store(lake, resident=resident)
    _check_codes(store, areas, force)
    try:
        result: Result = compute(store)
    except (UnknownArea, BadPeriod, ValueError) as e:
        raise click.ClickException(str(e)) from e
    if table is not None and table not in result.tables:
        raise click.ClickException(f"no table {table!r}; this method gives: {', '.join(result.tables)}")
    chosen = result.tables[table] if table else result.main_table
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    elif fmt == "csv":
        rows = jsonable(chosen)
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        _print(result, chosen)


def _print(result, chosen: list) -> None:
    from rich.console import Console
    from rich.table import Table

    from openbeat.analytics.result import jsonable

    console = Console(width=max(Console().width, 120))
    console.print(f"[bold]{result.title}[/]", highlight=False)
    for key, value in jsonable(result.summary).items():
        if isinstance(value, dict) and "summary" in value:
            value = value["summary"]
        if isinstance(value, (dict, list)) or value is None:
            continue
        shown = str(value) if key in _IDENTIFIERS else _fmt(value)
        console.print(f"  {key.replace('_', ' ')}: {shown}", highlight=False)
    rows = jsonable(chosen)
    if rows:
        cells = [[str(v) if k in _IDENTIFIERS else _fmt(v) for k, v in r.items()] for r in rows]
        # the narrowest each column can be without cutting a word (rich cuts, and then blanks, below that)
        words = [max(len(w) for text in (col.replace("_", " "), *(r[j] for r in cells)) for w in text.split() or [""])
                 for j, col in enumerate(rows[0])]
        table = Table()
        for col, least in zip(rows[0], words):
            table.add_column(col.replace("_", " "), justify="left" if isinstance(rows[0][col], str) else "right",
                             min_width=least)
        for r in cells:
            table.add_row(*r)
        if sum(words) + 3 * len(words) + 1 <= console.width:
            console.print(table)
        else:  # squeezed, every cell would be blank or "…": one block per row instead
            _print_blocks(console, list(rows[0]), cells)
    for note in result.notes:
        console.print(f"  • {note}", highlight=False, style="dim")
    console.print("  Sources: " + "; ".join(result.sources), highlight=False, style="dim")
    console.print(f"  {result.licence}", highlight=False, style="dim")


def _print_blocks(console, columns: list[str], cells: list[list[str]]) -> None:
    console.print(f"  {len(columns)} columns do not fit in {console.width} characters: one block per row "
                  "(--format csv gives the table).", highlight=False)
    labels = [c.replace("_", " ") for c in columns]
    wide = max(map(len, labels))
    for i, row in enumerate(cells, 1):
        console.print(f"\n  row {i} of {len(cells)}", highlight=False, style="bold")
        for label, value in zip(labels, row):
            console.print(f"    {label:<{wide}}  {value}", highlight=False, markup=False)


#: Numbers that name rather than count, printed without thousands separators.
_IDENTIFIERS = {"seed"}


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
