"""Publishing, pages, PDF, feed, comments and follows of reviews on the small Northbridge lake."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.reviews.conftest import PREVIOUS, QUARTER
from tests.web.community import person, with_role

pytestmark = pytest.mark.django_db


def _publish(code, quarter=QUARTER, **kw):
    from openbeat.reviews.services import review_publish

    return review_publish(area_code=code, quarter=quarter, **kw)


def test_publishing_twice_makes_a_new_version_and_keeps_the_first(demo_lake, ward):
    from openbeat.reviews.models import Review

    first = _publish(ward)
    frozen = Review.objects.get(pk=first.pk).figures
    second = _publish(ward)
    assert (first.version, second.version) == (1, 2)
    assert Review.objects.filter(area_code=ward, quarter=QUARTER).count() == 2
    assert Review.objects.get(pk=first.pk).figures == frozen  # never overwritten
    # the same lake state gives the same figures, and the stored state says which it was
    assert second.figures == frozen and second.lake_signature == first.lake_signature
    assert first.lake_state["partitions"]["crimes/northbridge/2025-10"]


def test_review_figures_equal_the_live_figures_on_the_same_lake_state(demo_lake, ward):
    from openbeat.analytics import review as lib
    from openbeat.analytics.store import Store

    review = _publish(ward)
    store = Store(demo_lake)
    assert lib.lake_state(store)["signature"] == review.lake_signature
    assert review.figures == lib.review_figures(store, ward, QUARTER)
    assert review.headlines[:len(lib.headlines(review.figures))] == lib.headlines(review.figures)


def test_a_review_compares_itself_with_the_previous_one(demo_lake, ward):
    from statsmodels.stats.rates import test_poisson_2indep

    before = _publish(ward, PREVIOUS)
    after = _publish(ward)
    assert after.previous == before and before.previous is None
    changes = {c["key"]: c for c in after.changes}
    b = next(h for h in before.headlines if h["key"] == "crimes")["value"]
    a = next(h for h in after.headlines if h["key"] == "crimes")["value"]
    assert (changes["crimes"]["before"], changes["crimes"]["after"]) == (b, a)
    assert changes["crimes"]["p_value"] == pytest.approx(test_poisson_2indep(b, 1, a, 1, method="etest").pvalue)
    assert all(c["method"] and c["verdict"] for c in after.changes)


def test_followers_of_the_area_are_told(demo_lake, ward):
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create

    fan = person()
    follow_create(user=fan, target_kind="area", target_code=ward)
    review = _publish(ward)
    n = Notification.objects.get(user=fan)
    assert n.url == review.get_absolute_url() == f"/reviews/{ward}/{QUARTER}/v1/"
    assert n.subject.startswith("New progress review: ") and n.subject.endswith(f", {QUARTER}")


def test_a_quarter_the_lake_does_not_hold_is_refused(demo_lake, ward):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="The lake holds no figures for .* in 2031-Q1"):
        _publish(ward, "2031-Q1")
    with pytest.raises(ValidationError, match="is not a quarter"):
        _publish(ward, "2025-5")


def test_revised_figures_show_as_a_note_without_rewriting_the_review(demo_lake, ward):
    from openbeat.reviews.models import Review
    from openbeat.reviews.selectors import review_revisions

    review = _publish(ward)
    assert review_revisions(review=review) == []
    # as if police.uk had since re-published October and the review had counted 5 crimes fewer
    state = dict(review.lake_state, partitions=dict(review.lake_state["partitions"]), signature="older")
    state["partitions"]["crimes/northbridge/2025-10"] = "an-older-file"
    heads = [dict(h) for h in review.headlines]
    crimes = next(h for h in heads if h["key"] == "crimes")
    crimes["value"] -= 5
    Review.objects.filter(pk=review.pk).update(lake_state=state, lake_signature="older", headlines=heads)
    review.refresh_from_db()
    notes = review_revisions(review=review)
    assert notes == [f"Crimes this quarter: {crimes['value']:,} when published, {crimes['value'] + 5:,} now",
                     "Source data re-published since: northbridge's street crimes for 2025-10 re-published."]
    assert Review.objects.get(pk=review.pk).headlines == heads  # still as stored


def test_the_review_page_and_its_neighbours(client, demo_lake, ward):
    before = _publish(ward, PREVIOUS)
    review = _publish(ward)
    r = client.get(review.get_absolute_url())
    assert r.status_code == 200 and "no-cache" in r["Cache-Control"]
    html = r.content.decode()
    for h in review.headlines:
        assert h["statement"].replace("'", "&#x27;") in html
    assert f'href="{before.get_absolute_url()}" id="previous-link"' in html
    # every verdict's class is one CSS class ("not tested" would be two), and crime's verdict is
    # the like-for-like one: this review's own change against the same months a year earlier
    crimes = next(c for c in review.changes if c["key"] == "crimes")
    own = next(h for h in review.headlines if h["key"] == "crimes")
    assert crimes["verdict"] == {"down": "better", "up": "worse"}.get(own["direction"], own["direction"])
    assert 'class="ob-review-verdict--not-tested">Not tested</span>' in html
    assert "ob-review-verdict--not tested" not in html
    assert "Crime is judged against the same months a year earlier, not against the last quarter" in html
    assert reverse("reviews:pdf", args=[ward, QUARTER, 1]) in html
    assert html.count("<svg class=\"ob-review-chart\"") == html.count("The numbers in the chart") >= 2
    # the quarter's own address shows its latest version; an earlier quarter links forward
    assert client.get(f"/reviews/{ward}/{QUARTER}/").status_code == 200
    assert review.get_absolute_url() in client.get(before.get_absolute_url()).content.decode()
    assert client.get(f"/reviews/{ward}/{QUARTER}/v9/").status_code == 404
    index = client.get(reverse("reviews:area", args=[ward])).content.decode()
    assert before.get_absolute_url() in index and "Publish review" not in index
    assert ward in client.get(reverse("reviews:index")).content.decode()


def test_the_atom_feed(client, demo_lake, ward):
    _publish(ward, PREVIOUS)
    _publish(ward)
    r = client.get(reverse("reviews:feed", args=[ward]))
    assert r["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(r.content).findall("a:entry", ns)
    assert [e.find("a:id", ns).text for e in entries] == [
        f"openbeat:review:{ward}:{QUARTER}:v1", f"openbeat:review:{ward}:{PREVIOUS}:v1"]


def test_an_administrator_publishes_from_the_page(client, demo_lake, ward):
    admin = person()
    with_role(admin, "administrator")
    client.force_login(admin)
    page = client.get(reverse("reviews:area", args=[ward])).content.decode()
    assert "Publish review" in page and f'<option value="{QUARTER}">' in page
    r = client.post(reverse("reviews:publish", args=[ward]), {"quarter": QUARTER})
    assert r.status_code == 302 and r["Location"] == f"/reviews/{ward}/{QUARTER}/v1/"
    client.force_login(person())
    assert client.post(reverse("reviews:publish", args=[ward]), {"quarter": QUARTER}).status_code == 403


def test_residents_comment_on_a_review(client, demo_lake, ward):
    from openbeat.comments.models import Comment

    review = _publish(ward)
    client.force_login(person(display_name="Ada"))
    r = client.post(reverse("reviews:comment_add", args=[ward, QUARTER, 1]), {"body": "What about the park?"})
    c = Comment.objects.get()
    assert (c.target_kind, c.target_id, c.force) == ("review", review.pk, "northbridge")
    assert r["Location"] == f"{review.get_absolute_url()}?comment={c.pk}#comment-{c.pk}"
    assert "What about the park?" in client.get(review.get_absolute_url()).content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                    reason="poppler-utils missing: run scripts/install_pdf_tools.sh")
def test_the_pdf_holds_the_headlines_and_draws_its_pages(client, demo_lake, ward, tmp_path):
    from PIL import Image

    review = _publish(ward)
    r = client.get(reverse("reviews:pdf", args=[ward, QUARTER, 1]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(r.content)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    crimes = next(h for h in review.headlines if h["key"] == "crimes")
    assert f"{crimes['value']:,} crimes were recorded in {review.area_name}" in text
    for key in ("searches", "arrest_rate", "trust"):
        h = next(h for h in review.headlines if h["key"] == key)
        assert " ".join(h["statement"].split()) in text, key
    assert "The numbers in the chart" in text and "Permanent link: " + review.get_absolute_url() in text
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    for p in pages:
        lo, hi = Image.open(p).convert("L").getextrema()
        assert lo < 128 < hi, p.name  # ink on paper, not a blank page
    assert b"/Subtype /Image" not in r.content  # charts are vector paths, not pictures


def test_the_demo_publishes_four_quarters_for_a_borough_and_the_force(demo_lake, monkeypatch):
    from openbeat.reviews import demo, demo_publish, services
    from openbeat.reviews.models import Review

    line = demo.demo_reviews_seed()
    assert line == "demo reviews: 8 synthetic reviews (2025-Q1 to 2025-Q4) queued for the background worker"
    calls = []
    monkeypatch.setattr(services, "review_publish", lambda **kw: calls.append((kw["area_code"], kw["quarter"])))
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get(task_path="openbeat.reviews.tasks.demo_reviews_publish")
    published = demo_publish.demo_reviews_publish_now(**task.args_kwargs["kwargs"])
    assert published == "demo reviews: 8 synthetic reviews published"
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert calls == [("X09000001", q) for q in quarters] + [("northbridge", q) for q in quarters]
    Review.objects.create(area_code="X", area_name="X", area_level="ward", quarter="2025-Q4", version=1,
                          figures={}, lake_state={}, lake_signature="x", synthetic=True)
    assert demo.demo_reviews_seed() == "demo reviews: already published"
