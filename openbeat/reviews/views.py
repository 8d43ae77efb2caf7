"""Review pages: the index per area, a review (each version at its own permanent URL), its PDF
and Atom feed, comments, and the administrators' Publish button. The pages carry comments
and per-person buttons, so none is kept in the lake-state answer cache."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from openbeat.accounts.models import Role
from openbeat.accounts.selectors import user_has_role
from openbeat.comments.http import comment_post_view, comments_context
from openbeat.moderation.http import forbidden, writer_required
from openbeat.reviews import selectors, services
from openbeat.reviews.models import Review
from openbeat.reviews.presenters import review_view, scorecard_row


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _area(code: str):
    from openbeat.areas import lookup

    area = lookup.area_get(code=code)
    if area is None or area.level not in ("force", "borough", "ward"):
        raise Http404(f"No force, borough or ward has the code {code}")
    return area


def _is_admin(user) -> bool:
    return user_has_role(user=user, kinds={Role.Kind.ADMINISTRATOR})


def _review(code: str, quarter: str, version: int | None) -> Review:
    review = selectors.review_get(area_code=code, quarter=quarter, version=version)
    if review is None:
        raise Http404(f"No review of {code} for {quarter}" + (f" version {version}" if version else ""))
    return review


@require_safe
def review_index(request: HttpRequest) -> HttpResponse:
    return _page(request, "reviews/index.html", {"areas": selectors.review_areas()})


@require_safe
def area_reviews(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    from openbeat.analytics.review import latest_quarters
    from openbeat.web.lake_access import get_store

    admin = _is_admin(request.user)
    quarters = [str(q) for q in reversed(latest_quarters(get_store(), 8))] if admin else []
    return _page(request, "reviews/area.html", {"area": area, "reviews": list(selectors.review_list(area_code=area.code)),
                                                 "admin": admin, "quarters": quarters})


@require_safe
def review_detail(request: HttpRequest, code: str, quarter: str, version: int | None = None) -> HttpResponse:
    review = _review(code, quarter, version)
    user = request.user
    return _page(request, "reviews/detail.html", {
        "review": review, "view": review_view(review=review), "row": scorecard_row(review),
        "versions": selectors.review_versions(review=review),
        "latest": version is None, "revisions": selectors.review_revisions(review=review),
        "next": selectors.review_next(review=review),
        **comments_context(request, target_kind="review", target_id=review.pk,
                           moderator=user_has_role(user=user, kinds={Role.Kind.MODERATOR}, force=review.force)),
        "comment_url": f"{review.get_absolute_url()}comments/",
    })


@require_safe
def review_pdf(request: HttpRequest, code: str, quarter: str, version: int) -> HttpResponse:
    from openbeat.reviews.pdf import review_pdf_bytes

    review = _review(code, quarter, version)
    revisions = selectors.review_revisions(review=review)
    response = HttpResponse(review_pdf_bytes(review=review, revisions=revisions), content_type="application/pdf")
    name = f"openbeat-review-{review.area_code}-{review.quarter}-v{review.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_POST
@writer_required
def review_publish(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    if not _is_admin(request.user):
        return forbidden(request, "Only administrators publish reviews.")
    try:
        review = services.review_publish(area_code=area.code, quarter=request.POST.get("quarter", ""),
                                         by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reviews:area", code=area.code)
    messages.success(request, f"Published {review.title}, version {review.version}.")
    return redirect(review)


@require_POST
@writer_required
def review_comment_add(request: HttpRequest, code: str, quarter: str, version: int) -> HttpResponse:
    review = _review(code, quarter, version)
    return comment_post_view(request, page_url=review.get_absolute_url(), add=lambda parent, held: (
        services.review_comment_add(review=review, author=request.user, body=request.POST.get("body", ""),
                                    parent=parent, held_reason=held)))
