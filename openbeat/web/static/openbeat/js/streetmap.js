// The street-level crime map: crimes in one month at police.uk's anonymised points, drawn
// with Leaflet, grouped with Leaflet.markercluster where they are dense.
//
// Data: <section data-points-url> (/api/areas/CODE/crimes/points?month=YYYY-MM: counts per
// point and crime type) and data-outline-url (the area's parts as GeoJSON). The month and
// kind-of-crime <select>s redraw the map; the same counts are written as tables below it
// (by kind of crime, and the busiest places), so nothing is only in the picture. With
// data-tile-url (OPENBEAT_TILE_URL) a base map is drawn under it, credited with
// data-tile-attribution; without it the outlines sit on a plain background and nothing is
// fetched from another host. Everything is built with DOM calls and textContent: no HTML
// from the data, nothing our Content-Security-Policy would refuse.
(function () {
  'use strict';

  var section = document.getElementById('street-map');
  if (!section || !window.L || !L.markerClusterGroup) return;
  var box = document.getElementById('street-map-picture');
  var monthSelect = document.getElementById('street-map-month');
  var typeSelect = document.getElementById('street-map-type');
  var summary = document.getElementById('street-map-summary');
  var tables = document.getElementById('street-map-tables');
  var dataLink = document.getElementById('street-map-data');
  var tileUrl = section.getAttribute('data-tile-url');
  var data = null;
  var asked = 0;

  function fmt(n) { return Number(n).toLocaleString('en-GB'); }
  function plural(n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : many); }
  // Leaflet writes an attribution as HTML: the setting is plain text, so escape it
  function escapeText(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var map = L.map(box, {attributionControl: !!tileUrl, zoomSnap: 0.5, maxZoom: 18, scrollWheelZoom: false});
  if (tileUrl) {
    map.attributionControl.setPrefix(false);
    L.tileLayer(tileUrl, {attribution: escapeText(section.getAttribute('data-tile-attribution') || ''),
                          maxZoom: 18}).addTo(map);
    box.classList.add('ob-streetmap__map--tiles');
  }
  map.setView([51.5, -0.1], 12);

  // a group's circle shows how many crimes it holds, and says so in its title
  function crimesIn(cluster) {
    return cluster.getAllChildMarkers().reduce(function (sum, m) { return sum + m.options.crimes; }, 0);
  }
  // Points and groups are not keyboard stops: at a force's scale they overlap (too small a
  // target, WCAG 2.2 2.5.8) and there would be thousands; the tables below hold every count,
  // and the map itself takes the keyboard (arrows to move, + and - to zoom).
  L.MarkerCluster.mergeOptions({keyboard: false});
  var clusters = L.markerClusterGroup({
    maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      var n = crimesIn(cluster);
      var size = n < 10 ? 34 : n < 100 ? 40 : 48;
      return L.divIcon({html: '<span>' + fmt(n) + '</span>', className: 'ob-cluster', iconSize: [size, size]});
    }
  });
  map.addLayer(clusters);
  map.on('layeradd', function (e) {
    if (e.layer instanceof L.MarkerCluster && e.layer._icon) {
      var words = plural(crimesIn(e.layer), 'crime', 'crimes') + ' at ' +
        plural(e.layer.getChildCount(), 'point', 'points') + ' close together: select to zoom in';
      e.layer._icon.setAttribute('title', words);
    }
  });

  fetch(section.getAttribute('data-outline-url'), {headers: {Accept: 'application/json'}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (!geo || !geo.features || !geo.features.length) return;
      var outline = L.geoJSON(geo, {interactive: false,
        style: {color: '#1d3b57', weight: 1.5, fillColor: '#1d3b57', fillOpacity: 0.04}}).addTo(map);
      outline.bringToBack();
      if (!data || !data.points.length) map.fitBounds(outline.getBounds());
    })
    .catch(function () {});

  function popup(p, counts) {
    var div = el('div', 'ob-streetmap__popup');
    div.appendChild(el('p', 'govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1', p.location));
    var list = el('ul', 'govuk-list govuk-body-s govuk-!-margin-bottom-0');
    Object.keys(counts).forEach(function (k) { list.appendChild(el('li', null, k + ': ' + fmt(counts[k]))); });
    div.appendChild(list);
    return div;
  }

  function table(caption, head, rows, label) {
    var wrap = el('div', 'ob-table-wrap');
    wrap.setAttribute('tabindex', '0');
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', label);
    var t = el('table', 'govuk-table');
    t.appendChild(el('caption', 'govuk-table__caption govuk-table__caption--s', caption));
    var thead = el('thead', 'govuk-table__head');
    var tr = el('tr', 'govuk-table__row');
    head.forEach(function (h, i) {
      var th = el('th', 'govuk-table__header' + (i ? ' govuk-table__header--numeric' : ''), h);
      th.setAttribute('scope', 'col');
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    var body = el('tbody', 'govuk-table__body');
    rows.forEach(function (r) {
      var row = el('tr', 'govuk-table__row');
      var th = el('th', 'govuk-table__header', r[0]);
      th.setAttribute('scope', 'row');
      row.appendChild(th);
      row.appendChild(el('td', 'govuk-table__cell govuk-table__cell--numeric', fmt(r[1])));
      body.appendChild(row);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  function draw() {
    if (!data) return;
    var type = typeSelect.value;
    var when = monthSelect.options[monthSelect.selectedIndex].text;
    var what = type || 'crimes and anti-social behaviour';
    clusters.clearLayers();
    var markers = [];
    var shown = 0;
    var places = [];
    data.points.forEach(function (p) {
      var counts = {};
      if (type) {
        if (!p.counts[type]) return;
        counts[type] = p.counts[type];
      } else {
        counts = p.counts;
      }
      var n = type ? p.counts[type] : p.crimes + p.anti_social_behaviour;  // every kind: ASB too
      shown += n;
      places.push([p.location, n]);
      var m = L.marker([p.latitude, p.longitude], {
        crimes: n, title: p.location + ': ' + plural(n, 'crime', 'crimes'), riseOnHover: true, keyboard: false,
        icon: L.divIcon({html: '<span>' + fmt(n) + '</span>', className: 'ob-point', iconSize: [28, 28]})
      });
      m.bindPopup(popup(p, counts));
      markers.push(m);
    });
    clusters.addLayers(markers);
    if (markers.length) map.fitBounds(clusters.getBounds(), {padding: [16, 16], maxZoom: 16});

    var words = plural(shown, type ? 'crime' : 'crime or incident', type ? 'crimes' : 'crimes and incidents') +
      ' at ' + plural(markers.length, 'point', 'points') + ' in ' + when + (type ? ' (' + type + ')' : '') + '.';
    if (data.truncated) words += ' Only the busiest ' + fmt(data.points.length) + ' of ' + fmt(data.points_total) +
      ' points are drawn.';
    if (!markers.length) words = 'No ' + what.toLowerCase() + ' were placed on the map in ' + when + '.';
    summary.textContent = words;

    tables.textContent = '';
    var kinds = Object.keys(data.categories).map(function (k) { return [k, data.categories[k]]; })
      .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    if (kinds.length) {
      tables.appendChild(table('Crimes on the map by kind, ' + when, ['Kind of crime', 'Crimes'], kinds,
                               'Crimes on the map by kind'));
    }
    // one row per place name: police.uk names several points after the same street
    var byPlace = {};
    places.forEach(function (p) { byPlace[p[0]] = (byPlace[p[0]] || 0) + p[1]; });
    var busiest = Object.keys(byPlace).map(function (k) { return [k, byPlace[k]]; })
      .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); }).slice(0, 10);
    if (busiest.length) {
      tables.appendChild(table('Busiest places, ' + when + (type ? ', ' + type : ''), ['Place', 'Crimes'], busiest,
                               'Busiest places on the map'));
    }
    section.setAttribute('data-markers', String(markers.length));
    section.setAttribute('data-crimes', String(shown));
    section.setAttribute('data-ob-map-state', 'ready');
  }

  function load() {
    var url = section.getAttribute('data-points-url') + '?month=' + encodeURIComponent(monthSelect.value);
    var mine = ++asked;
    section.setAttribute('data-ob-map-state', 'loading');
    dataLink.setAttribute('href', url);
    fetch(url, {headers: {Accept: 'application/json'}})
      .then(function (r) {
        if (r.ok) return r.json();
        // a month the area's forces did not publish is refused in plain words (400 cannot_compute): say so
        return r.json().then(function (b) { throw new Error(b && b.code === 'cannot_compute' ? b.message : ''); },
                             function () { throw new Error(''); });
      })
      .then(function (body) {
        if (mine !== asked) return;
        data = body;
        draw();
      })
      .catch(function (e) {
        if (mine !== asked) return;
        summary.textContent = (e && e.message) || ('The crimes for ' +
          monthSelect.options[monthSelect.selectedIndex].text + ' could not be loaded; try again later.');
        section.setAttribute('data-ob-map-state', 'failed');
      });
  }

  monthSelect.addEventListener('change', load);
  typeSelect.addEventListener('change', draw);
  // the filters act at once; their form never needs sending
  section.querySelector('form').addEventListener('submit', function (e) { e.preventDefault(); });
  load();
}());
