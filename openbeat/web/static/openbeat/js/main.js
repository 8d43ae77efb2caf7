// Starts GOV.UK Frontend's components (menu toggle on phones, skip link focus, details).
(function () {
  'use strict';
  if (window.GOVUKFrontend && typeof window.GOVUKFrontend.initAll === 'function') {
    window.GOVUKFrontend.initAll();
  }
})();

// A table wider than its box gets a visible cue above it ("scroll sideways"), and loses
// it when the window grows wide enough. The box is already keyboard-scrollable (tabindex).
(function () {
  'use strict';
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll('.ob-table-wrap'), function (wrap) {
      var over = wrap.scrollWidth > wrap.clientWidth + 1;
      var cue = wrap.previousElementSibling;
      var has = cue && cue.classList.contains('ob-table-cue');
      wrap.classList.toggle('ob-table-wrap--overflows', over);
      if (over && !has) {
        cue = document.createElement('p');
        cue.className = 'ob-table-cue';
        cue.textContent = 'Scroll sideways to see every column \u2192';
        wrap.parentNode.insertBefore(cue, wrap);
      } else if (!over && has) {
        cue.parentNode.removeChild(cue);
      }
    });
  }
  mark();
  var timer = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(mark, 150);
  });
  document.addEventListener('toggle', mark, true);  // a <details> opened: its tables now have a width
})();
