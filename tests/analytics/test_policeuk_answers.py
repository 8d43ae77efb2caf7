"""openbeat.analytics.policeuk_answers without Django: a lake holding only stop-and-search files."""

from __future__ import annotations

import csv
import gzip
from datetime import date

from tests.conftest import SHARED_DATA, needs_shared_data

ARCHIVE = SHARED_DATA / "police_uk" / "archive"


def _rows(month: str) -> list[dict]:
    with gzip.open(ARCHIVE / month / f"{month}-metropolitan-stop-and-search.csv.gz", "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@needs_shared_data
def test_a_stop_search_only_lake_answers_month_by_month(lake):
    from openbeat.analytics import policeuk_answers as answers
    from openbeat.ingest import ingest_paths

    report = ingest_paths([ARCHIVE / m / f"{m}-metropolitan-stop-and-search.csv.gz" for m in ("2023-03", "2024-01")],
                          lake=lake)
    assert not report.failed
    con = lake.connect()
    for month in ("2023-03", "2024-01"):
        rows = _rows(month)
        got = answers.stops_force(con, force="metropolitan", month=date.fromisoformat(month + "-01"))
        assert len(got) == len(rows)
        assert sorted(s["datetime"] for s in got) == sorted(r["Date"] for r in rows)
    # no street crimes: no months to list, no latest month, and no crimes anywhere
    assert answers.crimes_street_dates(con) == []
    assert answers.crime_last_updated(con) == {"date": None}
    assert answers.force_names(con) == {"metropolitan": None}
    assert answers.crimes_street(con, category="all-crime", area=answers.SearchArea(point=(51.5, -0.1)),
                                 month=date(2023, 3, 1)) == []
