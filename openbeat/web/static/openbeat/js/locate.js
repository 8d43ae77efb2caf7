// "Use my location": fills the search box with "latitude,longitude" from the browser
// and submits the form. The button is only shown when the browser offers geolocation;
// without JavaScript people type a postcode or place instead. The position is sent
// only to this site, rounded to about 10 metres, and is not stored.
(function () {
  'use strict';
  var button = document.querySelector('[data-use-location]');
  if (!button || !('geolocation' in navigator)) return;
  var form = button.form || document.getElementById(button.getAttribute('data-form'));
  var input = document.getElementById(button.getAttribute('data-input'));
  var status = document.getElementById(button.getAttribute('data-status'));
  if (!form || !input) return;
  button.hidden = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say('Finding your location…');
    navigator.geolocation.getCurrentPosition(function (pos) {
      input.value = pos.coords.latitude.toFixed(4) + ',' + pos.coords.longitude.toFixed(4);
      say('Location found. Searching…');
      form.submit();
    }, function (err) {
      button.disabled = false;
      say(err && err.code === 1
        ? 'Your browser did not share your location. Type a postcode or place instead.'
        : 'Your location could not be found. Type a postcode or place instead.');
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
