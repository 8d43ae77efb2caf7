"""The review commands: publish a quarterly progress review (Django and the analytics load inside)."""

from __future__ import annotations

import click

from openbeat.cli.options import lake_option, require_lake, require_web


@click.group()
def review() -> None:
    """Quarterly progress reviews of a force, borough or ward

    Example:

        openbeat review publish --area X09000001 --quarter 2025-Q4
    """


@review.command()
@click.option("--area", "area", required=True, metavar="CODE", help="A force slug, borough or ward code.")
@click.option("--quarter", required=True, metavar="YYYY-Qn", help="The quarter, e.g. 2025-Q4.")
@lake_option(must_exist=False)  # checked after require_web: its message comes first
def publish(area, quarter, lake):
    """Freeze a review of an area for a quarter, as the next version

    Computes the figures from the lake as it is now, stores them in the app database
    with the lake state they came from, compares them with the previous review, and
    tells everyone following the area. Publishing the same quarter again makes a new
    version; a published version never changes. Prints its address and headlines.

    Example:

        openbeat review publish --area northbridge --quarter 2025-Q4 --lake data/lake
    """
    require_web()
    require_lake(lake)
    from openbeat.web.server import ServeError, configure

    try:
        configure(lake=lake.root)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError

    from openbeat.reviews.services import review_publish

    try:
        r = review_publish(area_code=area, quarter=quarter)
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    except DatabaseError as exc:
        raise click.ClickException(f"the app database is not ready ({exc}); run `openbeat manage migrate` "
                                   "first") from None
    click.echo(f"Published {r.title}, version {r.version}")
    click.echo(f"  address     {r.get_absolute_url()}")
    click.echo(f"  lake state  {r.lake_signature}")
    click.echo(f"  previous    {r.previous.quarter + ' (version ' + str(r.previous.version) + ')' if r.previous else 'none'}")
    for h in r.headlines:
        click.echo(f"  - {h['statement']}")
    for c in r.changes:
        click.echo(f"  since {r.previous.quarter}: {c['verdict']}: {c['statement']}")


COMMANDS = [review]
