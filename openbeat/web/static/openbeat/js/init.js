// Runs first thing in <body>, before anything is drawn: tells the stylesheet that
// JavaScript runs, so JavaScript-only controls show and GOV.UK Frontend components
// style themselves. An external file because our Content-Security-Policy allows no
// inline scripts.
(function () {
  'use strict';
  var body = document.body;
  body.classList.add('js-enabled', 'ob-js');
  document.documentElement.classList.add('ob-js');
  if ('noModule' in HTMLScriptElement.prototype) {
    body.classList.add('govuk-frontend-supported');
  }
})();
