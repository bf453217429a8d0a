/* The public map of reports (petitions/report/map.html): the table is the page; this adds
 * the located reports on a Leaflet map when Leaflet and the tiles load. Circle markers
 * coloured by status (the legend and the popup say it in words). No inline script. */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("public-map");
    var notice = document.getElementById("report-map-notice");
    var legend = document.querySelector(".map-legend");
    var source = document.getElementById("public-map-features");
    if (!box || !notice || !source) return;
    function fail() {
      notice.textContent = notice.getAttribute("data-message");
      box.hidden = true;
      if (legend) legend.hidden = true;
    }
    if (typeof window.L === "undefined") { fail(); return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { fail(); return; }
    if (!data.features.length) return;
    var L = window.L;
    box.hidden = false;
    if (legend) legend.hidden = false;
    var map = L.map(box, { scrollWheelZoom: false, keyboard: true }).setView([23.48, 120.45], 13);
    map.attributionControl.setPrefix(false);
    var attribution = document.createElement("span");
    attribution.textContent = box.getAttribute("data-attribution") || "";
    var loaded = false;
    var layer = L.tileLayer(box.getAttribute("data-tiles"), {
      attribution: attribution.innerHTML, maxZoom: 19, minZoom: 7
    });
    layer.on("tileload", function () { loaded = true; });
    layer.on("tileerror", function () { if (!loaded) fail(); });
    layer.addTo(map);
    var bounds = [];
    data.features.forEach(function (f) {
      var p = f.properties;
      var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      bounds.push(latlng);
      var popup = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = p.number;
      popup.appendChild(title);
      popup.appendChild(document.createTextNode(" " + p.category + " · " + p.status +
        (p.place ? " · " + p.place : "")));
      L.circleMarker(latlng, {
        radius: 7, weight: 1, color: "#222", fillColor: p.open ? "#c25e00" : "#1e6b35",
        fillOpacity: 0.85
      }).bindPopup(popup).addTo(map);
    });
    map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
