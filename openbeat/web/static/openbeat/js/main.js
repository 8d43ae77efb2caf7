// Starts GOV.UK Frontend's components (menu toggle on phones, skip link focus, details).
(function () {
  'use strict';
  if (window.GOVUKFrontend && typeof window.GOVUKFrontend.initAll === 'function') {
    window.GOVUKFrontend.initAll();
  }
})();
