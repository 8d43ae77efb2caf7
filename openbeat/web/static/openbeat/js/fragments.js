// Per-person parts of cached pages. A page kept in the lake-state answer cache is the
// same for everyone, so it carries a placeholder with data-ob-fragment="<url>" (a plain
// link that works without JavaScript); this swaps in the uncached, per-person fragment
// from that URL (the header's sign-in links, a Follow button, ...). Fragments are
// rendered and escaped by Django; anything but a 200 leaves the placeholder as it was.
(function () {
  'use strict';
  if (!window.fetch) { return; }
  var here = window.location.pathname + window.location.search;
  Array.prototype.forEach.call(document.querySelectorAll('[data-ob-fragment]'), function (el) {
    var url = el.getAttribute('data-ob-fragment');
    url += (url.indexOf('?') < 0 ? '?' : '&') + 'next=' + encodeURIComponent(here);
    fetch(url, { credentials: 'same-origin', redirect: 'error', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        // parsed inertly (scripts in a parsed document never run), then moved in
        var doc = new DOMParser().parseFromString(html, 'text/html');
        el.replaceChildren.apply(el, Array.prototype.slice.call(doc.body.childNodes));
        el.removeAttribute('data-ob-fragment');
        el.setAttribute('data-ob-fragment-loaded', '');
      })
      .catch(function () { /* the placeholder link still works */ });
  });
})();
