"""Areas (boroughs, wards, MSOAs, LSOAs): finding one, and its page of the three questions.

Areas live in the lake (reference dataset ``areas``), not in the app database; this app
has no models. Its reads, one module a noun: :mod:`.lookup` (areas by code, their parents
and parts, the forces), :mod:`.search` (by postcode, coordinates or name), :mod:`.maps`
(an area's parts as GeoJSON, crimes at points), :mod:`.teams` (the police.uk
neighbourhood team), :mod:`.area_figures` (the analytics figures of an area and their
reshaping), all through :mod:`.lake_reads`. The planning tools across areas are
:mod:`openbeat.planning`. Community records about an area (priorities,
meetings) will get their own app keyed by the area's code.
"""
