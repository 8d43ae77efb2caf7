"""Concentration curve (Weisburd 2015): hand-computed example."""

import pytest

from openbeat.stats.concentration import concentration


def test_hand_example():
    # 20 places, 200 crimes: sorted 60, 40, 30, 20, 20, 10, 10, 5, 5, then 11 zeros.
    counts = [0, 10, 60, 0, 5, 20, 0, 40, 0, 0, 30, 0, 20, 0, 10, 0, 5, 0, 0, 0]
    c = concentration(counts)
    assert (c.n_places, c.n_with_crime, c.total) == (20, 9, 200.0)
    assert c.share_in_top(0.05) == 0.3          # top 1 place: 60 / 200
    assert c.share_in_top(0.10) == 0.5          # 100 / 200
    assert c.share_in_top(0.075) == pytest.approx(0.4)  # 1.5 places: 60 + 20
    assert c.places_for_share(0.5) == 0.1       # 2 of 20 places hold half
    assert c.places_with_crime_for_share(0.5) == pytest.approx(2 / 9)
    assert c.places_for_share(0.51) == 0.15     # 3 places needed for just over half
    cur = c.curve()
    assert cur.iloc[:3].to_dict("list") == {"places": [0, 1, 2], "share_of_places": [0.0, 0.05, 0.1],
                                            "share_of_crime": [0.0, 0.3, 0.5]}
    assert cur["share_of_crime"].iloc[-1] == 1.0
    assert c.summary == ("10.0% of places hold half of all crime (22.2% of places with any crime); "
                         "the top 1% hold 6.0%, the top 5% 30.0%.")


def test_errors():
    with pytest.raises(ValueError, match="no crime"):
        concentration([0, 0])
    with pytest.raises(ValueError, match="non-negative"):
        concentration([1, -1])
