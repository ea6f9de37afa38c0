/* cert_plugin: the certificate page's sharing button (offline.js keeps the page offline).
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
})();
