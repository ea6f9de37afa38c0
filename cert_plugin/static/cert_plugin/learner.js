/* cert_plugin: the "My certificates" tab's Share buttons.
 *
 * The page works without this script (each card links to its certificate
 * page, which has the verification link to copy). Each earned card carries
 * its share title, text and URL in data attributes; translated messages come
 * from data attributes on .cp-learner, never from this file.
 */
(function () {
  "use strict";

  var root = document.querySelector(".cp-learner");
  if (!root) {
    return;
  }
  var messages = root.dataset;

  function announce(card, message) {
    var status = card.querySelector("[data-share-status]");
    if (!status) {
      return;
    }
    // Clear first so that the same message is announced again on a second click.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function copyLink(card) {
    var url = card.dataset.shareUrl;
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
      return navigator.clipboard.writeText(url).then(
        function () {
          announce(card, messages.msgCopied);
        },
        function () {
          announce(card, messages.msgCopyFailed);
        }
      );
    }
    announce(card, messages.msgCopyFailed);
    return Promise.resolve();
  }

  function share(card) {
    var data = card.dataset;
    var payload = { title: data.shareTitle, text: data.shareText, url: data.shareUrl };
    var canShare = typeof navigator.share === "function" &&
      (typeof navigator.canShare !== "function" || navigator.canShare(payload));
    if (!canShare) {
      return copyLink(card);
    }
    return Promise.resolve(navigator.share(payload)).catch(function (error) {
      // The learner closed the share menu: nothing to do. Any other failure: copy instead.
      if (!error || error.name !== "AbortError") {
        return copyLink(card);
      }
      return undefined;
    });
  }

  var buttons = root.querySelectorAll("[data-share]");
  Array.prototype.forEach.call(buttons, function (button) {
    var card = button.closest("[data-share-url]");
    if (!card) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      share(card);
    });
  });
})();
