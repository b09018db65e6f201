/* Field reports (fieldwork): a draft kept in the phone until the server has the report, a
 * point from the position or the map, and the weekly map. Our own script; Leaflet is
 * vendored. Nothing typed is lost on a failed submit: the draft stays in localStorage and is
 * sent again ("Skicka igen", or by itself when the connection is back). A token written once
 * per draft makes a resubmission harmless: the server saves it only once. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (m, name) { return String(values[name]); });
  }

  function newToken() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var out = "";
    for (var i = 0; i < 32; i++) out += Math.floor(Math.random() * 16).toString(16);
    return out;
  }

  function baseMap(el, config, center, zoom) {
    var map = L.map(el, { attributionControl: Boolean(config.tiles) }).setView(center, zoom);
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function centerOf(points) {
    if (!points.length) return [62.0, 15.0];
    var lat = 0, lon = 0;
    points.forEach(function (p) { lat += p.lat; lon += p.lon; });
    return [lat / points.length, lon / points.length];
  }

  // ---- the report form ---------------------------------------------------------------------

  function reportForm(form) {
    var key = form.dataset.draftKey;
    var status = document.getElementById("fw-offline");
    var retry = document.getElementById("fw-retry");
    var token = form.querySelector("[name=client_token]");
    var fields = ["observed_at", "category", "place", "place_text", "latitude", "longitude",
                  "people", "text", "client_token"];

    function say(text) { status.textContent = text; }

    function save() {
      var draft = {};
      fields.forEach(function (name) {
        var els = form.querySelectorAll("[name=" + name + "]");
        els.forEach(function (el) {
          if (el.type === "radio") { if (el.checked) draft[name] = el.value; }
          else draft[name] = el.value;
        });
      });
      try { localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* full or off */ }
    }

    function restore() {
      var draft;
      try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
      if (!draft) return false;
      var restored = false;
      fields.forEach(function (name) {
        if (draft[name] === undefined || draft[name] === "") return;
        form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
          if (el.type === "radio") {
            if (el.value === draft[name] && !form.querySelector("[name=" + name + "]:checked")) {
              el.checked = true; restored = true;
            }
          } else if (!el.value || name === "client_token" || name === "observed_at") {
            if (name === "observed_at" && el.value && !draft.text) return;
            if (el.value !== draft[name]) { el.value = draft[name]; restored = restored || name === "text"; }
          }
        });
      });
      return restored;
    }

    if (form.dataset.saved) {
      try { localStorage.removeItem(key); } catch (e) { /* nothing to remove */ }
    } else if (restore()) {
      say(form.dataset.textRestored);
    }
    if (!token.value) token.value = newToken();
    // Nothing is stored until something is typed: an untouched form leaves no draft behind.
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    function send() {
      save();
      var data = new FormData(form);
      retry.hidden = true;
      return fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", redirect: "follow"
      }).then(function (response) {
        if (response.ok && response.url.indexOf("sparad=") !== -1) {
          try { localStorage.removeItem(key); } catch (e) { /* gone already */ }
          window.location.assign(response.url);
        } else if (response.status === 400) {
          // The server found something to correct: let it show the form with its messages.
          form.dataset.native = "1";
          form.submit();
        } else {
          window.location.assign(response.url);  // e.g. the login page; the draft stays
        }
      }).catch(function () {
        say(navigator.onLine === false ? form.dataset.textOffline : form.dataset.textFailed);
        retry.hidden = false;
      });
    }

    form.addEventListener("submit", function (event) {
      if (form.dataset.native || !window.fetch || !window.FormData) return;
      event.preventDefault();
      if (navigator.onLine === false) {
        save();
        say(form.dataset.textOffline);
        retry.hidden = false;
        return;
      }
      send();
    });
    retry.addEventListener("click", send);
    window.addEventListener("online", function () { if (!retry.hidden) send(); });

    pointPicker(form, save);
  }

  function pointPicker(form, save) {
    var config = readJSON("fw-map-config") || { text: {} };
    var places = readJSON("fw-places") || [];
    var lat = form.querySelector("[name=latitude]");
    var lon = form.querySelector("[name=longitude]");
    var status = document.getElementById("fw-point-status");
    var clear = document.getElementById("fw-clear-point");
    var locate = document.getElementById("fw-locate");
    var details = document.getElementById("fw-map-details");
    var map = null, marker = null;

    function show() {
      if (lat.value && lon.value) {
        status.textContent = fmt(config.text.picked, { lat: lat.value, lon: lon.value });
        clear.hidden = false;
        if (map) {
          var at = [parseFloat(lat.value), parseFloat(lon.value)];
          if (marker) marker.setLatLng(at); else marker = L.circleMarker(at, { radius: 9, color: "#a50f15" }).addTo(map);
        }
      } else {
        status.textContent = "";
        clear.hidden = true;
        if (marker && map) { map.removeLayer(marker); marker = null; }
      }
    }

    function setPoint(a, b) {
      lat.value = a.toFixed(6);
      lon.value = b.toFixed(6);
      show();
      save();
    }

    clear.addEventListener("click", function () { lat.value = ""; lon.value = ""; show(); save(); });
    if (navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPoint(pos.coords.latitude, pos.coords.longitude);
        }, function () { status.textContent = locate.dataset.failed || ""; }, { timeout: 10000 });
      });
    }
    details.addEventListener("toggle", function () {
      if (!details.open || map || !window.L) return;
      map = baseMap(document.getElementById("fw-pick-map"), config, centerOf(places), places.length ? 15 : 5);
      places.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], { radius: 8, color: "#0b4f7c" }).addTo(map)
          .bindTooltip(p.name);
      });
      map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng); });
      show();
    });
    show();
  }

  // ---- the weekly map ----------------------------------------------------------------------

  function weekMap(el) {
    var points = readJSON("fw-points") || [];
    var config = readJSON("fw-map-config") || { text: {} };
    if (!window.L || !points.length) return;
    var map = baseMap(el, config, centerOf(points), 15);
    var bounds = [];
    points.forEach(function (p) {
      var icon = L.divIcon({ className: "fw-marker", html: "", iconSize: [30, 30] });
      var m = L.marker([p.lat, p.lon], {
        icon: icon, keyboard: true, title: fmt(config.text.point, { label: p.label, count: p.count })
      }).addTo(map);
      m.getElement().textContent = p.count;
      m.getElement().setAttribute("aria-label", fmt(config.text.point, { label: p.label, count: p.count }));
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
    el.dataset.state = "ready";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("fw-report-form");
    if (form) reportForm(form);
    var week = document.getElementById("fw-week-map");
    if (week) weekMap(week);
  });
})();
