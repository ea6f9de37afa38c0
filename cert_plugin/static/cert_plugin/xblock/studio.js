/* CertificateProgressBlock.studio_view: send the form to the studio_submit JSON handler. */
function CertProgressStudio(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector("form.cp-xblock--studio") || root;
  var error = form.querySelector(".cp-xblock__error");
  var url = runtime.handlerUrl(root, "studio_submit");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var data = {
      display_name: form.elements.display_name.value,
      intro: form.elements.intro.value,
      done_message: form.elements.done_message.value,
      show_share: form.elements.show_share.checked
    };
    if (runtime.notify) { runtime.notify("save", {state: "start"}); }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.error || "The settings could not be saved."); }
        if (runtime.notify) { runtime.notify("save", {state: "end"}); }
      });
    }).catch(function (problem) {
      if (runtime.notify) { runtime.notify("error", {title: "Certificate progress", message: problem.message}); }
      showError(problem.message);
    });
  });

  form.querySelector(".cancel-button").addEventListener("click", function (event) {
    event.preventDefault();
    if (runtime.notify) { runtime.notify("cancel", {}); }
  });
}
