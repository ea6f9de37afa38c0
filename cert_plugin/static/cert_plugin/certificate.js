/* cert_plugin: the certificate page's enhancements (sharing, offline copy).
 *
 * The page works without this script: downloads, the verify link and the
 * publish form are plain HTML. Translated strings and URLs come from data
 * attributes on #certificate, never from this file.
 */
(function () {
  "use strict";

  var root = document.getElementById("certificate");
  if (!root) {
    return;
  }
  var data = root.dataset;

  // ----------------------------------------------------------------- sharing

  var button = root.querySelector("[data-share]");
  var input = root.querySelector("[data-share-input]");
  var status = root.querySelector("[data-share-status]");

  function announce(message) {
    if (!status) {
      return;
    }
    // Clear first so that the same message is announced again on a second click.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function selectLink() {
    if (input) {
      input.focus();
      input.select();
    }
  }

  function copyLink() {
    var url = data.shareUrl;
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
      return navigator.clipboard.writeText(url).then(
        function () {
          announce(data.msgCopied);
        },
        function () {
          selectLink();
          announce(data.msgCopyFailed);
        }
      );
    }
    selectLink();
    announce(data.msgCopyFailed);
    return Promise.resolve();
  }

  function share() {
    var payload = { title: data.shareTitle, text: data.shareText, url: data.shareUrl };
    var canShare = typeof navigator.share === "function" &&
      (typeof navigator.canShare !== "function" || navigator.canShare(payload));
    if (!canShare) {
      return copyLink();
    }
    return Promise.resolve(navigator.share(payload)).catch(function (error) {
      // The learner closed the share menu: nothing to do. Any other failure: copy instead.
      if (!error || error.name !== "AbortError") {
        return copyLink();
      }
      return undefined;
    });
  }

  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      share();
    });
  }
  if (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  }

  // ----------------------------------------------------------------- offline copy

  function sameOriginAssets() {
    var urls = [];
    var nodes = document.querySelectorAll("link[rel~='stylesheet'][href], script[src]");
    for (var i = 0; i < nodes.length; i += 1) {
      var url = new URL(nodes[i].href || nodes[i].src, location.href);
      if (url.origin === location.origin) {
        urls.push(url.pathname + url.search);
      }
    }
    return urls;
  }

  function keepOffline(registration) {
    // Only the owner's page carries data-offline-urls: pages of other learners are never stored.
    var own = (data.offlineUrls || "").split(/\s+/).filter(Boolean);
    var worker = registration.active || registration.waiting || registration.installing;
    if (!own.length || !worker) {
      return;
    }
    var here = location.pathname + location.search;
    var urls = own.concat(own.indexOf(here) === -1 ? [here] : [], sameOriginAssets());
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
