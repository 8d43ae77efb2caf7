"""The police.uk neighbourhood team covering a ward: contact, officers, priorities, events.

Only the stored plain-text fields are read: police.uk's HTML is never shown as HTML, and
its links are shown only when they are http(s), mailto or tel.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from openbeat.areas.lake_reads import columns, has, memo, rows
from openbeat.areas.lookup import ListedArea


@dataclass
class Team:
    """A police.uk neighbourhood team covering a ward, as published (text, never HTML)."""

    force: str
    neighbourhood_id: str
    name: str
    description: str = ""
    email: str | None = None
    telephone: str | None = None
    url: str | None = None
    people: list[dict] = field(default_factory=list)  # name, rank, bio, photo, contact (routes), social
    priorities: list[dict] = field(default_factory=list)  # issue, issued, action, actioned
    events: list[dict] = field(default_factory=list)  # upcoming: title, type, starts_at, ends_at, address
    past_events: list[dict] = field(default_factory=list)  # the latest that are over, newest first
    stations: list[dict] = field(default_factory=list)  # name, address, postcode, type, opening (description)
    contact: list[dict] = field(default_factory=list)  # label, value, href: every published way to reach them
    social: list[dict] = field(default_factory=list)  # label, href
    links: list[dict] = field(default_factory=list)  # title, href, description (council pages and the like)


#: police.uk contact_details keys: how to reach someone (label, href prefix) and social sites.
CONTACT_ROUTES = {"email": ("Email", "mailto:"), "telephone": ("Telephone", "tel:"), "mobile": ("Mobile", "tel:"),
                  "web": ("Web page", ""), "address": ("Address", None), "fax": ("Fax", None)}
SOCIAL = {"twitter": "X (Twitter)", "facebook": "Facebook", "youtube": "YouTube", "flickr": "Flickr",
          "forum": "Forum", "blog": "Blog", "rss": "News feed (RSS)", "instagram": "Instagram",
          "myspace": "Myspace", "bebo": "Bebo"}
#: Only these link schemes are shown: police.uk text is never trusted to be a safe URL.
_SAFE_URL = re.compile(r"^(https?://|mailto:|tel:)", re.I)


def _href(url: str | None) -> str | None:
    url = (url or "").strip()
    return url if _SAFE_URL.match(url) else None


def contact_routes(details: dict) -> tuple[list[dict], list[dict]]:
    """police.uk ``contact_details`` as (ways to reach them, social links), each with a safe href or none."""
    routes, social = [], []
    for key, (label, prefix) in CONTACT_ROUTES.items():
        value = str(details.get(key) or "").strip()
        if value:
            href = _href(prefix + (value.replace(" ", "") if prefix == "tel:" else value)) if prefix is not None else None
            routes.append({"label": label, "value": value, "href": href})
    for key, label in SOCIAL.items():
        href = _href(str(details.get(key) or ""))
        if href:
            social.append({"label": label, "href": href})
    return routes, social


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _contact(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def neighbourhood_ward(*, force: str, neighbourhood_id: str) -> str | None:
    """The ward a police.uk neighbourhood covers most of."""
    if not has("neighbourhood_wards"):
        return None
    row = rows("SELECT ward_code FROM neighbourhood_wards WHERE force = ? AND neighbourhood_id = ? "
                "ORDER BY is_best DESC, share_of_neighbourhood DESC LIMIT 1", [force, neighbourhood_id])
    return row[0]["ward_code"] if row else None


def area_team(*, area: ListedArea, now: dt.datetime | None = None) -> Team | None:
    """The neighbourhood team covering most of a ward (``neighbourhood_wards``), or None.

    Only the stored plain-text fields are read (``description_text``, ``issue_text``…):
    police.uk's HTML is never shown as HTML. Events are those not yet over at ``now``
    (UK local time, as the API publishes them; by default the start of this hour).
    """
    from zoneinfo import ZoneInfo

    now = now or dt.datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    return memo(("team", area.code, area.level, now), lambda: _area_team(area, now))


def _area_team(area: ListedArea, now: dt.datetime) -> Team | None:
    if area.level != "ward" or not has("neighbourhood_wards", "neighbourhoods"):
        return None
    link = rows("SELECT force, neighbourhood_id FROM neighbourhood_wards WHERE ward_code = ? "
                 "ORDER BY is_best DESC, share_of_ward DESC LIMIT 1", [area.code])
    if not link:
        return None
    key = [link[0]["force"], link[0]["neighbourhood_id"]]
    have = columns("neighbourhoods")
    extra = ", ".join(c if c in have else f"NULL AS {c}" for c in ("links", "locations"))
    found = rows(f"SELECT name, description_text, url_force, contact_details, {extra} FROM neighbourhoods "
                  "WHERE force = ? AND neighbourhood_id = ? LIMIT 1", key)
    if not found:
        return None
    n = found[0]
    contact = _contact(n["contact_details"])
    team = Team(force=key[0], neighbourhood_id=key[1], name=n["name"] or key[1],
                description=(n["description_text"] or "").strip(), email=contact.get("email"),
                telephone=contact.get("telephone"), url=_href(n["url_force"]))
    team.contact, team.social = contact_routes(contact)
    team.links = [{"title": str(x.get("title") or x.get("url")), "href": _href(x.get("url")),
                   "description": x.get("description")}
                  for x in _json_list(n["links"]) if isinstance(x, dict) and _href(x.get("url"))]
    team.stations = [{"name": x.get("name"), "type": x.get("type"), "postcode": x.get("postcode"),
                      "address": ", ".join(p.strip(" ,") for p in str(x.get("address") or "").splitlines()
                                           if p.strip(" ,")),
                      "opening": _plain_text(x.get("description"))}
                     for x in _json_list(n["locations"]) if isinstance(x, dict)]
    if has("neighbourhood_people"):
        team.people = []
        for p in rows("SELECT name, rank, bio_text AS bio, contact_details FROM neighbourhood_people "
                       "WHERE force = ? AND neighbourhood_id = ? ORDER BY position", key):
            details = _contact(p.pop("contact_details"))
            p["contact"], p["social"] = contact_routes(details)
            p["photo"] = _href(details.get("photo") or details.get("image"))  # police.uk rarely publishes one
            team.people.append(p)
    if has("neighbourhood_priorities"):
        team.priorities = rows(
            "SELECT issue_text AS issue, CAST(issued_at AS DATE) AS issued, action_text AS action, "
            "CAST(actioned_at AS DATE) AS actioned FROM neighbourhood_priorities "
            "WHERE force = ? AND neighbourhood_id = ? ORDER BY issued_at DESC NULLS LAST, position", key)
    if has("neighbourhood_events"):
        team.events = rows(
            "SELECT title, type, description_text AS description, address, starts_at, ends_at "
            "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
            "AND coalesce(ends_at, starts_at) >= ? ORDER BY starts_at, position LIMIT 10", [*key, now])
        team.past_events = rows(
            "SELECT title, type, description_text AS description, address, starts_at, ends_at "
            "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
            "AND coalesce(ends_at, starts_at) < ? ORDER BY starts_at DESC, position LIMIT 5", [*key, now])
    return team


def _plain_text(value) -> str | None:
    """A location's description (opening times, usually) as plain text."""
    from openbeat.ingest.neighbourhoods import html_to_text

    text = html_to_text(value) if value else None
    return text.strip() if text and text.strip() else None



def neighbourhood_events(*, area: ListedArea) -> list[dict]:
    """Every event police.uk published for the team covering most of a ward, past and
    upcoming (newest first): title, type, description, address, starts_at, ends_at."""
    if area.level != "ward" or not has("neighbourhood_wards", "neighbourhood_events"):
        return []
    link = rows("SELECT force, neighbourhood_id FROM neighbourhood_wards WHERE ward_code = ? "
                 "ORDER BY is_best DESC, share_of_ward DESC LIMIT 1", [area.code])
    if not link:
        return []
    return rows("SELECT title, type, description_text AS description, address, starts_at, ends_at "
                 "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
                 "ORDER BY starts_at DESC, position LIMIT 50", [link[0]["force"], link[0]["neighbourhood_id"]])
