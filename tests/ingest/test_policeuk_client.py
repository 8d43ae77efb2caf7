"""The police.uk API client: rate limit, retries, the 503 crime limit, GET → POST, file:// mode."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from openbeat.ingest.http import HttpError, RetryPolicy, parse_retry_after
from openbeat.ingest.policeuk_client import MAX_GET_URL, ApiError, PoliceApi, TokenBucket, TooManyCrimesError

from .fakeserver import FakeServer, Respond


class FakeClock:
    """Time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _times(bucket: TokenBucket, clock: FakeClock, n: int) -> list[float]:
    out = []
    for _ in range(n):
        bucket.acquire()
        out.append(clock.now)
    return out


# ---- the rate limiter ----------------------------------------------------------------------


def test_bucket_allows_a_burst_of_30_then_15_a_second():
    clock = FakeClock()
    bucket = TokenBucket(15, 30, clock=clock, sleep=clock.sleep)
    times = _times(bucket, clock, 330)
    assert times[:30] == [0.0] * 30  # the burst
    assert times[30] == pytest.approx(1 / 15)  # then one every 1/15 s
    assert times[-1] == pytest.approx(300 / 15)  # 300 more at 15/s take 20 s
    # The leaky-bucket envelope: never more than 30 + 15·t requests in any span of t seconds.
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= 30 + 15 * (times[j] - times[i]) + 1e-6
    # The closed second [0, 1] holds the burst and 15 more; after it every second holds 15.
    rounded = [round(t, 9) for t in times]
    assert max(sum(1 for t in rounded if w <= t <= w + 1) for w in range(20)) == 45
    assert [sum(1 for t in rounded if w < t <= w + 1) for w in range(1, 20)] == [15] * 19


def test_bucket_refills_to_30_not_more_after_idling():
    clock = FakeClock()
    bucket = TokenBucket(15, 30, clock=clock, sleep=clock.sleep)
    _times(bucket, clock, 30)
    clock.now += 100.0  # idle long enough for 1,500 tokens, but the bucket holds 30
    start = clock.now
    times = _times(bucket, clock, 32)
    assert times[:30] == [start] * 30
    assert times[30] - start == pytest.approx(1 / 15) and times[31] - start == pytest.approx(2 / 15)


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# ---- against the local server ------------------------------------------------------------------


def _api(srv: FakeServer, sleeps: list[float] | None = None, **kw) -> PoliceApi:
    retry = RetryPolicy(sleep=sleeps.append if sleeps is not None else (lambda s: None))
    return PoliceApi(srv.url + "/api/", retry=retry, **kw)


def test_429_with_retry_after_and_503_are_retried():
    sleeps: list[float] = []
    with FakeServer() as srv, _api(srv, sleeps) as api:
        srv.add_json("/api/forces", [{"id": "metropolitan", "name": "Metropolitan Police Service"}])
        srv.script("/api/forces", Respond(429, {"Retry-After": "2"}), Respond(503), Respond(503))
        assert api.forces() == [{"id": "metropolitan", "name": "Metropolitan Police Service"}]
        assert [r.status for r in srv.requests_to("/api/forces")] == [429, 503, 503, 200]
    assert sleeps[0] == 2.0 and 0.5 <= sleeps[1] <= 1.0 and 1.0 <= sleeps[2] <= 2.0
    assert api.requests == 4  # every attempt went through the rate limiter


def test_503_for_an_area_over_10000_crimes_is_not_retried():
    with FakeServer() as srv, _api(srv) as api:
        srv.script("/api/crimes-street/all-crime", Respond(503))
        with pytest.raises(TooManyCrimesError, match="more than 10,000 records") as e:
            api.crimes_street(poly="52.268,0.543:52.794,0.238:52.130,0.478", date="2024-01")
        assert e.value.status == 503
        assert len(srv.requests_to("/api/crimes-street/all-crime")) == 1


def test_a_request_that_keeps_failing_says_so():
    with FakeServer() as srv, _api(srv) as api:
        srv.script("/api/forces", *[Respond(500)] * 6)
        with pytest.raises(HttpError, match=r"/api/forces: gave up after 6 attempts; last error: HTTP 500"):
            api.forces()


def test_404_names_the_url():
    with FakeServer() as srv, _api(srv) as api:
        with pytest.raises(ApiError, match=r"/api/nowhere/neighbourhoods: not found \(HTTP 404\)"):
            api.neighbourhoods("nowhere")


def test_get_switches_to_post_above_4094_characters():
    def echo(req):
        form = dict(parse_qsl(req.body.decode())) if req.body else {}
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"method": req.method, "poly": req.query.get("poly") or form.get("poly")}).encode()

    with FakeServer() as srv, _api(srv) as api:
        srv.route("/api/crimes-street/all-crime", echo)
        prefix = len(srv.url + "/api/crimes-street/all-crime?poly=")
        at_limit = "5" * (MAX_GET_URL - prefix)
        over = at_limit + "5"
        assert api.get("crimes-street/all-crime", {"poly": at_limit}) == {"method": "GET", "poly": at_limit}
        assert api.get("crimes-street/all-crime", {"poly": over}) == {"method": "POST", "poly": over}
        post = srv.requests_to("/api/crimes-street/all-crime")[-1]
        assert post.headers["content-type"] == "application/x-www-form-urlencoded" and post.query == {}


# ---- offline: file:// ------------------------------------------------------------------------


def test_file_base_url_maps_paths_to_json_files(tmp_path):
    (tmp_path / "northbridge" / "NB01").mkdir(parents=True)
    (tmp_path / "forces.json").write_text(json.dumps([{"id": "northbridge", "name": "Northbridge Police"}]))
    (tmp_path / "northbridge" / "neighbourhoods.json").write_text(json.dumps([{"id": "NB01", "name": "Quay"}]))
    (tmp_path / "northbridge" / "NB01.json").write_text(json.dumps({"id": "NB01", "name": "Quay"}))
    (tmp_path / "northbridge" / "NB01" / "people.json").write_text(json.dumps([{"name": "PC Synthetic"}]))
    (tmp_path / "stops-force.json").write_text("[]")
    (tmp_path / "stops-force__date=2024-01__force=northbridge.json").write_text('[{"type": "Person search"}]')
    with PoliceApi(tmp_path.as_uri()) as api:
        assert api.forces() == [{"id": "northbridge", "name": "Northbridge Police"}]
        assert api.neighbourhoods("northbridge") == [{"id": "NB01", "name": "Quay"}]
        assert api.neighbourhood("northbridge", "NB01") == {"id": "NB01", "name": "Quay"}
        assert api.neighbourhood_part("northbridge", "NB01", "people") == [{"name": "PC Synthetic"}]
        assert api.stops_force("northbridge", "2024-01") == [{"type": "Person search"}]  # query encoded
        assert api.stops_force("northbridge", "2024-02") == []  # query ignored: fallback
        with pytest.raises(ApiError, match="NB02/events.json") as e:
            api.neighbourhood_part("northbridge", "NB02", "events")
        assert e.value.status == 404
        with pytest.raises(ApiError, match="leaves the API folder"):
            api.neighbourhood("..", "..")
