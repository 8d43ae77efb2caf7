// Draws every <div data-vega-spec="URL"> on the page with Vega-Lite, as SVG.
//
// Progressive enhancement: the same figures are in a table under each chart, so a
// failure here loses a picture, never information. Vega runs with its expression
// interpreter (ast: true) so our Content-Security-Policy needs no 'unsafe-eval', and
// vega-embed's injected <style> and action menu are switched off for the same reason
// (our stylesheet styles the tooltip instead).
(function () {
  'use strict';

  function setStatus(el, text) {
    var status = el.parentNode.querySelector('.ob-chart__status');
    if (status) {
      status.textContent = text;
      status.hidden = !text;
    }
  }

  function label(el, svg) {
    var name = el.getAttribute('data-vega-label');
    if (!svg || !name) return;
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', name);
    svg.setAttribute('focusable', 'false');
    // the picture is named once, on the SVG; Vega's own per-mark labels would repeat the
    // table below for screen readers, so they are hidden from them
    Array.prototype.forEach.call(svg.querySelectorAll('[aria-roledescription], [role="graphics-object"], [role="graphics-symbol"]'), function (node) {
      node.setAttribute('aria-hidden', 'true');
    });
  }

  function render(el) {
    var url = el.getAttribute('data-vega-spec');
    setStatus(el, 'Drawing the chart…');
    return window.vegaEmbed(el, url, {
      renderer: 'svg',
      actions: false,
      ast: true,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    }).then(function (result) {
      label(el, el.querySelector('svg'));
      el.setAttribute('data-vega-rendered', 'true');
      setStatus(el, '');
      return result;
    }).catch(function (err) {
      el.setAttribute('data-vega-rendered', 'error');
      setStatus(el, 'The chart could not be drawn. The same figures are in the table below.');
      if (window.console) window.console.error('chart ' + url + ': ' + err);
    });
  }

  function start() {
    if (!window.vegaEmbed) return;
    var charts = document.querySelectorAll('[data-vega-spec]');
    Array.prototype.forEach.call(charts, render);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
