"""Neighbourhood policing teams from the police.uk API, stored as lake reference datasets.

    >>> from openbeat.lake import Lake
    >>> from openbeat.ingest.neighbourhoods import fetch_neighbourhoods
    >>> report = fetch_neighbourhoods(Lake("lake"), force="metropolitan")   # doctest: +SKIP

For each neighbourhood in ``/{force}/neighbourhoods`` the client asks for its details
(``/{force}/{id}``), team (``/people``), events, priorities and boundary — five requests,
within the API's rate limit (:class:`openbeat.ingest.policeuk_client.TokenBucket`). Five datasets
result, one row per published item, with ``force`` and ``neighbourhood_id`` on every row:

``neighbourhoods``
    ``name``, ``description`` (as published, HTML), ``description_text``, ``population``
    (a string, as published), ``url_force``, ``centre_latitude``, ``centre_longitude``, and
    ``contact_details``, ``links``, ``locations`` as JSON text exactly as published.
``neighbourhood_people``
    ``position`` (order in the response), ``name``, ``rank``, ``bio``, ``bio_text``,
    ``contact_details`` (JSON text).
``neighbourhood_events``
    ``position``, ``title``, ``type``, ``description``, ``description_text``, ``address``,
    ``start_date``/``end_date`` as published, ``starts_at``/``ends_at`` parsed (UK local
    time, no zone, as the API gives it), ``contact_details`` (JSON text).
``neighbourhood_priorities``
    ``position``, ``issue``, ``issue_text``, ``issue_date``, ``action``, ``action_text``,
    ``action_date`` (dates as published) and ``issued_at``/``actioned_at`` parsed.
``neighbourhood_boundaries``
    ``points`` (as published), ``geometry`` — WKB polygon in WGS84 (lon, lat order,
    OGC:CRS84) — and ``geometry_27700`` — the same in British National Grid via pyproj —
    plus ``area_m2`` and ``repaired`` (the published ring was not a valid polygon and
    shapely's ``make_valid`` repaired it). The file carries GeoParquet metadata, so
    ``geopandas.read_parquet`` reads it directly; ``shapely.from_wkb`` reads either column.

**HTML.** The API returns HTML in descriptions, bios and priorities' issue/action text.
The raw text is kept; ``*_text`` columns hold a plain-text version (tags dropped, entities
decoded, paragraphs as blank lines). Neither is safe to insert into a page as HTML: the web
app must escape them (Django templates do by default).

**Failures and atomicity.** A neighbourhood whose requests fail (after retries) is
reported and keeps the rows it had from an earlier fetch; the others load. Nothing is
written until the whole pass is over; then the five datasets are written to temporary files
and renamed into place together under the lake's lock. Rows of other forces are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS, Transformer

from openbeat.ingest.http import HttpError
from openbeat.ingest.policeuk_client import API_URL, PoliceApi
from openbeat.lake import Lake

PARTS = ("people", "events", "priorities", "boundary")

_KEY = [("force", pa.string()), ("neighbourhood_id", pa.string())]
SCHEMAS = {
    "neighbourhoods": pa.schema(_KEY + [
        ("name", pa.string()), ("description", pa.string()), ("description_text", pa.string()),
        ("population", pa.string()), ("url_force", pa.string()),
        ("centre_latitude", pa.float64()), ("centre_longitude", pa.float64()),
        ("contact_details", pa.string()), ("links", pa.string()), ("locations", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
    ]),
    "neighbourhood_people": pa.schema(_KEY + [
        ("position", pa.int32()), ("name", pa.string()), ("rank", pa.string()),
        ("bio", pa.string()), ("bio_text", pa.string()), ("contact_details", pa.string()),
    ]),
    "neighbourhood_events": pa.schema(_KEY + [
        ("position", pa.int32()), ("title", pa.string()), ("type", pa.string()),
        ("description", pa.string()), ("description_text", pa.string()), ("address", pa.string()),
        ("start_date", pa.string()), ("end_date", pa.string()),
        ("starts_at", pa.timestamp("s")), ("ends_at", pa.timestamp("s")),
        ("contact_details", pa.string()),
    ]),
    "neighbourhood_priorities": pa.schema(_KEY + [
        ("position", pa.int32()), ("issue", pa.string()), ("issue_text", pa.string()),
        ("issue_date", pa.string()), ("action", pa.string()), ("action_text", pa.string()),
        ("action_date", pa.string()), ("issued_at", pa.timestamp("s")), ("actioned_at", pa.timestamp("s")),
    ]),
    "neighbourhood_boundaries": pa.schema(_KEY + [
        ("points", pa.int32()), ("geometry", pa.binary()), ("geometry_27700", pa.binary()),
        ("area_m2", pa.float64()), ("repaired", pa.bool_()),
    ]),
}

_TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


@dataclass
class NeighbourhoodReport:
    force: str
    listed: int = 0
    loaded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # id → what went wrong
    rows: dict[str, int] = field(default_factory=dict)  # dataset → rows of this force written
    error: str | None = None  # the pass could not run at all (nothing written)
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed


def fetch_neighbourhoods(lake: Lake, *, force: str, base_url: str = API_URL, api: PoliceApi | None = None,
                         workers: int = 4,
                         progress: Callable[[int, int, str, str | None], None] | None = None) -> NeighbourhoodReport:
    """Fetch every neighbourhood of ``force`` and replace this force's rows in the five datasets.

    ``progress(done, total, neighbourhood_id, error_or_None)`` is called as each finishes.
    ``workers`` threads share one rate limiter, so the API's limit holds whatever the count.
    """
    own = api is None
    api = api or PoliceApi(base_url)
    report = NeighbourhoodReport(force)
    try:
        try:
            listing = api.neighbourhoods(force)
            if not isinstance(listing, list) or not all(isinstance(x, dict) and x.get("id") for x in listing):
                raise ValueError("the neighbourhood list is not a list of {id, name} objects")
        except (HttpError, ValueError) as e:
            report.error = f"cannot list {force}'s neighbourhoods: {e}"
            return report
        report.listed = len(listing)
        fetched_at = datetime.now(timezone.utc)
        results: dict[str, dict] = {}

        def one(ref: dict) -> tuple[str, dict | None, str | None]:
            nid = str(ref["id"])
            try:
                return nid, _fetch_one(api, force, nid, ref), None
            except (HttpError, ValueError, TypeError, KeyError) as e:
                return nid, None, str(e)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done, (nid, data, err) in enumerate(pool.map(one, listing), start=1):
                if err is None:
                    results[nid] = data
                else:
                    report.failed[nid] = err
                if progress:
                    progress(done, len(listing), nid, err)
        order = [str(r["id"]) for r in listing if str(r["id"]) in results]
        report.loaded = order
        tables = _tables(force, [results[n] for n in order], fetched_at)
        _replace(lake, force, tables, keep_ids=set(report.failed), report=report)
        # Link the new boundaries to wards now, so pages and locate see them at once.
        from openbeat.geo.neighbourhoods import link_lake_neighbourhoods

        link_lake_neighbourhoods(lake)
        return report
    finally:
        report.requests = api.requests
        if own:
            api.close()


def _fetch_one(api: PoliceApi, force: str, nid: str, ref: dict) -> dict:
    details = api.neighbourhood(force, nid)
    if not isinstance(details, dict):
        raise ValueError(f"{nid}: details are not an object")
    out = {"id": nid, "ref": ref, "details": details}
    for part in PARTS:
        value = api.neighbourhood_part(force, nid, part)
        if not isinstance(value, list):
            raise ValueError(f"{nid}: /{part} is not a list")
        out[part] = value
    return out


# ---- building the tables -----------------------------------------------------------------


def _tables(force: str, items: list[dict], fetched_at: datetime) -> dict[str, pa.Table]:
    rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    for it in items:
        key = {"force": force, "neighbourhood_id": it["id"]}
        d = it["details"]
        centre = d.get("centre") or {}
        rows["neighbourhoods"].append({
            **key, "name": d.get("name") or it["ref"].get("name"),
            "description": d.get("description"), "description_text": html_to_text(d.get("description")),
            "population": _str(d.get("population")), "url_force": d.get("url_force"),
            "centre_latitude": _float(centre.get("latitude")), "centre_longitude": _float(centre.get("longitude")),
            "contact_details": _json(d.get("contact_details")), "links": _json(d.get("links")),
            "locations": _json(d.get("locations")), "fetched_at": fetched_at,
        })
        for i, p in enumerate(it["people"]):
            rows["neighbourhood_people"].append({
                **key, "position": i, "name": p.get("name"), "rank": p.get("rank"), "bio": p.get("bio"),
                "bio_text": html_to_text(p.get("bio")), "contact_details": _json(p.get("contact_details")),
            })
        for i, e in enumerate(it["events"]):
            rows["neighbourhood_events"].append({
                **key, "position": i, "title": e.get("title"), "type": e.get("type"),
                "description": e.get("description"), "description_text": html_to_text(e.get("description")),
                "address": e.get("address"), "start_date": e.get("start_date"), "end_date": e.get("end_date"),
                "starts_at": _when(e.get("start_date")), "ends_at": _when(e.get("end_date")),
                "contact_details": _json(e.get("contact_details")),
            })
        for i, p in enumerate(it["priorities"]):
            rows["neighbourhood_priorities"].append({
                **key, "position": i, "issue": p.get("issue"), "issue_text": html_to_text(p.get("issue")),
                "issue_date": p.get("issue-date"), "action": p.get("action"),
                "action_text": html_to_text(p.get("action")), "action_date": p.get("action-date"),
                "issued_at": _when(p.get("issue-date")), "actioned_at": _when(p.get("action-date")),
            })
        rows["neighbourhood_boundaries"].append({**key, **boundary_row(it["boundary"])})
    return {name: pa.Table.from_pylist(r, schema=SCHEMAS[name]) for name, r in rows.items()}


def boundary_row(points: list[dict]) -> dict:
    """The API's [{"latitude": "…", "longitude": "…"}, …] as WKB in WGS84 and EPSG:27700.

    The API gives one ring, not closed; it is closed here. A ring that is not a valid
    polygon (self-touching, repeated points) is repaired with ``shapely.make_valid`` and
    only its polygonal parts kept; fewer than three points give no geometry.
    """
    coords = [(float(p["longitude"]), float(p["latitude"])) for p in points]
    row = {"points": len(coords), "geometry": None, "geometry_27700": None, "area_m2": None, "repaired": False}
    if len(coords) < 3:
        return row
    geom = shapely.Polygon(coords)
    if not geom.is_valid:
        fixed = shapely.make_valid(geom)
        polys = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else None
        row["repaired"] = True
        if geom is None or geom.is_empty:
            return row
    bng = shapely.transform(geom, lambda xy: np.column_stack(_TO_BNG.transform(xy[:, 0], xy[:, 1])))
    row.update(geometry=shapely.to_wkb(geom), geometry_27700=shapely.to_wkb(bng), area_m2=float(bng.area))
    return row


def _geo_metadata() -> bytes:
    """GeoParquet 1.1 metadata: ``geometry`` in OGC:CRS84 (the default), the other in 27700."""
    return json.dumps({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {"encoding": "WKB", "geometry_types": ["Polygon", "MultiPolygon"]},
            "geometry_27700": {"encoding": "WKB", "geometry_types": ["Polygon", "MultiPolygon"],
                               "crs": CRS.from_epsg(27700).to_json_dict()},
        },
    }).encode()


def _replace(lake: Lake, force: str, tables: dict[str, pa.Table], *, keep_ids: set[str],
             report: NeighbourhoodReport) -> None:
    """Swap this force's rows in all five datasets, temp files first, renames together."""
    finals, temps = {}, {}
    try:
        for name, new in tables.items():
            final = lake.table_path(name)
            old = pq.read_table(final) if final.exists() else None
            parts = []
            if old is not None and old.num_rows:
                old = old.select(SCHEMAS[name].names).cast(SCHEMAS[name])
                forces = old.column("force").to_pylist()
                ids = old.column("neighbourhood_id").to_pylist()
                keep = [f != force or i in keep_ids for f, i in zip(forces, ids)]
                parts.append(old.filter(pa.array(keep)))
            parts.append(new)
            table = pa.concat_tables(parts)
            if name == "neighbourhood_boundaries":
                table = table.replace_schema_metadata({b"geo": _geo_metadata()})
            report.rows[name] = new.num_rows
            tmp = lake.temp_path(final)
            temps[name], finals[name] = tmp, final
            pq.write_table(table, tmp, compression="zstd")
        with lake.lock():
            for name in tables:
                lake.commit(temps[name], finals[name])
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


# ---- small converters ------------------------------------------------------------------------


_PARA = "\x1e"  # a paragraph break while parsing; lines inside a paragraph use "\n"


class _Text(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
    _PARAGRAPH = {"p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
    _SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def _block(self, tag: str) -> None:
        self.parts.append(_PARA if tag in self._PARAGRAPH else "\n")

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self._block(tag)
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag, attrs):
        if tag in self._BLOCK:
            self._block(tag)

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self._block(tag)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(re.sub(r"\r?\n[ \t]*\r?\n", _PARA, data))  # blank line = paragraph


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def html_to_text(value: str | None) -> str | None:
    """Plain text from the API's HTML fragments: tags dropped, entities decoded.

    Paragraphs (``<p>``, headings, blank lines) are separated by a blank line, other
    blocks (``<br>``, ``<li>``, ``<div>``) by a line break; spaces are collapsed. Some
    forces' text is HTML escaped twice (``&lt;p&gt;``); one more pass is made when the
    decoded text still holds tags. The result is text, not markup: escape it when shown.
    """
    if value is None:
        return None
    text = str(value)
    for _ in range(2):
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
        if not _TAG.search(text.replace(_PARA, "\n")):
            break
        text = text.replace(_PARA, "<p>")
    paragraphs = []
    for para in text.replace("\r", "").split(_PARA):
        lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in para.split("\n")]
        if any(lines):
            paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(paragraphs)


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _float(value) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _when(value) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if when.tzinfo is not None:  # the API gives UK local time without a zone; keep it that way
        when = when.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)
    return when
