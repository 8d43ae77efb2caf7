"""Commands that download from police.uk: fetch (archive months) and fetch neighbourhoods."""

from __future__ import annotations

import sys

import click
from click.core import ParameterSource

from openbeat.cli.options import Deferred, lake_option

# Read from the library only when a command runs or shows its own help.
DEFAULT_API_URL = Deferred("openbeat.ingest.policeuk_client", "API_URL")
DEFAULT_SITE_URL = Deferred("openbeat.ingest.fetch", "SITE_URL")
DEFAULT_KINDS = Deferred("openbeat.ingest.fetch", "KIND_NAMES", ",".join)


class _ConsoleProgress:
    """Bytes and members as rich progress bars on a terminal; only failures otherwise.

    The four events of :class:`openbeat.ingest.fetch.FetchProgress` (not subclassed, so
    that loading this module does not load the ingest pipeline).
    """

    def __init__(self, console, *, live: bool, verbose: bool):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.console, self.verbose = console, verbose
        self.bar = None
        if live:
            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                console=console, transient=True,
            )
        self._task = None
        self._name, self._members, self._done = "", 0, 0

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def archive(self, url, *, members, total_bytes):
        if self.bar:
            self._name, self._members, self._done = url.rsplit("/", 1)[-1], members, 0
            if self._task is not None:
                self.bar.remove_task(self._task)
            self._task = self.bar.add_task(self._label(), total=total_bytes)

    def _label(self) -> str:
        return f"{self._name}: {self._done}/{self._members} files"

    def bytes(self, n):
        if self.bar and self._task is not None:
            self.bar.advance(self._task, n)

    def member(self, report):
        self._done += 1
        if self.bar and self._task is not None:
            self.bar.update(self._task, description=self._label())
        if report.status == "failed":
            self.console.print(f"[red]✗[/] {report.error}", highlight=False, soft_wrap=True)
        elif self.verbose:
            extra = f", {report.rows_rejected:,} rejected" if report.rows_rejected else ""
            name = report.source.rsplit("/", 1)[-1]
            self.console.print(f"[green]✓[/] {name}: {report.status} {report.rows_loaded:,} rows{extra}",
                               highlight=False)

    def note(self, text):
        if self.verbose:
            self.console.print(text, highlight=False)


@click.group(invoke_without_command=True)
@click.option("--force", "force", metavar="SLUG", help="police.uk force id, e.g. metropolitan.")
@click.option("--from", "first", metavar="YYYY-MM", help="First month wanted.")
@click.option("--to", "last", metavar="YYYY-MM", help="Last month wanted [default: the newest published].")
@click.option("--kinds", default=DEFAULT_KINDS, show_default=True,
              help="Comma-separated file kinds to fetch.")
@lake_option(must_exist=False)
@click.option("--base-url", default=DEFAULT_SITE_URL, show_default=True,
              help="Site serving data/archive/YYYY-MM.zip and api/.")
@click.option("--cache", "cache", type=click.Path(file_okay=False), envvar="OPENBEAT_CACHE", show_envvar=True,
              help="Download cache folder [default: the user cache directory].")
@click.option("--no-cache", is_flag=True, help="Keep nothing between runs.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and errors.")
@click.pass_context
def fetch(ctx, force, first, last, kinds, lake, base_url, cache, no_cache, quiet):
    """Download a force's months from police.uk and load them into the lake

    Reads only the force's files out of the monthly archives (HTTP range requests;
    the archives are several GB), caches them by ETag so a repeat costs nothing,
    and takes stop-and-search months the archive lacks from the API. Months
    police.uk has not published are reported. See also: openbeat fetch neighbourhoods.

    Example:

        openbeat fetch --force metropolitan --from 2024-01 --to 2024-12

        openbeat fetch --force city-of-london --from 2023-01 --kinds street,outcomes
    """
    from rich.console import Console

    from openbeat.ingest.fetch import KIND_NAMES, default_cache_dir, fetch_months

    ctx.obj = {"force": force, "lake": lake, "lake_given": _given(ctx, "lake")}
    if ctx.invoked_subcommand:
        return
    if not force or not first:
        raise click.UsageError("--force and --from are required (or run: openbeat fetch neighbourhoods --force SLUG)")
    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    bad = [k for k in wanted if k not in KIND_NAMES]
    if bad or not wanted:
        raise click.BadParameter(f"{', '.join(bad) or 'nothing'}: choose from {', '.join(KIND_NAMES)}",
                                 param_hint="--kinds")
    err = Console(stderr=True)
    live = err.is_terminal and not quiet
    cache_dir = None if no_cache else (cache or default_cache_dir())
    try:
        with _ConsoleProgress(err, live=live, verbose=live) as progress:
            report = fetch_months(lake, force=force, first=first, last=last, kinds=wanted, base_url=base_url,
                                  cache_dir=cache_dir, progress=progress)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    files = report.ingest.files
    t = report.ingest.totals()
    n_loaded = sum(1 for f in files if f.status == "loaded")
    n_same = sum(1 for f in files if f.status == "unchanged")
    span = f"{report.months[0]} to {report.months[-1]}" if report.months else first
    click.echo(
        f"{force} {span}: {len(files)} files: {n_loaded} loaded, {n_same} unchanged, "
        f"{len(report.ingest.failed)} failed; rows loaded {t['rows_loaded']:,}, rejected {t['rows_rejected']:,}; "
        f"{report.bytes_transferred / 1e6:,.1f} MB transferred from {len(report.archives)} archive(s); lake {lake.root}"
    )
    if report.not_published:
        click.echo(f"not published by police.uk (newest is {report.latest}): {', '.join(report.not_published)}")
    if report.absent:
        click.echo(f"not in the archive for {force}: {', '.join(report.absent)}")
    if report.from_api:
        click.echo(f"stop and search taken from the API: {', '.join(report.from_api)}")
    for e in report.errors:
        err.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
    if not report.ok:
        sys.exit(1)


@fetch.command("neighbourhoods")
@click.option("--force", "force", metavar="SLUG", help="police.uk force id, e.g. metropolitan.")
@lake_option(must_exist=False)
@click.option("--base-url", default=DEFAULT_API_URL, show_default=True,
              help="police.uk API, or file:///DIR/ holding saved responses as {path}.json.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and errors.")
@click.pass_context
def neighbourhoods(ctx, force, lake, base_url, quiet):
    """Download a force's neighbourhood teams: details, officers, events, priorities, boundaries

    Five requests per neighbourhood, within the API's rate limit (15 a second). The
    datasets neighbourhoods, neighbourhood_people, neighbourhood_events,
    neighbourhood_priorities and neighbourhood_boundaries are replaced together at the
    end; a neighbourhood that fails is reported and keeps what it had.

    Example:

        openbeat fetch neighbourhoods --force metropolitan

        openbeat fetch neighbourhoods --force northbridge --base-url file:///tmp/demo/police_uk_api/
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from openbeat.ingest.neighbourhoods import fetch_neighbourhoods

    parent = ctx.obj or {}
    force = force or parent.get("force")
    if not force:
        raise click.UsageError("--force is required, e.g. --force metropolitan")
    if not _given(ctx, "lake") and parent.get("lake_given"):
        lake = parent["lake"]
    err = Console(stderr=True)
    live = err.is_terminal and not quiet
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=err, transient=True) if live else None
    task = None

    def on_done(done, total, nid, error):
        nonlocal task
        if error:
            err.print(f"[red]✗[/] neighbourhood {nid}: {error}", highlight=False, soft_wrap=True)
        if bar:
            if task is None:
                task = bar.add_task(f"{force} neighbourhoods", total=total)
            bar.update(task, completed=done)

    if bar:
        bar.start()
    try:
        report = fetch_neighbourhoods(lake, force=force, base_url=base_url, progress=on_done)
    finally:
        if bar:
            bar.stop()
    if report.error:
        err.print(f"[red]error:[/] {report.error}", highlight=False, soft_wrap=True)
        sys.exit(1)
    rows = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
    click.echo(f"{force}: {len(report.loaded)} of {report.listed} neighbourhoods loaded, "
               f"{len(report.failed)} failed; rows: {rows}; {report.requests:,} API requests; lake {lake.root}")
    if report.failed:
        sys.exit(1)


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)


COMMANDS = [fetch]
