/* The field-report form's service worker (fieldwork.views.service_worker): the form page and
 * its files are kept so that the form opens with no network at all. The page is fetched from
 * the network first (it carries the newest places and categories) and from the cache only when
 * the network fails; the files come from the cache. Nothing is sent from here: a report typed
 * offline waits in the page's draft until the connection is back. Logging out clears this
 * cache (Clear-Site-Data, and fieldwork.js). */
"use strict";
var CACHE = "{{ cache_prefix|escapejs }}{{ version|escapejs }}";
var PREFIX = "{{ cache_prefix|escapejs }}";
var FORM = "{{ form_page|escapejs }}";
var ASSETS = [{% for a in assets %}"{{ a|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return fetch(FORM, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
          if (r.ok && r.type !== "opaqueredirect") return cache.put(FORM, r);
        });
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf(PREFIX) === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === FORM) {
    event.respondWith(
      fetch(request).then(function (response) {
        // Keep only the plain form as the user sees it signed in: not a redirect to the
        // login page, not the "saved" answer.
        if (response.ok && !response.redirected && !url.search) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(FORM, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(CACHE).then(function (cache) {
          return cache.match(FORM).then(function (hit) { return hit || Response.error(); });
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
      })
    );
  }
});
