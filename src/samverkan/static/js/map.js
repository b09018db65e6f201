/* The incident map (mapping/map.html): Leaflet draws the GeoJSON from mapping:map_data.
 *
 * Five layers, each switchable in the "Visa på kartan" box: the area boundary (or the
 * incidents' extent), the Gi* hot-spot cells, the top places, the safety-walk
 * observations and Polisen's events that have a place of their own. Without a tile URL the map
 * has a plain background and fetches nothing but its own data. Place names are put in as
 * text, never as HTML. */
(function () {
  "use strict";

  var LEVEL_COLOURS = { "99": "#a50f15", "95": "#de2d26", "90": "#fc9272" };

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s|%%/g, function (match, name) {
      return name ? String(values[name]) : "%";
    });
  }

  function textElement(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function boundaryStyle(feature) {
    var extent = feature.properties.kind === "extent";
    return {
      color: extent ? "#4a5360" : "#0b4f7c",
      weight: 3,
      dashArray: extent ? "8 6" : null,
      fillColor: "#0b4f7c",
      fillOpacity: 0.05,
      interactive: false
    };
  }

  function hotspotStyle(feature) {
    return {
      color: "#67000d",
      weight: 1,
      opacity: 0.9,
      fillColor: LEVEL_COLOURS[feature.properties.level] || "#a50f15",
      fillOpacity: 0.8
    };
  }

  function draw(map, data, config, el) {
    var text = config.text;
    var number = new Intl.NumberFormat(document.documentElement.lang || "sv", {
      maximumFractionDigits: 2
    });
    var byLayer = { boundary: [], hotspot: [], place: [], walk: [], police: [] };
    data.features.forEach(function (feature) {
      var list = byLayer[feature.properties.layer];
      if (list) list.push(feature);
    });

    var layers = {
      boundary: L.geoJSON(byLayer.boundary, { style: boundaryStyle }),
      hotspot: L.geoJSON(byLayer.hotspot, {
        style: hotspotStyle,
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          var label = fmt(text.hotspot, { level: p.level, count: p.count, z: number.format(p.z) });
          layer.bindTooltip(textElement(label), { sticky: true });
        }
      }),
      place: L.geoJSON(byLayer.place, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          var label = fmt(text.place, { name: p.name, count: p.count });
          var size = 24 + 5 * Math.max(0, String(p.count).length - 1);
          var marker = L.marker(latlng, {
            icon: L.divIcon({ className: "map-place", html: String(Number(p.count)), iconSize: [size, size] }),
            keyboard: true,
            title: label,
            riseOnHover: true
          });
          // The icon is a role=button div; its name is the label, not just the number in it.
          marker.on("add", function () {
            marker.getElement().setAttribute("aria-label", label);
          });
          marker.bindTooltip(textElement(label), { direction: "top", offset: [0, -size / 2] });
          return marker;
        }
      }),
      walk: L.geoJSON(byLayer.walk, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          var label = fmt(text.walk, { date: p.date, place: p.place, category: p.category });
          var marker = L.marker(latlng, {
            // Leaflet positions the icon with a transform; the diamond turns inside it.
            icon: L.divIcon({ className: "map-walk", html: '<span class="map-walk-mark"></span>', iconSize: [18, 18] }),
            keyboard: true,
            title: label
          });
          marker.on("add", function () {
            marker.getElement().setAttribute("aria-label", label);
          });
          marker.bindTooltip(textElement(label), { direction: "top", offset: [0, -9] });
          return marker;
        }
      }),
      // Polisen's events with a place of their own (a selection of notices, never hot spots).
      police: L.geoJSON(byLayer.police, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          var label = fmt(text.police, { date: p.date, type: p.type, place: p.place });
          var marker = L.marker(latlng, {
            icon: L.divIcon({ className: "map-police", html: '<span class="map-police-mark"></span>', iconSize: [16, 16] }),
            keyboard: true,
            title: label
          });
          marker.on("add", function () {
            marker.getElement().setAttribute("aria-label", label);
          });
          marker.bindTooltip(textElement(label), { direction: "top", offset: [0, -8] });
          return marker;
        }
      })
    };
    ["boundary", "hotspot", "place", "walk", "police"].forEach(function (name) {
      layers[name].addTo(map);
    });

    var switches = document.getElementById("map-layers");
    switches.querySelectorAll("input[data-layer]").forEach(function (box) {
      box.addEventListener("change", function () {
        var layer = layers[box.getAttribute("data-layer")];
        if (box.checked) map.addLayer(layer);
        else map.removeLayer(layer);
      });
    });
    switches.hidden = false;

    // bbox is the boundary's when there is one, so the map fits itself to the area.
    if (data.bbox) {
      map.fitBounds(
        [
          [data.bbox[1], data.bbox[0]],
          [data.bbox[3], data.bbox[2]]
        ],
        { padding: [16, 16], maxZoom: 16 }
      );
    }
    el.setAttribute("data-boundary", data.summary.boundary);
    el.setAttribute("data-hotspots", String(byLayer.hotspot.length));
    el.setAttribute("data-places", String(byLayer.place.length));
    el.setAttribute("data-walks", String(byLayer.walk.length));
    el.setAttribute("data-police", String(byLayer.police.length));
    el.setAttribute("data-state", "ready");
    document.getElementById("map-status").textContent = fmt(text.ready, {
      cells: byLayer.hotspot.length,
      places: byLayer.place.length,
      walks: byLayer.walk.length
    });
  }

  function start() {
    var el = document.getElementById("incident-map");
    var configEl = document.getElementById("map-config");
    if (!el || !configEl || !window.L) return;
    var config = JSON.parse(configEl.textContent);
    el.hidden = false;
    var map = L.map(el, { zoomControl: false, minZoom: 3, maxZoom: 18 });
    L.control.zoom({ zoomInTitle: config.text.zoomIn, zoomOutTitle: config.text.zoomOut }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
    }
    map.setView([62.0, 16.0], 4); // Sweden, until the data says where to look
    fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        draw(map, data, config, el);
      })
      .catch(function () {
        document.getElementById("map-status").textContent = config.text.failed;
        el.setAttribute("data-state", "failed");
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
