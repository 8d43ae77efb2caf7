from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "openbeat.areas"
    label = "openbeat_areas"
    verbose_name = "Areas"

    def ready(self):
        from openbeat.web import lake_access

        if _prepare not in lake_access.preparers:
            lake_access.preparers.append(_prepare)


def _prepare(snap) -> None:
    """Read what area pages read once per lake state while the store is built (see
    :func:`openbeat.web.lake_access.build`), not on a visitor's request."""
    from openbeat.analytics import hotspots
    from openbeat.areas.lookup import area_index

    if "areas" in snap.state.datasets:
        area_index(snap.store)
        hotspots.boundaries(snap.store)
