/* The report page (petitions/report/report.html), an enhancement of a form that works
 * without it: the search box shortens the category list, the chosen category's questions
 * are shown, the phone's location or a point on the map fills the coordinates. The map is
 * Leaflet from the app's own static files, tiles from the configured server; when either
 * fails the address field is the answer. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function $(id) { return document.getElementById(id); }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function setupCategories() {
    var box = $("category-search");
    var select = box && $(box.getAttribute("data-filters"));
    if (!select) return;
    var count = $("category-search-count");
    var described = $("category-description");
    box.closest(".category-search").hidden = false;

    function showChosen() {
      var option = select.options[select.selectedIndex];
      if (described) described.textContent = (option && option.getAttribute("data-description")) || "";
      document.querySelectorAll("fieldset.attributes").forEach(function (group) {
        group.hidden = group.getAttribute("data-category") !== select.value;
      });
    }

    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      var first = null;
      var hits = 0;
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) return;
        var text = [option.text, option.getAttribute("data-keywords") || "",
          option.getAttribute("data-description") || "",
          (option.parentNode.label || "")].join(" ").toLowerCase();
        var hit = !words || text.indexOf(words) >= 0;
        option.hidden = !hit;
        option.disabled = !hit;
        if (hit) { hits += 1; if (first === null) first = option; }
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (first && words && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden ||
          !select.value)) {
        select.value = first.value;
      }
      if (count) {
        var key = hits === 0 ? "data-none" : hits === 1 ? "data-one" : "data-many";
        count.textContent = words ? format(count.getAttribute(key), { n: hits }) : "";
      }
      showChosen();
    });
    select.addEventListener("change", showChosen);
    showChosen();
  }

  function setupPlace() {
    var mapBox = $("report-map");
    var notice = $("report-map-notice");
    var placeStatus = $("place-status");
    var lat = $(mapBox ? mapBox.getAttribute("data-latitude") : "id_latitude");
    var lng = $(mapBox ? mapBox.getAttribute("data-longitude") : "id_longitude");
    if (!lat || !lng) return;
    var bbox = ((mapBox && mapBox.getAttribute("data-bbox")) || "").split(",").map(Number);
    function inside(a, b) {
      return bbox.length !== 4 || (b >= bbox[0] && b <= bbox[2] && a >= bbox[1] && a <= bbox[3]);
    }
    var map = null;
    var marker = null;

    function show(a, b) {
      if (!map) return;
      if (marker) marker.setLatLng([a, b]);
      else marker = window.L.circleMarker([a, b], {
        radius: 10, weight: 3, color: "#1b1b1b", fillColor: "#f4b400", fillOpacity: 0.9
      }).addTo(map);
    }

    function place(a, b, pan) {
      if (!inside(a, b)) {
        if (placeStatus) placeStatus.textContent = placeStatus.getAttribute("data-outside");
        return false;
      }
      lat.value = a.toFixed(6);
      lng.value = b.toFixed(6);
      show(a, b);
      if (map && pan) map.setView([a, b], Math.max(map.getZoom(), 17));
      if (placeStatus) {
        placeStatus.textContent = format(placeStatus.getAttribute("data-placed"),
          { lat: lat.value, lng: lng.value });
      }
      return true;
    }

    function fromInputs() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && inside(a, b)) { show(a, b); return [a, b]; }
      return null;
    }

    if (mapBox && window.L && notice) {
      var picker = mapBox.closest(".map-picker");
      var loaded = false;
      picker.hidden = false;
      var centre = bbox.length === 4 ? [(bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2] : [23.48, 120.45];
      map = window.L.map(mapBox, { scrollWheelZoom: false, keyboard: true }).setView(centre, 14);
      map.attributionControl.setPrefix(false);
      var attribution = document.createElement("span");
      attribution.textContent = mapBox.getAttribute("data-attribution") || "";
      var tiles = window.L.tileLayer(mapBox.getAttribute("data-tiles"), {
        attribution: attribution.innerHTML, maxZoom: 19, minZoom: 10
      });
      tiles.on("tileload", function () { loaded = true; });
      tiles.on("tileerror", function () {
        if (loaded) return;
        notice.textContent = notice.getAttribute("data-message");
        picker.hidden = true;
      });
      tiles.addTo(map);
      map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
      var button = $("place-at-centre");
      if (button) button.addEventListener("click", function () {
        var c = map.getCenter();
        place(c.lat, c.lng, false);
      });
      var start = fromInputs();
      if (start) map.setView(start, 17);
      lat.addEventListener("change", fromInputs);
      lng.addEventListener("change", fromInputs);
    } else if (mapBox && notice) {
      notice.textContent = notice.getAttribute("data-message");
    }

    var locate = $("use-my-location");
    var status = $("locate-status");
    if (locate && status && navigator.geolocation) {
      locate.closest(".locate").hidden = false;
      locate.addEventListener("click", function () {
        status.textContent = status.getAttribute("data-asking");
        navigator.geolocation.getCurrentPosition(function (position) {
          var a = position.coords.latitude, b = position.coords.longitude;
          if (place(a, b, true)) status.textContent = status.getAttribute("data-found");
          else status.textContent = status.getAttribute("data-outside");
        }, function () {
          status.textContent = status.getAttribute("data-denied");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  function start() { setupCategories(); setupPlace(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
