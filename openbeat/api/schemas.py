"""Response shapes of the API (also the OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from openbeat.api.tables import page_schema


class Point(Schema):
    latitude: float
    longitude: float


class AreaLinks(Schema):
    self: str = Field(..., description="This area in the API.")
    page: str = Field(..., description="This area's web page.")
    map: str
    profile: str | None = Field(None, description="Crime profile (forces, boroughs, wards, LSOAs 2021).")
    trends: str | None = None
    crimes_by_month: str | None = None
    hotspots: str | None = Field(None, description="Gi* hot spots (boroughs and wards).")
    stop_search: str | None = Field(None, description="Stop and search (forces, boroughs, wards).")
    trust: str | None = Field(None, description="Trust and confidence (forces, boroughs, wards).")
    scorecard: str | None = Field(None, description="Progress scorecard (forces and boroughs).")
    team: str | None = Field(None, description="Neighbourhood policing team (wards).")


class AreaOut(Schema):
    code: str = Field(..., description="GSS code, e.g. E05013806, a force's police.uk slug, or a synthetic demo code.")
    name: str
    level: str = Field(..., description="force, borough, ward, msoa21, lsoa21 or lsoa11.")
    level_name: str
    approximate: bool = Field(..., description="Boundary dissolved from LSOA 2021 polygons, not published.")
    parents: dict[str, str] = Field(..., description="Codes of the areas this one lies in, by level.")
    centroid: Point | None
    links: AreaLinks


AreaPage = page_schema(AreaOut, "AreaPage")


class CrimeMonth(Schema):
    month: str = Field(..., description="YYYY-MM")
    crimes: int | None = Field(..., description="Recorded crimes, anti-social behaviour apart (null: not published).")
    anti_social_behaviour: int | None
    count_year_before: int | None = Field(None, description="Crimes in the same month a year earlier.")
    yoy_direction: str = Field(..., description="up, down, no significant change or not comparable (E-test).")
    yoy_p_value: float | None
    rolling_12: int | None = Field(None, description="Crimes in the 12 months to this one.")
    rolling_12_before: int | None = Field(None, description="Crimes in the 12 months before those.")
    rolling_direction: str
    rolling_p_value: float | None


CrimeMonthPage = page_schema(CrimeMonth, "CrimeMonthPage")


class FeatureProperties(Schema):
    code: str
    name: str
    level: str
    crimes: int | None = Field(None, description="Recorded crimes in the latest 12 months (null: no crime data).")


class Feature(Schema):
    type: str = "Feature"
    id: str
    properties: FeatureProperties
    geometry: dict


class AreaMapOut(Schema):
    type: str = "FeatureCollection"
    period: list[str] | None = Field(None, description="[first month, last month] of the crime counts.")
    features: list[Feature]


class LocatedArea(Schema):
    code: str
    name: str
    level: str
    links: AreaLinks


class LocateOut(Schema):
    query: str
    source: str = Field(..., description="coordinates, postcode_directory or postcodes.io")
    postcode: str | None
    latitude: float | None
    longitude: float | None
    easting: float | None
    northing: float | None
    status: str = Field(..., description="ok; outside_area when no loaded area contains the point; no_areas when "
                                         "no boundaries are loaded.")
    areas: list[LocatedArea] = Field(..., description="Loaded areas containing the point, largest first.")
    neighbourhood: dict | None = Field(None, description="police.uk neighbourhood (force, id, name) if known.")


class Person(Schema):
    name: str | None
    rank: str | None
    bio: str | None


class Priority(Schema):
    issue: str | None
    issued: date | None
    action: str | None
    actioned: date | None


class Event(Schema):
    title: str | None
    type: str | None
    description: str | None
    address: str | None
    starts_at: datetime | None = Field(None, description="UK local time, as police.uk publishes it, with its offset.")
    ends_at: datetime | None


class Station(Schema):
    name: str | None
    type: str | None
    address: str | None
    postcode: str | None
    opening: str | None = Field(None, description="The force's description, usually opening times.")


class Link(Schema):
    label: str | None = None
    title: str | None = None
    href: str


class TeamOut(Schema):
    force: str
    neighbourhood_id: str
    name: str
    description: str
    email: str | None
    telephone: str | None
    url: str | None
    people: list[Person]
    priorities: list[Priority]
    events: list[Event] = Field(..., description="Events not yet over.")
    past_events: list[Event] = Field([], description="The five latest events that are over, newest first.")
    stations: list[Station] = Field([], description="Police stations and offices the team works from.")
    social: list[Link] = Field([], description="The team's social media pages.")
    links: list[Link] = Field([], description="Other pages the team links to (the council and the like).")


class CrimePoint(Schema):
    latitude: float = Field(..., description="police.uk's anonymised point (WGS84), never the crime's own place.")
    longitude: float
    location: str = Field(..., description='police.uk\'s name for the point, e.g. "On or near High Street".')
    crimes: int = Field(..., description="Crimes placed at this point in the month (anti-social behaviour not "
                                         "included).")
    anti_social_behaviour: int = Field(..., description="Anti-social behaviour reports placed at this point.")
    counts: dict[str, int] = Field(..., description="Crimes and anti-social behaviour at this point by police.uk "
                                                    "crime type.")


class CrimePointsOut(Schema):
    code: str
    month: str = Field(..., description="The month, YYYY-MM.")
    crimes: int = Field(..., description="Located crimes in the area this month, anti-social behaviour not "
                                         "included (as in /crimes/monthly, /map and the profile).")
    anti_social_behaviour: int = Field(..., description="Located anti-social behaviour reports, counted apart.")
    categories: dict[str, int] = Field(..., description="Crimes and anti-social behaviour by police.uk crime type, "
                                                        "all points.")
    points_total: int = Field(..., description="Points with a crime this month.")
    truncated: bool = Field(..., description="True when only the busiest `points` are given (at most 5,000).")
    points: list[CrimePoint]
