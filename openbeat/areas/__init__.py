"""Areas (boroughs, wards, MSOAs, LSOAs): finding one, and its page of the three questions.

Areas live in the lake (reference dataset ``areas``), not in the app database; this app
has selectors and views but no models yet. Community records about an area (priorities,
meetings) will get their own app keyed by the area's code.
"""
