// Draws every <div data-vega-spec="URL"> on the page with Vega-Lite, as SVG.
//
// Progressive enhancement: the same figures are in a table under each chart, so a
// failure here loses a picture, never information. Vega runs with vega-interpreter
// (ast: true: vega-embed then evaluates expressions with the interpreter it bundles
// from npm's vega-interpreter, instead of compiling them with Function), so our
// Content-Security-Policy needs no 'unsafe-eval'; vega-embed's injected <style> and
// action menu are switched off for the same reason (our stylesheet styles the tooltip).
//
// Once drawn, the picture is one image for assistive technology: the container is
// keyboard-focusable with role="img" and the chart's description as its name, and the
// SVG's own per-mark labels (which would repeat the table below) are hidden.
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
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', name);
    el.setAttribute('tabindex', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
  }

  function render(el) {
    var url = el.getAttribute('data-vega-spec');
    setStatus(el, 'Drawing the chart…');
    return window.vegaEmbed(el, url, {
      renderer: 'svg',
      actions: false,
      ast: true,  // vega-interpreter: no eval, no Function
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
