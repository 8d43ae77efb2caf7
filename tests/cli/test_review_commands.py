"""`openbeat review publish` on the small Northbridge lake: its whole output, the second
quarter compared with the first, and its plain errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from openbeat.cli import main
from tests.reviews.conftest import PREVIOUS, QUARTER

pytestmark = pytest.mark.django_db


def _publish(monkeypatch, *args):
    # `review publish` points the process at the lake through the environment: put it back after
    monkeypatch.setenv("OPENBEAT_LAKE", "")
    return CliRunner().invoke(main, ["review", "publish", *args], prog_name="openbeat")


def test_publish_prints_the_review_and_what_changed_since_the_last(demo_lake, ward, monkeypatch):
    from openbeat.reviews.models import Review

    lake = ["--lake", str(demo_lake.root)]
    first = _publish(monkeypatch, "--area", ward, "--quarter", PREVIOUS, *lake)
    second = _publish(monkeypatch, "--area", ward, "--quarter", QUARTER, *lake)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    before, after = Review.objects.order_by("pk")
    assert after.previous == before and after.changes
    assert after.lake_signature == before.lake_signature != ""  # the same lake, untouched in between
    assert first.stdout.splitlines() == [
        f"Published {before.title}, version 1",
        f"  address     /reviews/{ward}/{PREVIOUS}/v1/",
        f"  lake state  {before.lake_signature}",
        "  previous    none",
        *[f"  - {h['statement']}" for h in before.headlines],
    ]
    assert second.stdout.splitlines() == [
        f"Published {after.title}, version 1",
        f"  address     /reviews/{ward}/{QUARTER}/v1/",
        f"  lake state  {after.lake_signature}",
        f"  previous    {PREVIOUS} (version 1)",
        *[f"  - {h['statement']}" for h in after.headlines],
        *[f"  since {PREVIOUS}: {c['verdict']}: {c['statement']}" for c in after.changes],
    ]
    assert before.title.endswith(f"progress review, {PREVIOUS}") and len(before.headlines) > 0


def test_publish_refuses_plainly(demo_lake, ward, monkeypatch):
    from openbeat.reviews.models import Review

    lake = ["--lake", str(demo_lake.root)]
    bad_quarter = _publish(monkeypatch, "--area", ward, "--quarter", "2025-Q9", *lake)
    assert (bad_quarter.exit_code, bad_quarter.output) == (
        1, "Error: '2025-Q9' is not a quarter; write YYYY-Qn, e.g. 2025-Q4\n")
    unknown = _publish(monkeypatch, "--area", "X05999999", "--quarter", QUARTER, *lake)
    assert (unknown.exit_code, unknown.output) == (
        1, "Error: 'X05999999' is not a force, borough or ward this site knows.\n")
    missing = _publish(monkeypatch, "--quarter", QUARTER, *lake)
    assert (missing.exit_code, missing.output) == (2, (
        "Usage: openbeat review publish [OPTIONS]\nTry 'openbeat review publish --help' for help.\n\n"
        "Error: Missing option '--area'.\n"))
    assert not Review.objects.exists()
