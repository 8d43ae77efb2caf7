"""Trust: the PAS as published, and ward survey estimates shrunk toward the borough."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from openbeat.analytics.trust import area_trust, borough_figure, read_responses, trust, ward_trust
from openbeat.stats.disproportionality import wilson_interval
from openbeat.stats.shrinkage import shrink_to_borough


@pytest.fixture(scope="module")
def pas_file(northbridge):
    """The demo's PAS files as written, parsed by hand: {(borough name, dd/mm/yyyy, measure): proportion}."""
    folder = northbridge.root.parent / "out" / "mopac_pas"
    out = {}
    with open(folder / "PAS_buroughs.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            out[(row["Borough"].lower(), row["Date"], row["Measure"])] = float(row["Proportion"].replace(",", "."))
    with open(folder / "PAS_Total.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            out[("mps", row["Date"], row["Measure"])] = float(row["Proportion"].replace(",", "."))
    return out


def heath(store):
    return next(b for b in store.areas("borough") if b.name == "Northbridge Heath")


def test_pas_values_equal_the_raw_file(store, pas_file):
    mere = next(b for b in store.areas("borough") if b.name == "Northbridge upon Mere")
    r = trust(store, mere.code, "2024-01", "2025-12")
    rows = r.tables["pas"]
    assert len(rows) == 7 * 8 + 7  # 8 quarters of 7 measures; Trust MPS starts two quarters late (2024-Q2)
    for row in rows:
        d = f"{row['quarter_end']:%d/%m/%Y}"
        assert row["proportion"] == pas_file[("northbridge upon mere", d, row["measure"])], row
        assert row["mps_proportion"] == pas_file[("mps", d, row["measure"])], row
    levels = {lv["measure"]: lv for lv in r.tables["levels"]}
    t = levels["Trust MPS"]
    last, first, year = (pas_file[("northbridge upon mere", d, "Trust MPS")]
                         for d in ("31/12/2025", "30/06/2024", "31/12/2024"))
    assert (t["level"], t["first_level"], t["year_earlier"]) == (last, first, year)
    assert t["change_points"] == round(100 * (last - first), 1)
    assert t["change_on_year_points"] == round(100 * (last - year), 1)
    assert (t["low"], t["high"]) == pytest.approx(wilson_interval(last * 400, 400))
    assert r.summary["measure"] == "Trust MPS" and "no test" in r.summary["summary"]
    assert any("descriptive" in n for n in r.notes)
    assert r.sources == ["MOPAC Public Attitude Survey (London Datastore): PAS_Total.csv, PAS_buroughs.csv"]


def test_force_level_is_the_mps_wide_series(store, pas_file):
    r = trust(store, "northbridge", "2025-01", "2025-12", measure='"Good Job" local')
    got = {(f"{row['quarter_end']:%d/%m/%Y}", row["measure"]): row["proportion"] for row in r.tables["pas"]}
    assert got == {(d, m): v for (a, d, m), v in pas_file.items()
                   if a == "mps" and d.endswith("2025")}
    assert r.summary["level"]["assumed_interviews"] == 12_800


def synthetic_responses(store, borough_code, seed=3):
    wards = store.areas("ward", within=borough_code)
    rng = np.random.default_rng(seed)
    n = rng.integers(8, 120, len(wards))
    return pd.DataFrame({"ward_code": [w.code for w in wards], "measure": "Trust MPS",
                         "yes": rng.binomial(n, 0.7), "n": n})


def test_ward_estimates_are_stats_shrinkage_toward_the_borough_pas(store):
    b = heath(store)
    resp = synthetic_responses(store, b.code)
    # Another measure's rows, and a second batch for two wards, to be filtered and added up.
    extra = pd.DataFrame({"ward_code": [resp.ward_code[0], resp.ward_code[1], resp.ward_code[0]],
                          "measure": ["Trust MPS", "Trust MPS", "Informed local"], "yes": [3, 0, 50], "n": [4, 6, 50]})
    r = trust(store, b.code, "2025-01", "2025-12", responses=pd.concat([resp, extra]))
    wards = pd.DataFrame(r.tables["wards"]).set_index("ward_code")
    summed = pd.concat([resp, extra[extra.measure == "Trust MPS"]]).groupby("ward_code")[["yes", "n"]].sum()
    borough_p = borough_figure(store, b.code, "Trust MPS", store.period("2025-01", "2025-12")).value
    assert borough_p == r.summary["level"]["level"]
    ref = shrink_to_borough(summed["yes"].to_numpy(), summed["n"].to_numpy(), borough_p,
                            wards=summed.index.to_numpy()).table.set_index("ward")
    assert list(wards.index) == list(ref.index)
    for col in ("yes", "n", "raw", "estimate", "low", "high", "weight"):
        np.testing.assert_allclose(wards[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, err_msg=col)
    assert (wards["borough_p"] == borough_p).all() and (wards["method"] == "integrated").all()
    # Few answers, strong pull: every estimate lies between its raw proportion and the borough figure.
    between = (wards["estimate"] - wards["raw"]) * (wards["estimate"] - borough_p) <= 1e-12
    assert between.all()


def test_a_ward_gets_its_own_estimate_or_borrows_the_borough(store, tmp_path):
    b = heath(store)
    resp = synthetic_responses(store, b.code).iloc[:5]
    path = tmp_path / "responses.csv"
    resp.rename(columns={"yes": "agree", "n": "responses"}).to_csv(path, index=False)
    ward = resp.ward_code.iloc[2]
    r = trust(store, ward, "2025-01", "2025-12", responses=path)
    mine = r.summary["ward_estimate"]
    assert (mine["yes"], mine["n"]) == (resp.yes.iloc[2], resp.n.iloc[2])
    assert mine["low"] < mine["estimate"] < mine["high"]
    other = next(w for w in store.areas("ward", within=b.code) if w.code not in set(resp.ward_code))
    figs = area_trust(store, [store.area(ward), other, b], store.period("2025-01", "2025-12"), responses=path)
    assert figs[ward].source == "ward survey (shrunk to the borough)" and figs[ward].value == mine["estimate"]
    assert figs[other.code].source == "PAS (borrowed from the borough)"
    assert (figs[other.code].value, figs[other.code].low) == (figs[b.code].value, figs[b.code].low)
    lone = trust(store, other.code, "2025-01", "2025-12")
    assert any("borrows its borough's PAS figure" in n for n in lone.notes)


def test_wards_are_shrunk_borough_by_borough(store):
    central = next(b for b in store.areas("borough") if b.name == "Northbridge Central")
    both = pd.concat([synthetic_responses(store, heath(store).code), synthetic_responses(store, central.code, 4)])
    got = ward_trust(store, pa.Table.from_pandas(both), period=store.period("2025-01", "2025-12"))  # Arrow too
    ps = got.groupby("borough_code")["borough_p"].unique()
    assert {k: list(v) for k, v in ps.items()} == {
        heath(store).code: [0.8], central.code: [borough_figure(store, central.code, "Trust MPS",
                                                                store.period("2025-01", "2025-12")).value]}


def test_interval_coverage_through_the_lake_is_about_95_percent(store):
    """Synthetic truth for Heath's wards around its PAS figure: the 95% intervals cover it 93–97% of the time."""
    b = heath(store)
    period = store.period("2025-01", "2025-12")
    mu = borough_figure(store, b.code, "Trust MPS", period).value
    wards = [w.code for w in store.areas("ward", within=b.code)]
    rng = np.random.default_rng(2025)
    hits = total = 0
    for _ in range(150):
        truth = rng.beta(mu * 40, (1 - mu) * 40, len(wards))
        n = rng.integers(15, 121, len(wards))
        got = ward_trust(store, pd.DataFrame({"ward_code": wards, "yes": rng.binomial(n, truth), "n": n}),
                         period=period).set_index("ward_code").loc[wards]
        hits += int(((got["low"] <= truth) & (truth <= got["high"])).sum())
        total += len(wards)
    print(f"coverage {hits / total:.3f} of {total}")
    assert 0.93 <= hits / total <= 0.97, hits / total


def test_bad_responses_say_what_is_wrong(store):
    with pytest.raises(ValueError, match=r"lack column\(s\) \['n'\]"):
        read_responses(pd.DataFrame({"ward_code": ["X"], "yes": [1]}))
    with pytest.raises(ValueError, match="yes outside 0..n"):
        read_responses(pd.DataFrame({"ward_code": ["X05000001"], "yes": [5], "n": [4]}))
    with pytest.raises(ValueError, match="not loaded: NOPE"):
        ward_trust(store, pd.DataFrame({"ward_code": ["NOPE"], "yes": [1], "n": [2]}))
    with pytest.raises(ValueError, match="no PAS measure 'Happiness'"):
        trust(store, heath(store).code, measure="Happiness")
