"""Commands for the web app: serve, manage, worker."""

from __future__ import annotations

import click

from openbeat.cli.options import lake_option, require_web


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 for every interface (put a TLS proxy in front).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="gunicorn worker processes [default: 2 × cores + 1, at most 9].")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads per worker; each takes the oldest waiting write (POST, PUT, PATCH, DELETE) before any read.")
@click.option("--demo/--no-demo", default=None,
              help="Label every page as synthetic demo data [default: $OPENBEAT_DEMO].")
@click.option("--worker/--no-worker", "background_worker", default=None,
              help="Also run the background worker (notification emails) [default: with --demo].")
@lake_option(must_exist=False)  # serves an empty lake, saying so, until one is loaded
def serve(host, port, workers, threads, demo, background_worker, lake):
    """Serve the web app and open API with gunicorn

    Collects static files and applies database migrations when needed, then serves
    until Ctrl-C. With --demo it also makes the demo's synthetic accounts and runs
    the background worker beside the server. Settings come from environment variables (docs/web.md): set
    SECRET_KEY for a real deployment, or use --demo locally.

    Example:

        openbeat serve --demo --lake data/lake --port 8000
    """
    require_web()
    from openbeat.web.server import ServeError
    from openbeat.web.server import serve as run

    try:
        run(host=host, port=port, workers=workers, threads=threads, lake=lake.root, demo=demo,
            worker=background_worker, say=lambda s: click.echo(s, err=True))
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """Run a Django management command for the web app (migrate, check, createsuperuser …)

    Everything after 'manage' goes to Django, with the settings module preset;
    'openbeat manage help' lists Django's commands, 'openbeat manage help check' explains one.

    Example:

        openbeat manage check --deploy
    """
    require_web()
    from openbeat.web.manage import main as django_main

    django_main(["openbeat manage", *args])


@click.command()
@click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True,
              help="Seconds between looks at the queue when it is empty.")
@click.option("--batch", is_flag=True, help="Run what is queued now (and today's due digests), then stop.")
@click.option("--exit-with-parent", "parent_pid", type=int, default=None, hidden=True,
              help="Stop when this process id is no longer the parent (used by 'openbeat serve').")
def worker(interval, batch, parent_pid):
    """Run the background worker that sends notification emails

    Takes queued tasks from the app database (immediate emails, daily digests) and runs
    them until Ctrl-C; several workers may run side by side. Settings come from the
    same environment variables as the web app (docs/web.md): EMAIL_HOST and friends.

    Example:

        openbeat worker --interval 2
    """
    require_web()
    from openbeat.notifications.worker import WorkerError, run
    from openbeat.web.server import ServeError, configure

    try:
        configure()
        run(interval=interval, batch=batch, parent_pid=parent_pid, say=lambda s: click.echo(s, err=True))
    except (ServeError, WorkerError) as exc:
        raise click.ClickException(str(exc)) from None


COMMANDS = [serve, manage, worker]
