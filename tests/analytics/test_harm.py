"""Harm table: defaults, CSV replacement, totals with ASB kept apart."""

import pytest

from openbeat.analytics.harm import (ASB, CRIME_TYPES, DEFAULT_HARM, default_table,
                                     harm_of_counts, load_harm_csv)


def test_one_documented_weight_per_crime_type_and_none_for_asb():
    assert len(CRIME_TYPES) == 14 and set(DEFAULT_HARM) == set(CRIME_TYPES)
    assert DEFAULT_HARM[ASB].days is None
    for ct, w in DEFAULT_HARM.items():
        assert w.basis, ct
        if ct != ASB:
            assert w.days > 0, ct
    assert DEFAULT_HARM["Robbery"].days == 365.0  # 1 year's custody


def test_totals_keep_asb_out_of_harm():
    h = harm_of_counts({"Robbery": 2, "Shoplifting": 10, ASB: 7})
    assert (h.harm_days, h.crimes, h.anti_social_behaviour) == (2 * 365 + 10 * 5, 12, 7)
    assert h.by_type == {"Robbery": 730.0, "Shoplifting": 50.0}
    with pytest.raises(ValueError, match="unknown crime type 'Burglarly'"):
        harm_of_counts({"Burglarly": 1})


def test_load_csv_replaces_the_table(tmp_path):
    rows = ["crime_type,days,source"] + [f"{ct},{i},mine" for i, ct in enumerate(CRIME_TYPES) if ct != ASB]
    p = tmp_path / "harm.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = load_harm_csv(p)
    assert table[ASB] is None and table["Bicycle theft"] == 1.0 and len(table) == 14
    assert harm_of_counts({"Bicycle theft": 3}, table).harm_days == 3.0
    assert default_table()["Bicycle theft"] == DEFAULT_HARM["Bicycle theft"].days


@pytest.mark.parametrize("body,message", [
    ("crime_type,weight\n", "missing column"),
    ("crime_type,days\nRobbery,abc\n", "line 2: days 'abc' for 'Robbery' is not a number"),
    ("crime_type,days\nRobbery,-1\n", "line 2: days for 'Robbery' must be zero or more"),
    ("crime_type,days\nMurder,5475\n", "line 2: unknown crime type 'Murder'"),
    ("crime_type,days\nAnti-social behaviour,1\n", "takes no harm weight"),
    ("crime_type,days\nRobbery,365\n", "no weight for Bicycle theft"),
])
def test_bad_csv_says_where(tmp_path, body, message):
    p = tmp_path / "bad.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_harm_csv(p)
