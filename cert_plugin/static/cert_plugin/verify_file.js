/* Drag and drop for the verify form's "Check a certificate file" (the form works without it):
 * a file dropped anywhere on the drop zone goes into the file input and the form is sent. */
(function () {
  "use strict";
  var zone = document.querySelector("[data-dropzone]");
  if (!zone) { return; }
  var form = zone.querySelector("form");
  var input = zone.querySelector("input[type=file]");
  var target = zone.querySelector("[data-drop-target]");
  var status = zone.querySelector("[data-drop-status]");
  if (!form || !input) { return; }
  if (target) { target.hidden = false; }
  var depth = 0;

  function over(on) { zone.classList.toggle("cp-dropzone--over", on); }
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  function send() {
    if (status && input.files && input.files.length) {
      status.textContent = (status.getAttribute("data-checking") || "") + input.files[0].name;
    }
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
  }

  zone.addEventListener("dragenter", function (event) {
    if (!carriesFiles(event)) { return; }
    event.preventDefault();
    depth += 1;
    over(true);
  });
  zone.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (depth === 0) { over(false); }
  });
  zone.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files || !event.dataTransfer.files.length) { return; }
    event.preventDefault();
    depth = 0;
    over(false);
    input.files = event.dataTransfer.files;
    send();
  });
  input.addEventListener("change", function () { zone.classList.remove("cp-dropzone--over"); });
}());
