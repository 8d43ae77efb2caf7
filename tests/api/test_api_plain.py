"""The API's ``plain`` field: the same verdict, in the same words, as the page (docs/wording.md)."""

from __future__ import annotations

from openbeat.analytics import wording

WARD, BOROUGH = "X05000001", "X09000001"


def test_results_carry_their_verdict_in_plain_words(client, demo_lake, northbridge):
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.store import Store

    body = client.get(f"/api/areas/{WARD}/profile").json()
    expected = wording.crime_change(area_profile(Store(northbridge), WARD).summary["change"])
    assert body["plain"] == {"lead": expected.lead, "how": expected.how}
    ss = client.get(f"/api/areas/{WARD}/stop-search").json()["plain"]
    assert ss["lead"].startswith("We can't compare search rates between ethnic groups for one ward")
    trust = client.get(f"/api/areas/{BOROUGH}/trust").json()["plain"]["lead"]
    assert "% of people asked in Northbridge Central say the police force is an organisation they can trust" in trust
    assert client.get(f"/api/areas/{WARD}/profile?table=by_crime_type").json().get("plain") is None  # tables alone
