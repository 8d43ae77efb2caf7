"""police.uk API responses for the demo force, laid out as the URL paths.

``forces.json`` answers ``GET /api/forces``, ``northbridge/NB01/people.json`` answers
``GET /api/northbridge/NB01/people`` and so on, so a directory server can stand in
for ``https://data.police.uk/api/``. Shapes follow the API documentation and the real
examples in ``../shared/data/police_uk_api``: coordinates are strings, dates are
``YYYY-MM-DDTHH:MM:SS`` without a zone, ``population`` is a string, and the JSON is
compact as the live API sends it.

Officers, their contact details and the events are invented: e-mail addresses use the
reserved ``.example`` domain and telephone numbers Ofcom's range for drama
(07700 900000–900999), so none can reach a real person.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely

from openbeat.demo import vocab
from openbeat.demo.geography import City, to_wgs84
from openbeat.demo.reference import write_text

SITE = "https://northbridge.police.example"
RANKS = ("Sergeant", "PC", "PC", "PCSO")
#: Wards whose team is short of the Met's minimum of 2 ward officers and 1 PCSO.
UNDER_STRENGTH = 3


def write_api(city: City, folder: Path, months: list[str], change_month: str, seed: int,
              today: date) -> dict[str, Path]:
    """The API's files; events and everyday priorities dated around ``today`` (planted ones by the data)."""
    rng = np.random.default_rng([seed, 8])
    everyday = np.random.default_rng([seed, 9])  # its own stream: the other files stay as they were
    W = city.wards
    out = {}

    def put(rel: str, obj) -> None:
        out[rel] = write_text(folder / f"{rel}.json", json.dumps(obj, separators=(",", ":")))

    put("forces", [{"id": vocab.FORCE, "name": vocab.FORCE_NAME}])
    put(f"forces/{vocab.FORCE}", {
        "description": "<p>Northbridge Police is a fictional force: the synthetic demo of OpenBeat. "
                       "Its crimes, officers and places are generated and describe nothing real.</p>",
        "url": f"{SITE}/",
        "engagement_methods": [
            {"title": "Website", "url": f"{SITE}/", "description": "The (fictional) force website"},
            {"title": "telephone", "url": "", "description": "101"},
        ],
        "telephone": "101",
        "id": vocab.FORCE,
        "name": vocab.FORCE_NAME,
    })
    put("crimes-street-dates", [{"date": m, "stop-and-search": [vocab.FORCE]} for m in reversed(months)])
    put(f"{vocab.FORCE}/neighbourhoods", [{"id": str(nid), "name": W.name[w]} for w, nid in enumerate(W.extra["nbhd"])])

    pop = np.array([city.lsoas.extra["pop"][city.lsoas.extra["ward"] == w].sum() for w in range(len(W))])
    short = set(rng.choice(len(W), UNDER_STRENGTH, replace=False).tolist())
    end = _month_date(months[-1])
    for w, nid in enumerate(W.extra["nbhd"]):
        base = f"{vocab.FORCE}/{nid}"
        centre = shapely.point_on_surface(W.geom[w])
        clon, clat = to_wgs84([centre.x], [centre.y])
        slug = nid.lower()
        put(base, {
            "url_force": f"{SITE}/area/{slug}",
            "contact_details": {"email": f"{slug}.team@northbridge.police.example", "telephone": "101"},
            "name": W.name[w],
            "links": [{"url": f"{SITE}/council", "description": None,
                       "title": "Northbridge Council (fictional)"}],
            "centre": {"latitude": f"{clat[0]:.6f}", "longitude": f"{clon[0]:.6f}"},
            "locations": [{
                "name": f"{W.name[w]} Police Office", "longitude": f"{clon[0]:.6f}",
                "postcode": None, "address": f"1 {W.name[w]} Street, Northbridge",
                "latitude": f"{clat[0]:.6f}", "type": "station", "description": None,
            }],
            "description": f"<p>{W.name[w]} is a ward of {city.boroughs.name[W.borough[w]]} in the "
                           "synthetic Northbridge demo. Nothing here describes a real place.</p>",
            "id": str(nid),
            "population": str(int(pop[w])),
        })
        put(f"{base}/boundary", _boundary(W.geom[w]))
        put(f"{base}/people", _team(rng, w in short))
        put(f"{base}/events", _events(rng, everyday, W.name[w], today))
        put(f"{base}/priorities", _priorities(city, w, change_month, end) or _everyday_priority(everyday, W.name[w], today))
    return out


def _boundary(geom) -> list[dict[str, str]]:
    ring = np.asarray(shapely.simplify(geom, 15).exterior.coords)[:-1]
    lon, lat = to_wgs84(ring[:, 0], ring[:, 1])
    return [{"latitude": f"{a:.10f}", "longitude": f"{o:.10f}"} for a, o in zip(lat, lon)]


def _team(rng, short: bool) -> list[dict]:
    ranks = list(RANKS)
    if rng.random() < 0.4:
        ranks.append("PCSO")
    if short:
        ranks.remove("PC")  # a vacancy: below the 2 ward officers + 1 PCSO minimum
    team = []
    for rank in ranks:
        first = vocab.FIRST_NAMES[rng.integers(len(vocab.FIRST_NAMES))]
        last = vocab.SURNAMES[rng.integers(len(vocab.SURNAMES))]
        number = int(rng.integers(0, 1000))
        team.append({
            "bio": f"{first} is a fictional {rank} in the synthetic Northbridge demo force.",
            "contact_details": {
                "email": f"{first.lower()}.{last.lower()}@northbridge.police.example",
                "telephone": f"07700 900{number:03d}",
            },
            "name": f"{first} {last}",
            "rank": rank,
        })
    return team


def _events(rng, everyday, ward: str, today: date) -> list[dict]:
    """One to three events in the next 5 to 80 days, and the last ward panel, 20 to 70 days ago."""
    kinds = (
        ("meeting", f"{ward} ward panel", "Residents set and review the neighbourhood's priorities with the team."),
        ("surgery", "Meet your neighbourhood team", "Drop in to raise a concern or ask a question."),
        ("street briefing", "Street briefing", "The team will be on the high street to hear from residents."),
    )
    events = []
    for k in range(int(rng.integers(1, 4))):
        kind, title, description = kinds[k]
        day = today + timedelta(days=int(rng.integers(5, 80)))
        hour = int(rng.choice([10, 14, 18, 19]))
        events.append({
            "contact_details": {},
            "description": description + " (Synthetic demo event.)",
            "title": title,
            "address": f"{ward} Community Centre, Northbridge",
            "type": kind,
            "start_date": f"{day.isoformat()}T{hour:02d}:00:00",
            "end_date": f"{day.isoformat()}T{hour + 1:02d}:30:00",
        })
    past = today - timedelta(days=int(everyday.integers(20, 71)))
    kind, title, description = kinds[0]
    events.append({
        "contact_details": {}, "description": description + " (Synthetic demo event.)", "title": title,
        "address": f"{ward} Community Centre, Northbridge", "type": kind,
        "start_date": f"{past.isoformat()}T19:00:00", "end_date": f"{past.isoformat()}T20:30:00",
    })
    return sorted(events, key=lambda e: e["start_date"])


#: Everyday priorities for wards without a planted one: (issue, action or None).
EVERYDAY = (
    ("Speeding on the residential roads of {ward}.", "Speed checks with residents' Community Speedwatch, weekly."),
    ("Theft from vehicles in {ward}'s car parks.", None),
    ("Anti-social behaviour around {ward} high street in the evenings.",
     "Evening foot patrols on Fridays and Saturdays, with the council's wardens."),
    ("Drug dealing reported near {ward} park.", None),
    ("Cycle theft at {ward} station.", "Property-marking sessions at the station and more secure stands."),
)


def _everyday_priority(everyday, ward: str, today: date) -> list[dict]:
    """One priority set 3 to 10 weeks before ``today``, with an action published for some."""
    issue, action = EVERYDAY[int(everyday.integers(len(EVERYDAY)))]
    issued = today - timedelta(days=int(everyday.integers(21, 71)))
    acted = issued + timedelta(days=int(everyday.integers(7, 20))) if action else None
    return [{
        "action": action, "issue-date": f"{issued.isoformat()}T00:00:00",
        "action-date": f"{acted.isoformat()}T00:00:00" if acted else None, "issue": issue.format(ward=ward),
    }]


def _priorities(city: City, w: int, change_month: str, end: date) -> list[dict]:
    """The planted priorities (README.md): one that worked, one that did not, one open."""
    roles = city.roles
    name = city.wards.name[w]
    adopted = _month_date(change_month)
    reviewed = (adopted + timedelta(days=95)).replace(day=1)
    if w == roles["burglary_ward"]:
        return [{
            "action": "Target-hardening visits to every street with a burglary, marked property, "
                      "and evening patrols on the estates. Burglaries have fallen since.",
            "issue-date": f"{adopted.isoformat()}T00:00:00",
            "action-date": f"{reviewed.isoformat()}T00:00:00",
            "issue": f"Reduce residential burglary in {name}.",
        }]
    if w == roles["asb_ward"]:
        return [{
            "action": "Dispersal patrols in the park on Friday and Saturday evenings.",
            "issue-date": f"{adopted.isoformat()}T00:00:00",
            "action-date": f"{reviewed.isoformat()}T00:00:00",
            "issue": f"Anti-social behaviour by groups in {name} park.",
        }]
    if w == roles["nte_ward"]:
        return [{
            "action": None,
            "issue-date": f"{(end - timedelta(days=40)).replace(day=1).isoformat()}T00:00:00",
            "action-date": None,
            "issue": f"Violence and disorder around the late-night venues of {name}.",
        }]
    return []


def _month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)
