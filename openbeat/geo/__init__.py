"""Geometry for OpenBeat: coordinate systems, point-in-polygon, simplification, overlaps.

Everything here works on numpy arrays of shapely 2 geometries in British National
Grid (EPSG:27700, metres) unless a name says otherwise; WGS84 appears only at the
edges (police.uk coordinates in, web maps out). No Django, no lake writes except in
:mod:`openbeat.geo.rollup`, which keeps the stop-search area cache.

Modules: :mod:`crs` (transforms), :mod:`pip` (vectorised point-in-polygon),
:mod:`simplify` (coverage simplification to a size budget), :mod:`overlap` (area-overlap
lookups such as LSOA 2011 → 2021), :mod:`dissolve` (wards from LSOAs),
:mod:`neighbourhoods` (police.uk neighbourhoods ↔ wards), :mod:`rollup` (DuckDB views
``crimes_geo``, ``outcomes_geo``, ``stop_searches_geo``), :mod:`postcode` (a UK postcode's
shape and standard form).
"""
