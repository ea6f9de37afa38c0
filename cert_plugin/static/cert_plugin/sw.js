/* cert_plugin offline worker, served at /certs/sw.js (scope /certs/).
 *
 * A learner who opened their certificate page once online can open it again
 * offline, with its image, and download its PDF; likewise "My certificates",
 * with its images and the PDFs it offers. What is stored:
 *   - only what a learner's own pages ask to keep (a "cert-plugin:keep" message
 *     from offline.js listing the page, its images and files and its
 *     same-origin CSS/JS), so pages of other learners, staff views and public
 *     views are never stored;
 *   - only complete (200) GET responses that do not say Cache-Control: no-store.
 * Every request is network-first: online, the learner always gets the current
 * page (a stored copy is refreshed); offline, the stored copy answers. When the
 * server says a stored page is no longer available (404/403/401, or a
 * redirect such as to the login page after logging out), the copy is deleted.
 *
 * The view fills in the version: it changes whenever this file or the page
 * assets change, which makes the browser install the new worker.
 */
"use strict";

var PREFIX = "cert-plugin-offline-";
var CACHE = PREFIX + "__CERT_PLUGIN_CACHE_VERSION__";
var MATCH = { ignoreVary: true };

function storable(response) {
  var control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.status === 200 && response.type === "basic" && control.indexOf("no-store") === -1;
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // Carry the certificates kept by an older version over to this one, then drop the old caches.
  event.waitUntil(
    caches.open(CACHE).then(function (current) {
      return caches.keys().then(function (names) {
        var old = names.filter(function (name) {
          return name.indexOf(PREFIX) === 0 && name !== CACHE;
        });
        return Promise.all(old.map(function (name) {
          return caches.open(name).then(function (cache) {
            return cache.keys().then(function (requests) {
              return Promise.all(requests.map(function (request) {
                return cache.match(request, MATCH).then(function (response) {
                  return response ? current.put(request, response) : undefined;
                });
              }));
            });
          }).then(function () {
            return caches.delete(name);
          });
        }));
      });
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (text) {
      var url = new URL(text, self.location.href);
      if (url.origin !== self.location.origin) {
        return false;
      }
      url.hash = "";
      return fetch(url.href, { credentials: "same-origin", cache: "no-cache" }).then(
        function (response) {
          if (!storable(response)) {
            return false;
          }
          return cache.put(url.href, response).then(function () {
            return true;
          });
        },
        function () {
          return false;
        }
      );
    }));
  }).then(function (results) {
    return results.every(Boolean);
  });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "cert-plugin:keep" || !Array.isArray(message.urls)) {
    return;
  }
  var port = event.ports && event.ports[0];
  event.waitUntil(keep(message.urls.slice(0, 50)).then(function (ok) {
    if (port) {
      port.postMessage({ type: "cert-plugin:kept", ok: ok });
    }
  }));
});

function networkFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(
      function (response) {
        if (response.status === 401 || response.status === 403 || response.status === 404 ||
            response.type === "opaqueredirect" || response.redirected) {
          // No longer this browser's to see (logged out, unpublished): forget the stored copy.
          return cache.delete(request, MATCH).then(function () {
            return response;
          });
        }
        if (!storable(response)) {
          return response;
        }
        return cache.match(request, MATCH).then(function (known) {
          // Refresh only what an owner's page asked to keep; never add anything here.
          return known ? cache.put(request, response.clone()).then(function () {
            return response;
          }) : response;
        });
      },
      function (error) {
        return cache.match(request, MATCH).then(function (stored) {
          if (stored) {
            return stored;
          }
          throw error;
        });
      }
    );
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) {
    return; // POSTs and partial requests go straight to the network, never to the cache
  }
  if (new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(networkFirst(request));
});
