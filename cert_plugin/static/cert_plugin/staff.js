/*
 * cert_plugin — the course staff dashboard: a job's live progress bar and "select all".
 *
 * Every [data-job] whose state is queued or running polls its data-job-url (JSON:
 * state, done, total, percent, text, summary...) once a second until it is done or
 * failed, updating the bar, its aria values and the aria-live text. Every text shown
 * comes from the server (already translated) or from data-msg-* attributes. Without
 * JavaScript the page refreshes itself while a job runs (a <noscript> meta refresh).
 */
(function () {
  "use strict";

  var POLL_MS = 1000;

  function watchJob(box) {
    var url = box.getAttribute("data-job-url");
    var bar = box.querySelector("[data-job-bar]");
    var fill = bar ? bar.querySelector(".cp-progress__bar") : null;
    var text = box.querySelector("[data-job-text]");
    var percentText = box.querySelector("[data-job-percent]");
    var summary = box.querySelector("[data-job-summary]");
    var stateBadge = box.querySelector("[data-job-state]");
    var reload = box.querySelector("[data-job-reload]");
    var failures = 0;

    function show(data) {
      var percent = Math.max(0, Math.min(100, Number(data.percent) || 0));
      if (fill) { fill.style.width = percent + "%"; }
      if (bar) {
        bar.setAttribute("aria-valuenow", String(percent));
        bar.setAttribute("aria-valuetext", data.text || "");
      }
      if (text && data.text && text.textContent !== data.text) { text.textContent = data.text; }
      if (percentText) { percentText.textContent = "(" + percent + "%)"; }
      if (stateBadge && data.state_label) {
        stateBadge.textContent = data.state_label;
        stateBadge.className = "cp-badge " + (data.state === "done" ? "cp-badge--valid"
          : data.state === "failed" ? "cp-badge--revoked" : "cp-badge--pending");
      }
      box.setAttribute("data-state", data.state);
      box.className = box.className.replace(/\bst-job--\w+/, "st-job--" + data.state);
      if (summary && data.summary) { summary.textContent = data.summary; summary.hidden = false; }
    }

    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(data);
          if (data.state === "done" || data.state === "failed") {
            if (reload) { reload.hidden = true; }
            return;
          }
          window.setTimeout(poll, POLL_MS);
        })
        .catch(function () {
          failures += 1;
          if (failures >= 5) {
            if (text) { text.textContent = box.getAttribute("data-msg-poll-failed") || ""; }
            return;
          }
          window.setTimeout(poll, POLL_MS * failures);
        });
    }

    var state = box.getAttribute("data-state");
    if (state === "queued" || state === "running") {
      if (reload) { reload.hidden = true; }
      window.setTimeout(poll, POLL_MS);
    }
  }

  function selectAll() {
    var all = document.querySelector("[data-select-all]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name='users'][form='st-bulk']"));
    var counter = document.querySelector("[data-selected-count]");
    if (!boxes.length) { return; }
    function update() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      if (all) {
        all.checked = checked === boxes.length;
        all.indeterminate = checked > 0 && checked < boxes.length;
      }
      if (counter) {
        var template = counter.getAttribute(checked === 1 ? "data-msg-one" : "data-msg-many") || "";
        counter.textContent = checked ? template.replace("{count}", String(checked)) : "";
      }
    }
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }

  function focusProblem() {
    var problem = document.querySelector("[data-problem]");
    if (problem) { problem.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job]"), watchJob);
    selectAll();
    focusProblem();
  });
}());
