/* cert_plugin: keeps a learner's own pages available offline (their certificate, "My certificates").
 *
 * The page works without this script. The element that carries data-sw-url
 * registers the offline worker (/certs/sw.js); when it also carries
 * data-offline-urls (only the owner's pages do, never someone else's), the
 * worker is asked to fetch and keep those URLs, the page itself, its
 * same-origin CSS and JS and the images it shows. Once they are kept the
 * element gets data-offline-ready. See docs/decisions/0003.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-sw-url]");
  if (!root) {
    return;
  }
  var data = root.dataset;

  function sameOrigin(urls, text) {
    if (!text) {
      return;
    }
    var url = new URL(text, location.href);
    if (url.origin === location.origin) {
      urls.push(url.pathname + url.search);
    }
  }

  function pageParts() {
    var urls = [];
    var nodes = document.querySelectorAll("link[rel~='stylesheet'][href], script[src]");
    for (var i = 0; i < nodes.length; i += 1) {
      sameOrigin(urls, nodes[i].href || nodes[i].src);
    }
    // The images as the page asked for them (an image not loaded yet: its src).
    var images = root.querySelectorAll("img");
    for (var j = 0; j < images.length; j += 1) {
      sameOrigin(urls, images[j].currentSrc || images[j].getAttribute("src"));
    }
    return urls;
  }

  function keepOffline(registration) {
    var own = (data.offlineUrls || "").split(/\s+/).filter(Boolean);
    var worker = registration.active || registration.waiting || registration.installing;
    if (!own.length || !worker) {
      return;
    }
    var here = location.pathname + location.search;
    var urls = [here].concat(own, pageParts()).filter(function (url, index, all) {
      return all.indexOf(url) === index;
    });
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      if (event.data && event.data.ok) {
        root.setAttribute("data-offline-ready", "true");
      }
    };
    worker.postMessage({ type: "cert-plugin:keep", urls: urls }, [channel.port2]);
  }

  if ("serviceWorker" in navigator && data.swUrl && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker
        .register(data.swUrl, { scope: data.swScope })
        .then(function () {
          return navigator.serviceWorker.ready;
        })
        .then(keepOffline)
        .catch(function () {
          /* Offline copies are a convenience; the page works without them. */
        });
    });
  }
})();
