"""Writes about reviews: publishing (never overwriting) and residents' comments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from openbeat.comments.models import Comment
from openbeat.comments.services import comment_post
from openbeat.notifications.delivery import notification_send
from openbeat.reviews.models import Review


def review_publish(*, area_code: str, quarter: str, by=None, synthetic: bool = False) -> Review:
    """Freeze a review of ``area_code`` (force slug, borough or ward) for ``quarter`` (YYYY-Qn).

    The lake figures are computed first (seconds, outside any transaction), then stored
    with the lake state they came from as the next version for that area and quarter; a
    published version is never changed. Followers of the area are told.
    """
    from openbeat.analytics import review as lib
    from openbeat.analytics.store import UnknownArea
    from openbeat.areas import area_figures, lookup
    from openbeat.web.lake_access import get_store

    try:
        q = lib.Quarter.parse(quarter)
    except lib.BadQuarter as exc:
        raise ValidationError(str(exc)) from None
    area = lookup.area_get(code=area_code)
    if area is None or area.level not in ("force", "borough", "ward"):
        raise ValidationError(f"{area_code!r} is not a force, borough or ward this site knows.")
    store = get_store()
    state = lib.lake_state(store)  # before the figures: a later ingest shows as a revision, never hidden
    try:
        figures = lib.review_figures(store, area.code, str(q), responses=area_figures.ward_survey())
    except (UnknownArea, ValueError) as exc:
        raise ValidationError(str(exc)) from None
    if "declined" in figures["sections"]["crime"]:  # the quarter is not one the area's forces published
        raise ValidationError(f"The lake holds no figures for {area.name} in {q.label()}: "
                              + figures["sections"]["crime"]["declined"])
    from openbeat.reviews.selectors import review_community

    community = review_community(area=area, quarter=str(q))
    force = lookup.area_force(area=area)
    return _review_create(area=area, quarter=str(q), figures=figures, community=community, state=state, by=by,
                          force=force.code if force else "", synthetic=synthetic)


@transaction.atomic
def _review_create(*, area, quarter: str, figures: dict, community: dict, state: dict, by, force: str,
                   synthetic: bool) -> Review:
    from openbeat.analytics import review as lib
    from openbeat.reviews.selectors import review_previous

    previous = review_previous(area_code=area.code, quarter=quarter)
    heads = lib.headlines(figures, community)
    changes, commitments = [], []
    if previous is not None:
        changes = lib.changes(previous.headlines, heads, previous_label=previous.quarter, current_label=quarter)
        commitments = lib.commitments(previous.community.get("priorities", []), community.get("priorities", []))
    version = (Review.objects.select_for_update().filter(area_code=area.code, quarter=quarter)
               .aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            review = Review.objects.create(
                area_code=area.code, area_name=area.name, area_level=area.level, force=force, quarter=quarter,
                version=version, figures=figures, community=community, headlines=heads, changes=changes,
                commitments=commitments, previous=previous, lake_state=state, lake_signature=state["signature"],
                published_by=by if getattr(by, "pk", None) else None, synthetic=synthetic)
    except IntegrityError:
        raise ValidationError("Another version of this review was published at the same moment; "
                              "publish again to make the next version.") from None
    lead = next((h["statement"] for h in heads if h["value"] is not None), "")
    notification_send(target_kind="area", target_code=area.code,
                      subject=f"New progress review: {area.name}, {quarter}",
                      body=(f"Version {version}. " if version > 1 else "") + lead, url=review.get_absolute_url(),
                      actor=by if getattr(by, "pk", None) else None)
    return review


@transaction.atomic
def review_comment_add(*, review: Review, author, body: str, parent: Comment | None = None,
                       held_reason: str = "") -> Comment:
    """A comment (or a reply) on a review; people following the review are told."""
    return comment_post(author=author, target_kind="review", target_id=review.pk,
                        target_url=review.get_absolute_url(), force=review.force, title=review.title, body=body,
                        parent=parent, held_reason=held_reason)
