"""Analytics results for the web, computed once per state of the lake and shared by pages and API.

An area page, the charts on it and the API answers they fetch ask for the same figures
(a ward's profile, its hot spots) within a second of each other. :func:`figure` runs the
analytics function once per process and lake state, and keeps the last few hundred
:class:`~openbeat.analytics.result.Result` objects; they are read, never changed.

Errors are the analytics library's own: ``UnknownArea`` (no such area), ``BadPeriod``
(a bad month or an inverted period) and ``ValueError`` (anything else the input makes
impossible, said in plain words). The API turns them into 404 and 400 answers; pages
show the message where the figure would have been.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable

from openbeat.analytics.result import Result
from openbeat.web.lake_access import get_store, lake_state


def _functions() -> dict[str, Callable[..., Result]]:
    from openbeat.analytics.allocation import allocation_plan
    from openbeat.analytics.comparison import compare_areas
    from openbeat.analytics.did_it_work import did_it_work
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.targeting import targeting
    from openbeat.analytics.trust import trust
    from openbeat.analytics.vawg import vawg

    out = {
        "profile": area_profile, "hotspots": hotspots, "compare": compare_areas, "stop_search": stop_search,
        "trust": trust, "targeting": targeting, "allocation": allocation_plan, "did_it_work": did_it_work,
        "vawg": vawg,
    }
    try:
        from openbeat.analytics.scorecard import scorecard
    except ImportError:  # not written yet in this checkout
        pass
    else:
        out["scorecard"] = scorecard
    return out


FUNCTIONS: dict[str, Callable[..., Result]] = {}
MAX_RESULTS = 512

_lock = threading.Lock()
_results: OrderedDict[tuple, Result] = OrderedDict()


def available(name: str) -> bool:
    if not FUNCTIONS:
        FUNCTIONS.update(_functions())
    return name in FUNCTIONS


def figure(name: str, *args, **kwargs) -> Result:
    """``openbeat.analytics`` function ``name`` on this process's store, memoised per lake state.

    >>> figure("profile", "X05000030", None, None)  # doctest: +SKIP
    """
    if not available(name):
        raise LookupError(f"no figure called {name!r}")
    # keyword arguments left at their defaults are left out, so the page's call and the
    # API's (which names every parameter) share one result
    defaults = _defaults(name)
    kwargs = {k: v for k, v in kwargs.items() if k not in defaults or defaults[k] != v}
    key = (lake_state().signature, name, args, tuple(sorted(kwargs.items())))
    with _lock:
        hit = _results.get(key)
        if hit is not None:
            _results.move_to_end(key)
            return hit
    result = FUNCTIONS[name](get_store(), *args, **kwargs)
    with _lock:
        _results[key] = result
        while len(_results) > MAX_RESULTS:
            _results.popitem(last=False)
    return result


@functools.cache
def _defaults(name: str) -> dict:
    params = inspect.signature(FUNCTIONS[name]).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def sentence(text: str) -> str:
    """A library's message as a sentence for people: capital first, full stop last."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def clear() -> None:
    with _lock:
        _results.clear()
