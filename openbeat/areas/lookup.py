"""Areas by code: the lake's list of areas (ONS boundaries) and the police forces.

The lake's ``areas`` reference dataset (code, name, level, parent codes, web geometry; see
``openbeat.ingest.boundaries``) is the one list of areas; a force is an area too, listed
from the crimes the lake holds (its police.uk slug is its code).
"""

from __future__ import annotations

from dataclasses import dataclass

from openbeat.analytics import harm as harm_lib
from openbeat.areas.lake_reads import columns, has, memo, rows
from openbeat.geo.levels import AREA_LEVELS, LEVEL_NAMES
from openbeat.web.lake_access import get_store

#: Levels in the order a code is looked up (an LSOA code can be both 2011 and 2021): largest first.
LOOKUP_ORDER = tuple(reversed(AREA_LEVELS))

#: Which level's areas make up an area, and the ``areas`` column that points up to it.
CHILDREN = {"borough": ("ward", "borough_code"), "ward": ("lsoa21", "ward_code"),
            "msoa21": ("lsoa21", "msoa_code")}
#: The ``crime_counts`` column holding an area's code at each level.
COUNT_COLUMN = {"borough": "borough_code", "ward": "ward_code", "lsoa21": "lsoa21_code"}

ASB = harm_lib.ASB
CRIME_TYPES = harm_lib.CRIME_TYPES

#: The analytics figures that exist for each level.
FIGURES = {
    "force": ("profile", "stop_search", "trust"),
    "borough": ("profile", "hotspots", "stop_search", "trust"),
    "ward": ("profile", "hotspots", "stop_search", "trust"),
    "lsoa21": ("profile",),
}


@dataclass(frozen=True)
class ListedArea:
    """An area of the lake's list (``areas``, or a force), as the site shows it: its name,
    level, the areas it lies in, where to write its name on a map, and its figures.

    (The analytics library's :class:`openbeat.analytics.store.Area` is the area a figure is
    computed for; this one is read for pages and the API, at every level.)"""

    code: str
    name: str
    level: str
    approximate: bool = False  # boundary dissolved from LSOAs, not published
    ward_code: str | None = None
    borough_code: str | None = None
    msoa_code: str | None = None
    centroid_lat: float | None = None
    centroid_lon: float | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)

    @property
    def parent_codes(self) -> dict[str, str]:
        """Codes of the areas this one lies in, largest first."""
        pairs = (("borough", self.borough_code), ("msoa21", self.msoa_code), ("ward", self.ward_code))
        return {level: code for level, code in pairs if code and code != self.code}

    @property
    def figures(self) -> tuple[str, ...]:
        return FIGURES.get(self.level, ())


_AREA_COLUMNS = ("code", "name", "level", "approximate", "ward_code", "borough_code", "msoa_code",
                 "centroid_lat", "centroid_lon")


def area_columns_sql() -> str:
    """The ``areas`` columns a :class:`ListedArea` is read from (NULL where an older lake lacks one)."""
    have = columns("areas")
    return ", ".join(c if c in have else f"NULL AS {c}" for c in _AREA_COLUMNS)


def area_from_row(row: dict) -> ListedArea:
    """A :class:`ListedArea` from a row of :func:`area_columns_sql`."""
    return ListedArea(
        code=row["code"], name=row["name"] or row["code"], level=row["level"],
        approximate=bool(row["approximate"]), ward_code=row["ward_code"], borough_code=row["borough_code"],
        msoa_code=row["msoa_code"], centroid_lat=row["centroid_lat"], centroid_lon=row["centroid_lon"],
    )


def _level_order() -> str:
    return "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LOOKUP_ORDER)) + " ELSE 99 END"


def forces() -> list[ListedArea]:
    """Forces with street crime in the lake (their police.uk slug is their code)."""
    if not has("crimes"):
        return []
    store = get_store()
    # the store lists forces from the crimes files themselves: once per state of the lake
    return store.memo("web_forces", lambda: [ListedArea(a.code, a.name, "force") for a in store.areas("force")])


def area_get(*, code: str) -> ListedArea | None:
    """The area with this code (GSS code, or a force's slug); a current level wins over LSOA 2011."""
    return memo(("area", code), lambda: _area_get(code))


def _area_get(code: str) -> ListedArea | None:
    if has("areas"):
        found = area_index(get_store())["code"].get(code)
        if found is not None:
            return found
    return next((f for f in forces() if f.code == code), None)


def area_index(store) -> dict:
    """Every area of the lake's ``areas`` list without its geometry, read once per state of the
    lake (by :mod:`openbeat.areas.apps`, before the store serves a page): ``"code"``, each
    code's area (the largest level, as :data:`LOOKUP_ORDER`), and ``"children"``, the areas of each
    :data:`CHILDREN` level by (level, parent code), by name then code. The same areas, in the
    same order, as the queries of the ``areas`` file they replace: that file is one row group
    with the boundaries (75,667 rows for England and Wales), read whole by each look-up (2-3 ms,
    about ten a page)."""
    def build():
        cur = store.cursor()
        have = {c for (c,) in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'areas'").fetchall()}
        names = ", ".join(c if c in have else f"NULL AS {c}" for c in _AREA_COLUMNS)
        rank = {level: i for i, level in enumerate(LOOKUP_ORDER)}
        by_code: dict[str, tuple[int, ListedArea]] = {}
        children: dict[tuple[str, str, str], list[tuple]] = {}
        shared: dict[str, str] = {}  # one string per level and parent code: 31 -> 22 MB a process (national)
        for values in cur.execute(f"SELECT {names} FROM areas").fetchall():
            row = dict(zip(_AREA_COLUMNS, values))
            for column in ("level", "ward_code", "borough_code", "msoa_code"):
                if row[column] is not None:
                    row[column] = shared.setdefault(row[column], row[column])
            area = area_from_row(row)
            order = rank.get(row["level"], 99)
            if row["code"] not in by_code or order < by_code[row["code"]][0]:
                by_code[row["code"]] = (order, area)
            for level, column in CHILDREN.values():
                if row["level"] == level and row[column] is not None:
                    children.setdefault((level, column, row[column]), []).append((row["name"], row["code"], area))

        def name_then_code(t):  # ORDER BY name, code: NULLs last, as DuckDB orders them
            return (t[0] is None, t[0] or "", t[1] is None, t[1] or "")

        return {"code": {code: area for code, (_, area) in by_code.items()},
                "children": {key: [t[2] for t in sorted(found, key=name_then_code)]
                             for key, found in children.items()}}

    return store.memo(("web", "area-index"), build)


def area_list(*, level: str | None = None, parent: str | None = None, q: str | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[ListedArea], int]:
    """Areas matching the filters, by level then name, and how many match in all.

    ``parent`` is a force, borough, ward or MSOA code; ``q`` matches names and codes, any case.
    Forces come first when no level (or ``force``) is asked for.
    """
    pool: list[ListedArea] = []
    if level in (None, "force") and not parent:
        like = (q or "").lower()
        pool = [f for f in forces() if like in f.name.lower() or like in f.code.lower()]
    if level == "force" or not has("areas"):
        return pool[offset:offset + limit], len(pool)
    where, params = [], []
    if level:
        where.append("level = ?")
        params.append(level)
    if parent:
        if any(f.code == parent for f in forces()):
            # every area of the boroughs the force's crimes fall in
            where.append("coalesce(borough_code, code) IN (SELECT DISTINCT borough_code FROM crime_counts "
                         "WHERE force = ? AND borough_code IS NOT NULL)")
            params.append(parent)
        else:
            where.append("(borough_code = ? OR ward_code = ? OR msoa_code = ?) AND code <> ?")
            params += [parent] * 4
    if q:
        where.append("(name ILIKE ? ESCAPE '\\' OR code ILIKE ? ESCAPE '\\')")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    cond = " WHERE " + " AND ".join(where) if where else ""
    total = rows(f"SELECT count(*) AS n FROM areas{cond}", params)[0]["n"] + len(pool)
    skip = max(offset - len(pool), 0)
    take = limit - len(pool[offset:offset + limit])
    found = rows(
        f"SELECT {area_columns_sql()} FROM areas{cond} ORDER BY {_level_order()}, name, code LIMIT ? OFFSET ?",
        [*params, take, skip],
    ) if take > 0 else []
    return pool[offset:offset + limit] + [area_from_row(r) for r in found], int(total)


def area_parents(*, area: ListedArea) -> list[ListedArea]:
    """The areas this one lies in, largest first (for breadcrumbs)."""
    out = []
    for code in area.parent_codes.values():
        parent = area_get(code=code)
        if parent is not None:
            out.append(parent)
    return out


def area_children(*, area: ListedArea) -> list[ListedArea]:
    return memo(("children", area.code, area.level), lambda: _area_children(area))


def _area_children(area: ListedArea) -> list[ListedArea]:
    if area.level == "force":
        return [b for b in (area_get(code=a.code) for a in get_store().areas("borough", within=area.code)) if b]
    if area.level not in CHILDREN or not has("areas"):
        return []
    level, column = CHILDREN[area.level]
    return list(area_index(get_store())["children"].get((level, column, area.code), ()))


def area_force(*, area: ListedArea) -> ListedArea | None:
    """The force whose crimes mostly fall in the area (for links to force-wide figures)."""
    return memo(("force", area.code, area.level), lambda: _area_force(area))


def _area_force(area: ListedArea) -> ListedArea | None:
    if area.level == "force":
        return area
    column = COUNT_COLUMN.get(area.level)
    if column is None or not has("crimes"):
        return None
    row = rows(f"SELECT force FROM crime_counts WHERE {column} = ? GROUP BY 1 ORDER BY sum(n) DESC LIMIT 1",
                [area.code])
    return next((f for f in forces() if row and f.code == row[0]["force"]), None)

