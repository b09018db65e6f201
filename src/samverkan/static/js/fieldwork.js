/* Field reports (fieldwork): a draft kept in the phone until the server has the report, a
 * point from the position or the map (also used by the safety walk's form), and the weekly
 * map. Our own script; Leaflet is
 * vendored. Nothing typed is lost on a failed submit: the draft stays in localStorage and is
 * sent again ("Skicka igen", or by itself when the connection is back). The token sent with a
 * report is the draft's id and a fingerprint of its content, so a resubmission of the same
 * text is saved once while a changed text is a new report. The draft leaves the phone once
 * the server has the report, and every draft on logout. A service worker keeps the form for
 * dead spots (templates/fieldwork/sw.js). */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (m, name) { return String(values[name]); });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var out = "";
    for (var i = 0; i < 32; i++) out += Math.floor(Math.random() * 16).toString(16);
    return out;
  }

  // FNV-1a, twice with different seeds: 16 hex digits that change whenever the text does.
  // Not a secret, only a fingerprint: the server checks the content itself as well.
  function fingerprint(text) {
    function fnv(seed) {
      var h = seed >>> 0;
      for (var i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 16777619) >>> 0;
      }
      return ("0000000" + h.toString(16)).slice(-8);
    }
    return fnv(2166136261) + fnv(3339675911);
  }

  // Logging out takes every draft and the offline copy of the form off the phone: the next
  // person on a shared phone finds nothing (the server also sends Clear-Site-Data).
  function clearEverything() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf("faltrapport-") === 0) localStorage.removeItem(k);
      }
    } catch (e) { /* storage off */ }
    if (window.caches && caches.keys) {
      caches.keys().then(function (keys) {
        keys.forEach(function (k) { if (k.indexOf("faltrapport-") === 0) caches.delete(k); });
      });
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      navigator.serviceWorker.getRegistrations().then(function (regs) {
        regs.forEach(function (r) { r.unregister(); });
      });
    }
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
    var restart = document.getElementById("fw-restart");
    var submit = document.getElementById("fw-submit");
    var token = form.querySelector("[name=client_token]");
    var fields = ["observed_at", "category", "place", "place_text", "latitude", "longitude",
                  "people", "text"];
    // One draft: an id of its own, and the token it was last sent with (if it was).
    var draftId = null, sentToken = "";

    function say(text) { status.textContent = text; }

    function values() {
      var draft = {};
      fields.forEach(function (name) {
        form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
          if (el.type === "radio") { if (el.checked) draft[name] = el.value; }
          else draft[name] = el.value;
        });
      });
      return draft;
    }

    // The token belongs to this draft *and this content*: a draft changed after it was sent
    // gets another token, so the server can never take it for the report it already has.
    function currentToken() {
      if (!draftId) draftId = newId();
      var v = values();
      return draftId + "-" + fingerprint(fields.map(function (n) { return v[n] || ""; }).join("\u0001"));
    }

    function save() {
      var draft = values();
      draft.draftId = draftId || (draftId = newId());
      draft.sentToken = sentToken;
      try { localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* full or off */ }
    }

    function forget() {
      try { localStorage.removeItem(key); } catch (e) { /* gone already */ }
    }

    function restore() {
      var draft;
      try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
      if (!draft) return null;
      var restored = false;
      fields.forEach(function (name) {
        if (draft[name] === undefined || draft[name] === "") return;
        form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
          if (el.type === "radio") {
            if (el.value === draft[name] && !form.querySelector("[name=" + name + "]:checked")) {
              el.checked = true; restored = true;
            }
          } else if (!el.value || name === "observed_at") {
            if (name === "observed_at" && el.value && !draft.text) return;
            if (el.value !== draft[name]) { el.value = draft[name]; restored = restored || name === "text"; }
          }
        });
      });
      draftId = draft.draftId || null;
      sentToken = draft.sentToken || "";
      return restored ? draft : null;
    }

    function now() {
      var d = new Date();
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + "T" +
        two(d.getHours()) + ":" + two(d.getMinutes());
    }

    function startOver() {
      document.getElementById("fw-clear-point").click();
      form.querySelectorAll("[name=text], [name=place_text], [name=people], [name=latitude], [name=longitude]")
        .forEach(function (el) { el.value = ""; });
      form.querySelectorAll("[name=category]").forEach(function (el) { el.checked = false; });
      var place = form.querySelector("[name=place]");
      if (place) place.selectedIndex = 0;
      var when = form.querySelector("[name=observed_at]");
      if (when) when.value = now();
      forget();
      draftId = null;
      sentToken = "";
      restart.hidden = true;
      submit.hidden = false;
      retry.hidden = true;
      say("");
      var text = form.querySelector("[name=text]");
      if (text) text.focus();
    }

    // Was this text sent already? Ask the server for the token it was sent with.
    function checkSent(tokenSent) {
      var url = form.dataset.sentUrl + "?token=" + encodeURIComponent(tokenSent);
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : null;
      }).catch(function () { return null; });
    }

    function showAlreadySent() {
      say(form.dataset.textAlreadySent);
      restart.hidden = false;
      submit.hidden = true;
      retry.hidden = true;
    }

    if (form.dataset.saved) {
      forget();  // the server has it: nothing of it stays on the phone
    } else {
      var draft = restore();
      if (draft && sentToken) {
        if (navigator.onLine === false) {
          say(form.dataset.textMaybeSent);
          restart.hidden = false;
        } else {
          say(form.dataset.textRestored);
          checkSent(sentToken).then(function (answer) {
            if (answer && answer.saved && currentToken() === sentToken) showAlreadySent();
            else if (answer === null) { say(form.dataset.textMaybeSent); restart.hidden = false; }
          });
        }
      } else if (draft) {
        say(form.dataset.textRestored);
      }
    }
    restart.addEventListener("click", startOver);
    // Nothing is stored until something is typed: an untouched form leaves no draft behind.
    form.addEventListener("input", function () {
      save();
      // A changed text is a new report: it may be sent (with its own token).
      if (!restart.hidden && currentToken() !== sentToken) { submit.hidden = false; }
    });
    form.addEventListener("change", save);

    function send() {
      var sentBefore = sentToken;
      token.value = currentToken();
      sentToken = token.value;
      save();
      var data = new FormData(form);
      retry.hidden = true;
      return fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", redirect: "follow"
      }).then(function (response) {
        if (response.ok && response.url.indexOf("sparad=") !== -1) {
          forget();
          window.location.assign(response.url);
        } else if (response.status === 400) {
          // The server found something to correct: let it show the form with its messages.
          form.dataset.native = "1";
          form.submit();
        } else {
          window.location.assign(response.url);  // e.g. the login page; the draft stays
        }
      }).catch(function () {
        if (navigator.onLine === false) {
          // The phone had no network: the report did not leave it, so a restored draft is
          // plainly unsent. (Had it reached the server after all, sending it again is safe:
          // the same reporter's same text carries the same token, and the server keeps one.)
          sentToken = sentBefore;
          save();
        }
        say(navigator.onLine === false ? form.dataset.textOffline : form.dataset.textFailed);
        retry.hidden = false;
      });
    }

    form.addEventListener("submit", function (event) {
      token.value = currentToken();
      if (form.dataset.native || !window.fetch || !window.FormData) return;
      event.preventDefault();
      if (navigator.onLine === false) {
        save();  // not sent: nothing left the phone, so the restored draft is plainly unsent
        say(form.dataset.textOffline);
        retry.hidden = false;
        return;
      }
      send();
    });
    retry.addEventListener("click", send);
    // Back in coverage, an unsent draft goes by itself, after a moment: a connection that has
    // just come back often drops again, and a page being left (a reload, a closed tab) must
    // not start a send it cannot finish. Such a send would mark the draft as possibly sent
    // when nothing left the phone.
    var leaving = false;
    window.addEventListener("beforeunload", function () { leaving = true; });
    window.addEventListener("pagehide", function () { leaving = true; });
    window.addEventListener("online", function () {
      setTimeout(function () {
        if (!leaving && navigator.onLine !== false && !retry.hidden) send();
      }, 1000);
    });

    if (form.dataset.sw && navigator.serviceWorker) {
      navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.swScope })
        .catch(function () { /* the form still works online */ });
    }

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
    // Coordinates typed by hand (the safety walk's SWEREF 99 TM fields): one point at a time,
    // so picking a point empties them and typing in them lets go of the picked point.
    var typed = form.querySelectorAll("[data-typed-point]");
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
      typed.forEach(function (el) { el.value = ""; });
      show();
      save();
    }

    clear.addEventListener("click", function () {
      lat.value = ""; lon.value = "";
      typed.forEach(function (el) { el.value = ""; });
      show(); save();
    });
    typed.forEach(function (el) {
      el.addEventListener("input", function () {
        if (lat.value || lon.value) { lat.value = ""; lon.value = ""; show(); }
      });
    });
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
      // Opened with a point already chosen (the position, a point sent back with an error):
      // the map starts there, to move it a little.
      var here = lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : null;
      map = baseMap(document.getElementById("fw-pick-map"), config, here || centerOf(places),
                    here || places.length ? 15 : 5);
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
    document.querySelectorAll("form[action*='logga-ut']").forEach(function (f) {
      f.addEventListener("submit", clearEverything);
    });
    var form = document.getElementById("fw-report-form");
    if (form) reportForm(form);
    // Other forms with a point to pick (a safety walk's observation) reuse the picker alone.
    var picking = document.querySelector("form[data-point-picker]");
    if (picking && !form) pointPicker(picking, function () {});
    var week = document.getElementById("fw-week-map");
    if (week) weekMap(week);
  });
})();
