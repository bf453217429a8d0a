/* The controlled-cases map: an enhancement of the table on the same page.
 *
 * Reads the located items from the page's json_script (GeoJSON, longitude first), draws a
 * circle marker per item (no image assets) coloured AND labelled by its progress, and adds
 * a "Show on the map" button to each table row. When the tiles cannot be loaded, or
 * Leaflet is missing, it says so in the page's status line: the table stays the answer.
 * No inline script: everything it needs is in data attributes and json_script elements.
 */
(function () {
  "use strict";

  var box = document.getElementById("tracking-map");
  var notice = document.getElementById("tracking-map-notice");
  if (!box || !notice) {
    return;
  }

  var noticeShown = false;
  function showNotice() {
    if (!noticeShown) {
      noticeShown = true;
      notice.textContent = notice.getAttribute("data-message");
    }
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  var features, labels;
  try {
    features = readJson("tracking-map-features");
    labels = readJson("tracking-map-labels") || {};
  } catch (e) {
    showNotice();
    return;
  }
  var tiles = box.getAttribute("data-tiles");
  if (!tiles || typeof window.L === "undefined" || !features) {
    showNotice();
    return;
  }
  var L = window.L;

  // Colour and size both change with the progress; the tooltip and popup say it in words.
  var STYLES = {
    serious: { color: "#7a1010", fillColor: "#a61b1b", radius: 11, weight: 3, fillOpacity: 0.85 },
    behind: { color: "#6b3300", fillColor: "#c25e00", radius: 9, weight: 2, fillOpacity: 0.85 },
    on_time: { color: "#10401f", fillColor: "#1e6b35", radius: 7, weight: 2, fillOpacity: 0.85 },
    none: { color: "#333333", fillColor: "#8a8a8a", radius: 7, weight: 2, fillOpacity: 0.4, dashArray: "3 3" }
  };
  var CHIAYI = [23.4801, 120.4491];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : value + "%";
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function popupContent(p) {
    var root = element("div", null, "map-popup");
    var title = element("p");
    title.appendChild(element("strong", p.number));
    title.appendChild(document.createTextNode(" " + p.title));
    root.appendChild(title);
    var facts = element("dl");
    var rows = [
      [labels.lag, lagText(p)],
      [labels.planned, percent(p.planned)],
      [labels.actual, percent(p.actual)],
      [labels.kind, p.kind_label],
      [labels.lead, p.lead],
      [labels.address, p.site_address || "—"]
    ];
    rows.forEach(function (row) {
      facts.appendChild(element("dt", row[0]));
      facts.appendChild(element("dd", row[1]));
    });
    root.appendChild(facts);
    var link = element("a", labels.open);
    link.href = p.url;
    root.appendChild(link);
    return root;
  }

  function lagText(p) {
    var symbol = labels["symbol_" + p.lag];
    return symbol ? symbol + " " + p.lag_label : p.lag_label;
  }

  function tooltipContent(p) {
    return element("span", p.number + " " + p.title + "：" + lagText(p));
  }

  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false, keyboard: true });
  var layer = L.tileLayer(tiles, {
    attribution: escapeHtml(box.getAttribute("data-attribution") || ""),
    maxZoom: 19,
    minZoom: 7
  });
  layer.on("tileerror", showNotice);
  layer.addTo(map);

  var markers = {};
  var group = L.featureGroup();
  (features.features || []).forEach(function (feature) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var style = STYLES[p.lag] || STYLES.none;
    var marker = L.circleMarker([c[1], c[0]], style);
    marker.bindTooltip(tooltipContent(p));
    marker.bindPopup(popupContent(p));
    marker.addTo(group);
    markers[String(feature.id)] = marker;
  });
  group.addTo(map);
  if (group.getLayers().length) {
    map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView(CHIAYI, 13);
  }

  // Keyboard and screen-reader users reach each marker from its table row.
  var table = document.getElementById("tracking-map-table");
  if (!table) {
    return;
  }
  Array.prototype.forEach.call(table.querySelectorAll("tr[data-feature]"), function (row) {
    var marker = markers[row.getAttribute("data-feature")];
    var cell = row.querySelector("th");
    if (!marker || !cell) {
      return;
    }
    var button = element("button", labels.show, "link");
    button.type = "button";
    button.setAttribute("aria-label", labels.show + ": " + cell.textContent.trim());
    button.addEventListener("click", function () {
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16));
      box.scrollIntoView({ block: "center" });
      marker.openPopup();
      var link = marker.getPopup().getElement();
      link = link && link.querySelector("a[href]:not(.leaflet-popup-close-button)");
      if (link) {
        link.focus();
      }
    });
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(button);
  });
})();
