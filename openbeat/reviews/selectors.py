"""Reads about reviews: the published ones, the previous one, and what has been revised since."""

from __future__ import annotations

from django.db.models import QuerySet

from openbeat.reviews.models import Review


def review_list(*, area_code: str) -> QuerySet[Review]:
    """Every published review of an area, newest quarter first, every version."""
    return Review.objects.filter(area_code=area_code).order_by("-quarter", "-version")


def review_areas() -> list[dict]:
    """Areas with at least one review: code, name, level, the latest quarter and how many."""
    out: dict[str, dict] = {}
    for r in Review.objects.order_by("area_code", "-quarter", "-version").values(
            "area_code", "area_name", "area_level", "quarter"):
        a = out.setdefault(r["area_code"], {"code": r["area_code"], "name": r["area_name"],
                                            "level": r["area_level"], "latest": r["quarter"], "count": 0})
        a["count"] += 1
    return sorted(out.values(), key=lambda a: ({"force": 0, "borough": 1}.get(a["level"], 2), a["name"]))


def review_get(*, area_code: str, quarter: str, version: int | None = None) -> Review | None:
    """A version of a review (the latest when ``version`` is None)."""
    qs = Review.objects.filter(area_code=area_code, quarter=quarter)
    if version is not None:
        return qs.filter(version=version).first()
    return qs.order_by("-version").first()


def review_previous(*, area_code: str, quarter: str) -> Review | None:
    """The latest version of the review of the nearest earlier quarter."""
    return (Review.objects.filter(area_code=area_code, quarter__lt=quarter)
            .order_by("-quarter", "-version").first())


def review_versions(*, review: Review) -> list[Review]:
    return list(Review.objects.filter(area_code=review.area_code, quarter=review.quarter).order_by("version"))


def review_follow_name(code: str) -> str | None:
    try:
        review = Review.objects.filter(pk=int(code)).first()
    except ValueError:
        return None
    return review.title if review else None


def review_revisions(*, review: Review) -> list[str]:
    """"Figures since revised": what the current lake gives differently from the frozen figures.

    Nothing is recomputed unless police.uk files of the months the review read (its quarter
    and the 21 months before, for the year-on-year comparisons) or reference data changed
    since it was published; then the live figures are computed once per lake state and
    compared headline by headline. The stored figures are never rewritten.
    """
    from openbeat.analytics import review as lib
    from openbeat.areas.area_figures import ward_survey
    from openbeat.web.lake_access import get_store

    store = get_store()
    now = lib.lake_state(store)
    if now["signature"] == review.lake_signature:
        return []
    q = lib.Quarter.parse(review.quarter)
    changed = lib.state_changes(review.lake_state, now, first=q.shift(-7).first, last=q.last)
    if not changed:
        return []
    key = ("review-live-headlines", review.area_code, review.quarter)

    def live():
        return lib.headlines(lib.review_figures(store, review.area_code, review.quarter, responses=ward_survey()))
    differ = lib.revisions(review.headlines, store.memo(key, live))
    if not differ:
        return []
    return differ + ["Source data re-published since: " + "; ".join(changed[:6])
                     + (f" and {len(changed) - 6} more" if len(changed) > 6 else "") + "."]


def review_community(*, area, quarter: str) -> dict:
    """Engagement, trust pulse and priorities for a review, as they stand now (plain JSON)."""
    import dataclasses
    import datetime as dt

    from openbeat.analytics.review import Quarter
    from openbeat.areas import lookup
    from openbeat.events.engagement import engagement
    from openbeat.surveys.estimates import ward_pulse_figures
    from openbeat.surveys.selectors import pulse_answers

    q = Quarter.parse(quarter)
    if area.level == "ward":
        wards = [area]
    elif area.level == "borough":
        wards, _ = lookup.area_list(level="ward", parent=area.code, limit=1000)
    else:
        wards = [w for b in lookup.area_list(level="borough", parent=area.code, limit=100)[0]
                 for w in lookup.area_list(level="ward", parent=b.code, limit=1000)[0]]
    codes = [w.code for w in wards]
    e = engagement(ward_codes=codes, code=area.code, name=area.name, today=q.last_day)
    eng = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(e).items()}
    eng["collected"] = e.collected
    answered = set(pulse_answers(quarter=quarter)["ward_code"]) & set(codes)
    pulse = []
    for w in wards:
        if w.code not in answered:
            continue
        for f in ward_pulse_figures(area=w, quarter=quarter):
            if f.answers:
                pulse.append({"code": w.code, "name": w.name, "measure": f.measure, "short": f.short,
                              "answers": f.answers, "shown": f.shown, "shown_low": f.shown_low,
                              "shown_high": f.shown_high, "shown_source": f.shown_source})
    return {"engagement": eng, "pulse": pulse, "priorities": review_priorities(ward_codes=codes, until=q.last_day)}


def review_priorities(*, ward_codes: list[str], until) -> list[dict]:
    """"You said, we did": priorities taken on by ``until``, shown ones only, with their outcome."""
    from openbeat.moderation.models import Visibility
    from openbeat.priorities.models import Priority

    rows = (Priority.objects.filter(ward_code__in=ward_codes, adopted_on__isnull=False, adopted_on__lte=until,
                                    visibility=Visibility.VISIBLE).order_by("-adopted_on", "-pk"))
    return [{"id": p.pk, "title": p.title, "ward_code": p.ward_code, "state": p.state,
             "adopted_on": p.adopted_on.isoformat(), "outcome": p.outcome or None,
             "closed_on": p.closed_on.isoformat() if p.closed_on else None, "summary": p.summary,
             "url": p.get_absolute_url()} for p in rows[:200]]


def review_next(*, review: Review) -> Review | None:
    """The latest version of the review of the nearest later quarter."""
    return (Review.objects.filter(area_code=review.area_code, quarter__gt=review.quarter)
            .order_by("quarter", "-version").first())
