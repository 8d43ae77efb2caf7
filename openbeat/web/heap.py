"""A serving process's long-lived objects kept out of the garbage collector's full collections.

A worker holds a large heap for as long as it serves one lake state: Django and the
analytics modules, the store's look-ups read once per state (the areas index, every
ward's and borough's boundary, the months, the forces), the templates. CPython's
collector finds reference cycles by walking every object of a generation; its oldest
generation holds all of that, so each full collection walks it again, on whatever request
happens to allocate the object that triggers it: 150-250 ms of CPU, a cold ward page's
worth, once every few dozen pages on a national lake (``gc.callbacks`` in a worker
serving cold pages).

:func:`settle` collects what is garbage now, then moves every object still alive to the
permanent generation (``gc.freeze``), which no collection walks: later collections walk
only what was made since. It runs once the worker has prepared, before it takes a
request, and again each time the background thread publishes a new lake state (first
unfreezing, so that the previous state's objects, no longer used, are collected then).
Objects frozen are still freed by reference counting; only cycles among them wait for
the next :func:`settle`.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect everything, then freeze what is left (see the module docstring)."""
    gc.unfreeze()  # the previous state's objects, frozen at the last settle, may be garbage now
    gc.collect()
    gc.freeze()
