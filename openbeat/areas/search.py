"""Finding an area: by postcode or coordinates (through :mod:`openbeat.locate`), or by name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openbeat.areas.lake_reads import has, rows
from openbeat.areas.lookup import ListedArea, area_columns_sql, area_from_row, area_get, forces
from openbeat.web.shared_figures import sentence
from openbeat.web.resident import for_residents
from openbeat.web.lake_access import StoreLake, get_store


@dataclass
class FindResult:
    """What a search for a postcode, coordinates or place name found."""

    query: str
    located: dict | None = None  # openbeat.locate.locate() output
    areas: list[ListedArea] = field(default_factory=list)  # areas containing the point, largest first
    matches: list[ListedArea] = field(default_factory=list)  # areas whose name matches, in SEARCH_ORDER
    message: str = ""  # why nothing was found, in plain English
    total: int = 0  # how many areas match in all (``matches`` holds the first ``limit``)

    @property
    def destination(self) -> ListedArea | None:
        """Where to send the person straight away: the ward at a point, or the only name match."""
        if self.areas:
            return next((a for a in self.areas if a.level == "ward"), self.areas[-1])
        if len(self.matches) == 1 and self.total == 1:
            return self.matches[0]
        return None

    @property
    def groups(self) -> list[tuple[str, list[ListedArea]]]:
        """The matches under the headings a resident reads, statistical areas last and labelled."""
        out: dict[str, list[ListedArea]] = {}
        for a in self.matches:
            out.setdefault(SEARCH_GROUPS[a.level], []).append(a)
        return list(out.items())


#: Search results in the order residents expect: their neighbourhood (ward), borough, force,
#: then the statistical areas of the Census, which few people know by name.
SEARCH_ORDER = ("ward", "borough", "force", "msoa21", "lsoa21", "lsoa11")
SEARCH_GROUPS = {"ward": "Neighbourhoods (wards)", "borough": "Boroughs", "force": "Police forces",
                 "msoa21": "Statistical areas (used for Census figures)",
                 "lsoa21": "Statistical areas (used for Census figures)",
                 "lsoa11": "Statistical areas (used for Census figures)"}


def area_search(*, query: str, limit: int = 20) -> tuple[list[ListedArea], int]:
    """Areas whose name or code contains ``query``, in :data:`SEARCH_ORDER`, and how many in all.

    A police.uk neighbourhood whose name differs from its ward's (a place name residents use)
    finds that ward. Within a level an exact name comes first, then names in order.
    """
    q = query.strip()
    pool = [f for f in forces() if q.lower() in f.name.lower() or q.lower() in f.code.lower()]
    if not has("areas"):
        return pool[:limit], len(pool)
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cond = "(name ILIKE ? ESCAPE '\\' OR code ILIKE ? ESCAPE '\\')"
    places: list[str] = []
    if has("neighbourhoods", "neighbourhood_wards"):
        places = [r["ward_code"] for r in rows(
            "SELECT DISTINCT w.ward_code FROM neighbourhoods n JOIN neighbourhood_wards w USING (force, neighbourhood_id) "
            "WHERE w.is_best AND n.name ILIKE ? ESCAPE '\\'", [like])]
    order = "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(SEARCH_ORDER)) + " ELSE 99 END"
    where = f"(({cond}) OR (level = 'ward' AND code IN (SELECT unnest(?::VARCHAR[]))))"
    params = [like, like, places]
    total = int(rows(f"SELECT count(*) AS n FROM areas WHERE {where}", params)[0]["n"])
    found = [area_from_row(r) for r in rows(
        f"SELECT {area_columns_sql()} FROM areas WHERE {where} "
        f"ORDER BY {order}, lower(name) <> lower(?), name, code LIMIT ?", [*params, q, limit])]
    local = [a for a in found if a.level in ("ward", "borough")]
    rest = [a for a in found if a.level not in ("ward", "borough")]
    return (local + pool + rest)[:limit], total + len(pool)


def area_find(*, query: str, limit: int = 20) -> FindResult:
    """Areas for a postcode or "lat,lng" (through ``openbeat.locate``), else by name."""
    from openbeat.locate import LocateError, locate, parse_query

    query = query.strip()
    result = FindResult(query)
    try:
        kind, _ = parse_query(query)
    except LocateError:
        kind = "name"
    if kind != "name":
        if not has("areas"):
            result.message = "No areas have been loaded into this site yet."
            return result
        try:
            result.located = locate(StoreLake(get_store()), query)
        except LocateError as exc:
            result.message = for_residents(sentence(str(exc)), next_step=(
                "Check the postcode, or search for your neighbourhood, ward or borough by name."))
            return result
        for level in ("borough", "ward", "msoa21", "lsoa21"):
            hit = result.located.get(level)
            if hit and (found := area_get(code=hit["code"])) is not None:
                result.areas.append(found)
        if not result.areas:
            result.message = "That place is outside the areas this site has data for."
        return result
    result.matches, result.total = area_search(query=query, limit=limit)
    if not result.matches:
        if _LOOKS_LIKE_PLACE.match(query):
            result.message = f"“{query}” is not a postcode this site knows. Try part of a ward or borough name."
        else:
            result.message = f"No area is called “{query}”. Try a postcode, or part of a ward or borough name."
    return result


# a postcode ("N13 4PN") or coordinates ("51.5,-0.12"): only for the message above
_LOOKS_LIKE_PLACE = re.compile(r"^\s*([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}|[-+\d.]+\s*[, ]\s*[-+\d.]+)\s*$")


def example_postcode() -> str | None:
    """A postcode from the loaded directory, for the search box's hint (the demo's are made up)."""
    if not has("postcodes"):
        return None

    def compute():
        row = rows("SELECT postcode FROM postcodes WHERE latitude IS NOT NULL ORDER BY postcode_key LIMIT 1")
        return row[0]["postcode"] if row else None

    return get_store().memo("web_example_postcode", compute)
