"""Every page type at 1280 px and 390 px in Chromium: no sideways scroll, nothing clipped, axe clean.

Each page is loaded over the synthetic Northbridge demo (`openbeat serve --demo`), its
charts drawn, then checked: the document never scrolls sideways (scrollWidth <=
clientWidth), no chart's drawing is wider than its box (a clipped legend or axis title
would be), every target is at least 24 x 24 px or spaced as WCAG 2.2 2.5.8 allows (axe's
target-size rule), and axe-core finds nothing serious or critical. A screenshot of each is
kept under the test's tmp dir.
"""

from __future__ import annotations

import pytest

from tests.web.test_browser import BOROUGH, LARKRISE, browser, opened, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PAGES = [
    ("home", "/"), ("find-list", "/find/?q=north"), ("areas-index", "/areas/"), ("tools", "/tools/"),
    ("area-force", "/areas/northbridge/"), ("area-borough", f"/areas/{BOROUGH}/"),
    ("area-ward", f"/areas/{LARKRISE}/"), ("area-ward-period", f"/areas/{LARKRISE}/?period=last-3"),
    ("area-lsoa", "/areas/X01000001/"), ("area-msoa", "/areas/X02000001/"),
    ("compare", "/compare/?level=ward"), ("targeting", "/highest-crime-lowest-trust/"),
    ("allocation", f"/allocation/?within={BOROUGH}&officers=60&pcsos=30&trust_weight=1"),
    ("did-it-work", f"/did-it-work/?ward={LARKRISE}&start=2025-04&crime_type=Burglary"),
    ("scorecard-index", "/scorecard/"), ("scorecard", "/scorecard/northbridge/"), ("about", "/about/"),
]

#: Wider than its box: the document, and any chart drawing (a legend or axis title cut off).
OVERFLOW = """() => {
  const doc = document.documentElement;
  const out = [];
  if (doc.scrollWidth > doc.clientWidth) out.push('document ' + doc.scrollWidth + ' > ' + doc.clientWidth);
  document.querySelectorAll('.ob-chart').forEach(box => {
    const svg = box.querySelector('svg');
    if (!svg) return;
    const w = parseFloat(svg.getAttribute('width'));
    if (w > box.clientWidth + 1) out.push(box.id + ' drawn ' + w + ' px in ' + box.clientWidth);
    const edge = box.getBoundingClientRect();
    svg.querySelectorAll('.role-legend, .role-axis, .role-axis-title').forEach(part => {
      const r = part.getBoundingClientRect();
      if (r.width && (r.right > edge.right + 2 || r.left < edge.left - 2))
        out.push(box.id + ': ' + part.getAttribute('class') + ' cut off (' + Math.round(r.left) + ' to ' +
                 Math.round(r.right) + ' in ' + Math.round(edge.left) + ' to ' + Math.round(edge.right) + ')');
    });
  });
  document.querySelectorAll('.ob-table-wrap').forEach(wrap => {
    if (wrap.scrollWidth > wrap.clientWidth + 1 && !wrap.classList.contains('ob-table-wrap--overflows'))
      out.push('table without a cue: ' + wrap.getAttribute('aria-label'));
  });
  return out;
}"""


CASES = [pytest.param(name, path, width, id=f"{name}-{width}") for name, path in PAGES for width in (1280, 390)]


@pytest.mark.parametrize("name,path,width", CASES)
def test_page_fits_the_screen_and_is_accessible(browser, server, name, path, width, tmp_path):  # noqa: F811
    with opened(browser, server, width=width) as p:
        p.goto(path)
        states = p.charts_drawn()
        assert all(v == "true" for v in states.values()), states
        p.page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        assert p.page.evaluate(OVERFLOW) == [], f"{name} at {width} px"
        p.check(f"{name}-{width}")
        # axe leaves WCAG 2.2's rules (target size, 2.5.8) out unless asked for by tag
        wcag22 = p.page.evaluate("async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                                 "['wcag22aa']}, resultTypes: ['violations']})).violations.map(v => v.id)")
        assert wcag22 == [], f"{name} at {width} px"
