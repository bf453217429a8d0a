/* The petition cases map: an enhancement of the table on the same page. Circle markers
 * coloured by status (the legend and the popup say it in words); the table stays the
 * answer when the tiles or Leaflet cannot be loaded. No inline script. */
(function () {
  "use strict";
  var box = document.getElementById("petitions-map");
  var notice = document.getElementById("petitions-map-notice");
  if (!box || !notice) return;
  function fail() { notice.textContent = notice.getAttribute("data-message"); }
  var data;
  try {
    data = JSON.parse(document.getElementById("petitions-map-features").textContent);
  } catch (e) { fail(); return; }
  if (typeof window.L === "undefined") { fail(); return; }
  var L = window.L;
  var COLOURS = { overdue: "#a61b1b", open: "#c25e00", closed: "#1e6b35" };
  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false, keyboard: true }).setView([23.4801, 120.4491], 13);
  // Leaflet's own prefix is a link told apart by colour only (axe: link-in-text-block).
  map.attributionControl.setPrefix(false);
  var attribution = document.createElement("span");
  attribution.textContent = box.getAttribute("data-attribution") || "";
  var layer = L.tileLayer(box.getAttribute("data-tiles"), {
    attribution: attribution.innerHTML, maxZoom: 19, minZoom: 7
  });
  layer.on("tileerror", fail);
  layer.addTo(map);
  var bounds = [];
  data.features.forEach(function (f) {
    var p = f.properties;
    var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
    bounds.push(latlng);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.number;
    popup.appendChild(link);
    popup.appendChild(document.createTextNode(" " + p.category + " · " + p.status +
      (p.place ? " · " + p.place : "")));
    L.circleMarker(latlng, {
      radius: 6, weight: 1, color: "#222", fillColor: COLOURS[p.tone] || "#888", fillOpacity: 0.8
    }).bindPopup(popup).addTo(map);
  });
  if (bounds.length) map.fitBounds(bounds, { maxZoom: 16 });
})();
