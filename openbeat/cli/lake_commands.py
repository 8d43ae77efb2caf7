"""Commands over the lake: ingest, status, query."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime

import click

from openbeat.cli.options import lake_option


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@lake_option(must_exist=False)
@click.option("--force", "force", metavar="SLUG", help="Only this force's files, e.g. metropolitan.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and errors.")
def ingest(paths, lake, force, quiet):
    """Load police.uk CSVs, .csv.gz files, folders of them and archive zips into the lake

    Each file replaces its (dataset, force, month) partition atomically; a file already
    loaded is left alone. Bad rows go to the rejects dataset with the reason.

    Example:

        openbeat ingest 2024-03.zip --force metropolitan
    """
    from rich.console import Console

    from openbeat.ingest import FileReport, ingest_paths

    err = Console(stderr=True, soft_wrap=True)  # never break a path or message across lines

    def on_file(fr: FileReport) -> None:
        if fr.status == "failed":
            err.print(f"[red]✗[/] {fr.error}", highlight=False)
        elif not quiet:
            extra = f", {fr.rows_rejected:,} rejected" if fr.rows_rejected else ""
            if fr.unknown_crime_types:
                extra += f", {fr.unknown_crime_types:,} of a crime type police.uk does not use"
            err.print(f"[green]✓[/] {fr.source}: {fr.status} {fr.rows_loaded:,} rows{extra}", highlight=False)
            for ex in fr.reject_examples[:3]:
                err.print(f"    {ex}", highlight=False)

    report = ingest_paths(list(paths), lake=lake, force=force, on_file=on_file)
    t = report.totals()
    n_loaded = sum(1 for f in report.files if f.status == "loaded")
    n_same = sum(1 for f in report.files if f.status == "unchanged")
    click.echo(
        f"{len(report.files)} files: {n_loaded} loaded, {n_same} unchanged, {len(report.failed)} failed; "
        f"rows read {t['rows_read']:,}, loaded {t['rows_loaded']:,}, rejected {t['rows_rejected']:,}, "
        f"duplicate Crime IDs {t['duplicates']:,}; lake {lake.root}"
    )
    if not report.files:
        raise click.ClickException("no police.uk files found in " + ", ".join(paths))
    if not report.ok:
        sys.exit(1)


@click.command()
@lake_option
def status(lake):
    """Show what the lake holds: forces × datasets × months, rows, rejects, missing months

    Example:

        openbeat status --lake data/lake
    """
    from rich.console import Console
    from rich.table import Table

    from openbeat import lake as lake_lib

    parts, missing = lake_lib.status(lake)
    console = Console(width=max(Console().width, 110))
    if not parts:
        console.print(f"The lake at {lake.root} is empty. Try: openbeat ingest FILES  or  openbeat demo")
        _warn_strays(lake, console)
        return
    table = Table(title=f"Lake {lake.root}")
    for col in ("force", "dataset", "months", "first", "last", "rows", "rejected", "missing months"):
        table.add_column(col, justify="right" if col in ("months", "rows", "rejected") else "left")
    groups: dict[tuple[str, str], list] = {}
    for p in parts:
        groups.setdefault((p.force, p.dataset), []).append(p)
    for (force, dataset), ps in groups.items():
        gaps = missing.get((force, dataset), [])
        table.add_row(
            force, dataset, str(len(ps)), ps[0].month, ps[-1].month,
            f"{sum(p.rows for p in ps):,}", f"{sum(p.rejected for p in ps):,}",
            _ranges(gaps) if gaps else "none",
        )
    console.print(table)
    unknown = [p for p in parts if p.unknown_crime_types]
    if unknown:
        console.print(f"Warning: {sum(p.unknown_crime_types for p in unknown):,} rows have a crime type police.uk "
                      "does not use (loaded as published):", style="yellow", highlight=False)
        for p in unknown:
            console.print(f"  {p.force} {p.month}: {p.unknown_crime_types:,}", highlight=False)
    _warn_strays(lake, console)


def _warn_strays(lake, console) -> None:
    strays = lake.strays()
    if strays:
        console.print(f"Warning: {len(strays)} Parquet file(s) in the lake belong to no dataset and are never read:",
                      style="yellow", highlight=False)
        for path in strays[:20]:
            console.print(f"  {path.relative_to(lake.root)}", highlight=False, markup=False)
        if len(strays) > 20:
            console.print(f"  … and {len(strays) - 20} more", highlight=False)


def _ranges(months: list[str]) -> str:
    """['2023-04', '2023-05', '2023-07'] → '2023-04..2023-05, 2023-07'."""
    from openbeat import lake as lake_lib

    runs: list[list[str]] = []
    for m in months:
        if runs and lake_lib.month_range(runs[-1][-1], m)[1:] == [m]:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


@click.command()
@click.argument("sql")
@lake_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(sql, lake, fmt):
    """Run read-only SQL over the lake's views (crimes, outcomes, stop_searches, rejects, manifest)

    Example:

        openbeat query "SELECT crime_type, count(*) FROM crimes GROUP BY 1 ORDER BY 2 DESC"
    """
    from rich.console import Console
    from rich.table import Table

    from openbeat import lake as lake_lib

    try:
        columns, rows = lake_lib.query(lake, sql)
    except lake_lib.ReadOnlyError as e:
        raise click.ClickException(str(e)) from e
    except Exception as e:  # DuckDB parser/binder errors: show them plainly
        raise click.ClickException(str(e).strip().splitlines()[0]) from e
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=_json_default, indent=2))
    else:
        table = Table()
        for c in columns:
            table.add_column(c)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        Console().print(table)


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


COMMANDS = [ingest, status, query]
