"""Allocation: minimums, largest remainder, milp with caps; property tests."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbeat.stats.apportion import allocate, allocate_team, need_score


def optimal_rounding_deviation(target, total):
    """L1-optimal integer rounding of targets adding to total: floor everything, then
    round up the largest fractions (exchange argument). Independent of the milp."""
    f = np.floor(target + 1e-9)
    frac = target - f
    left = int(round(total - f.sum()))
    up = np.argsort(-frac, kind="stable")[:left]
    x = f.copy()
    x[up] += 1
    return np.abs(x - target).sum()


def test_largest_remainder_by_hand():
    # 20 officers, minimum 2 each → 12 to share by need 5:3:1:1 → quotas 6, 3.6, 1.2, 1.2;
    # floors 6, 3, 1, 1 (11), the last one to the largest fraction (0.6).
    a = allocate(20, [5.0, 3.0, 1.0, 1.0], minimum=2, wards=["A", "B", "C", "D"])
    assert a.allocated.tolist() == [8, 6, 3, 3] and a.method == "largest remainder"
    np.testing.assert_allclose(a.target, [8, 5.6, 3.2, 3.2])
    assert a.to_frame()["ward"].tolist() == ["A", "B", "C", "D"]


def test_ties_are_broken_by_need_then_order():
    assert allocate(7, [1, 1, 1], minimum=1).allocated.tolist() == [3, 2, 2]
    # Equal fractions (0.5, 0.5): the larger need wins the last seat.
    assert allocate(3, [1, 3], minimum=0).allocated.tolist() == [1, 2]


def test_caps_use_milp_and_pass_surplus_on_in_proportion():
    a = allocate(20, [5.0, 3.0, 1.0, 1.0], minimum=2, caps=6)
    assert a.method == "milp" and a.allocated.tolist() == [6, 6, 4, 4]
    np.testing.assert_allclose(a.target, [6, 6, 4, 4])
    b = allocate(30, [8.0, 4.0, 2.0, 1.0, 1.0], minimum=2, caps=[9, 99, 99, 99, 99])
    # Ward 0 capped at 9; the other wards share 21 - 8 = 13 extra as 4:2:1:1 around min 2.
    np.testing.assert_allclose(b.target, [9, 2 + 6.5, 2 + 3.25, 2 + 1.625, 2 + 1.625])
    assert b.allocated.sum() == 30 and b.allocated[0] == 9
    assert b.deviation == pytest.approx(optimal_rounding_deviation(b.target, 30))


def test_extra_linear_constraints():
    a = allocate(20, [5.0, 3.0, 1.0, 1.0], minimum=2,
                 constraints=[([0, 0, 1, 1], 8, np.inf)])  # at least 8 across C and D
    assert a.allocated.tolist()[2:] == [4, 4] and a.allocated.sum() == 20
    with pytest.raises(ValueError, match="no allocation meets every constraint"):
        allocate(20, [5.0, 3.0, 1.0, 1.0], minimum=2, constraints=[([1, 1, 1, 1], 0, 19)])


def test_clear_errors():
    with pytest.raises(ValueError, match="40 people cannot cover the ward minimums: 25 wards "
                                         "need 50 between them"):
        allocate(40, np.ones(25), minimum=2)
    with pytest.raises(ValueError, match="cap .* below its minimum"):
        allocate(10, [1, 1], minimum=2, caps=[1, 9])
    with pytest.raises(ValueError, match="caps allow at most 8"):
        allocate(10, [1, 1], minimum=2, caps=4)


def test_team_and_need_score():
    t = allocate_team(officers=14, pcsos=6, need=[4.0, 2.0, 1.0, 1.0], wards=list("ABCD"))
    # Officers: 6 beyond the minimums by 4:2:1:1 → quotas 3, 1.5, 0.75, 0.75 → floors
    # 3, 1, 0, 0; two left for the largest fractions, C and D (0.75 each, equal need: order).
    # PCSOs: 2 beyond → quotas 1, 0.5, 0.25, 0.25 → the last to B.
    assert t.to_dict("list") == {"ward": list("ABCD"), "need": [4.0, 2.0, 1.0, 1.0],
                                 "officers": [5, 3, 3, 3], "pcsos": [2, 2, 1, 1]}
    # Trust deficit 0.5 vs 0.25 (mean 0.375): weights 4/3 and 2/3.
    np.testing.assert_allclose(need_score([10, 10], trust=[0.5, 0.75]), [40 / 3, 20 / 3])
    np.testing.assert_allclose(need_score([10, 10], trust=[0.5, 0.75], trust_weight=0), [10, 10])


needs = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=15)


@settings(max_examples=200, deadline=None)
@given(need=needs, minimum=st.integers(0, 3), extra=st.integers(0, 60))
def test_property_totals_minimums_and_order(need, minimum, extra):
    total = minimum * len(need) + extra
    a = allocate(total, need, minimum=minimum)
    x = a.allocated
    assert x.sum() == total and (x >= minimum).all()
    n = np.asarray(need)
    # More need never means fewer officers (equal minimums).
    assert all(x[i] >= x[j] for i in range(n.size) for j in range(n.size) if n[i] > n[j])
    # Largest remainder: every ward within one of its exact share.
    assert (np.abs(x - a.target) < 1 + 1e-9).all()


@settings(max_examples=50, deadline=None)
@given(need=needs, minimum=st.integers(0, 3), room=st.data())
def test_property_caps_with_milp(need, minimum, room):
    k = len(need)
    caps = np.array(room.draw(st.lists(st.integers(0, 8), min_size=k, max_size=k))) + minimum
    total = room.draw(st.integers(minimum * k, int(caps.sum())))
    a = allocate(total, need, minimum=minimum, caps=caps)
    x = a.allocated
    assert x.sum() == total and (x >= minimum).all() and (x <= caps).all()
    assert a.deviation == pytest.approx(optimal_rounding_deviation(a.target, total), abs=1e-6)
    again = allocate(total, need, minimum=minimum, caps=caps)
    assert again.allocated.tolist() == x.tolist()  # deterministic
