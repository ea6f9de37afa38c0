/*
 * cert_plugin — the certificate template editor (cert_plugin/editor/edit.html).
 *
 * No dependencies. Progressive: without JavaScript the form still saves and shows errors
 * with their line; with it the editor gains a line-number gutter, a caret position, the
 * variable palette, and a live preview refreshed 600 ms after typing stops. Every text
 * shown comes from data-msg-* attributes of #ed-editor (translated by the server).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 600;
  var root = document.getElementById("ed-editor");
  if (!root) { return; }
  var form = document.getElementById("ed-form");
  var editable = root.getAttribute("data-editable") === "1";

  function msg(name, values) {
    var text = root.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  }

  /* ----------------------------------------------------------- code areas */

  var areas = {};  // id -> {textarea, gutter, lines, errorLine}

  function lineHeight(textarea) {
    var value = parseFloat(window.getComputedStyle(textarea).lineHeight);
    return isNaN(value) ? 21 : value;
  }

  function caretLine(textarea) {
    return textarea.value.slice(0, textarea.selectionStart).split("\n").length;
  }

  function renderGutter(area) {
    var count = area.textarea.value.split("\n").length;
    var current = document.activeElement === area.textarea ? caretLine(area.textarea) : 0;
    if (count !== area.lines || current !== area.current || area.drawnError !== area.errorLine) {
      var html = [];
      for (var i = 1; i <= count; i++) {
        var cls = i === area.errorLine ? "is-error" : (i === current ? "is-current" : "");
        html.push(cls ? '<span class="' + cls + '">' + i + "</span>" : "<span>" + i + "</span>");
      }
      area.gutter.innerHTML = html.join("");
      area.lines = count;
      area.current = current;
      area.drawnError = area.errorLine;
    }
    area.gutter.scrollTop = area.textarea.scrollTop;
  }

  function updateCaret(area) {
    var label = root.querySelector('[data-caret-for="' + area.textarea.id + '"]');
    if (!label) { return; }
    var before = area.textarea.value.slice(0, area.textarea.selectionStart).split("\n");
    label.textContent = msg("caret", { line: before.length, column: before[before.length - 1].length + 1 });
  }

  function goToLine(id, line) {
    var area = areas[id];
    if (!area || !line) { return; }
    var lines = area.textarea.value.split("\n");
    var index = Math.min(Math.max(line, 1), lines.length) - 1;
    var start = 0;
    for (var i = 0; i < index; i++) { start += lines[i].length + 1; }
    area.textarea.focus();
    area.textarea.setSelectionRange(start, start + lines[index].length);
    area.textarea.scrollTop = Math.max(0, index * lineHeight(area.textarea) - area.textarea.clientHeight / 3);
    area.textarea.closest(".ed-card").scrollIntoView({ block: "nearest" });
    renderGutter(area);
    updateCaret(area);
  }

  function markError(id, line) {
    Object.keys(areas).forEach(function (key) {
      var area = areas[key];
      area.errorLine = key === id ? line : 0;
      area.textarea.closest(".ed-code").classList.toggle("ed-code--invalid", key === id && !!line);
      if (key === id && line) {
        area.textarea.setAttribute("aria-invalid", "true");
      } else {
        area.textarea.removeAttribute("aria-invalid");
      }
      renderGutter(area);
    });
  }

  function lineVisible(area, line) {
    var top = (line - 1) * lineHeight(area.textarea);
    return top >= area.textarea.scrollTop && top < area.textarea.scrollTop + area.textarea.clientHeight - 8;
  }

  var lastFocused = null;
  Array.prototype.forEach.call(root.querySelectorAll("[data-code] textarea"), function (textarea) {
    var gutter = document.createElement("pre");
    gutter.className = "ed-gutter";
    gutter.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(gutter, textarea);
    var area = { textarea: textarea, gutter: gutter, lines: 0, current: -1, errorLine: 0, drawnError: -1 };
    areas[textarea.id] = area;
    var refresh = function () { renderGutter(area); updateCaret(area); };
    ["input", "keyup", "click", "select", "focus"].forEach(function (type) {
      textarea.addEventListener(type, refresh);
    });
    textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
    textarea.addEventListener("focus", function () { lastFocused = textarea; });
    textarea.addEventListener("blur", function () { renderGutter(area); });
    if (window.ResizeObserver) { new ResizeObserver(function () { renderGutter(area); }).observe(textarea); }
    var errorLine = parseInt(textarea.getAttribute("data-error-line") || "", 10);
    if (errorLine) { area.errorLine = errorLine; }
    renderGutter(area);
    updateCaret(area);
  });

  root.addEventListener("click", function (event) {
    var link = event.target.closest("[data-goto-line]");
    if (!link) { return; }
    event.preventDefault();
    goToLine(link.getAttribute("data-goto-target"), parseInt(link.getAttribute("data-goto-line"), 10));
  });

  /* ----------------------------------------------------------- variable palette */

  Array.prototype.forEach.call(root.querySelectorAll("[data-insert]"), function (chip) {
    chip.addEventListener("click", function () {
      var textarea = lastFocused || document.getElementById("ed-html");
      if (!textarea || textarea.readOnly) { return; }
      var text = chip.getAttribute("data-insert");
      textarea.focus();
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  /* ----------------------------------------------------------- live preview */

  var previewUrl = root.getAttribute("data-preview-url");
  var frame = root.querySelector("[data-preview-frame]");
  var image = root.querySelector("[data-preview-img]");
  var statusLine = root.querySelector("[data-preview-status]");
  var errorBox = root.querySelector("[data-preview-error-box]");
  var errorText = root.querySelector("[data-preview-error-text]");
  var errorGoto = root.querySelector("[data-preview-error-goto]");
  var errorStale = root.querySelector("[data-preview-error-stale]");
  var timer = null;
  var controller = null;
  var sequence = 0;
  var objectUrl = null;

  function setStatus(text) { if (statusLine) { statusLine.textContent = text; } }

  function showImage(src) {
    if (!image) {
      image = document.createElement("img");
      image.className = "ed-preview__img";
      image.setAttribute("data-preview-img", "");
      image.alt = "";
      frame.insertBefore(image, frame.firstChild);
    }
    image.src = src;
  }

  function clearError() {
    if (errorBox) { errorBox.hidden = true; }
    frame.classList.remove("is-stale");
    markError(null, 0);
  }

  function showError(problem) {
    var field = problem.field === "css" ? "ed-css" : (problem.field === "html" ? "ed-html" : null);
    errorText.textContent = problem.error || msg("failed");
    if (field && problem.line) {
      errorGoto.hidden = false;
      errorGoto.textContent = msg("goto", { line: problem.line });
      errorGoto.setAttribute("data-goto-line", problem.line);
      errorGoto.setAttribute("data-goto-target", field);
    } else {
      errorGoto.hidden = true;
      errorGoto.removeAttribute("data-goto-line");
    }
    errorStale.textContent = image ? msg("stale") : "";
    errorBox.hidden = false;
    if (notes && problem.field) { notes.hidden = true; }  // they were about the text before this mistake
    frame.classList.add("is-stale");
    markError(field, problem.line || 0);
    var area = field && areas[field];
    if (area && problem.line && !lineVisible(area, problem.line)) {
      area.textarea.scrollTop = Math.max(0, (problem.line - 1) * lineHeight(area.textarea) - area.textarea.clientHeight / 3);
      renderGutter(area);
    }
  }

  /* Notes: addresses the renderer will never fetch, sent with each preview (X-Template-Notices). */
  var notes = root.querySelector("[data-preview-notes]");
  var notesList = root.querySelector("[data-preview-notes-list]");
  var notesMore = root.querySelector("[data-preview-notes-more]");

  function showNotes(response) {
    if (!notes || !notesList) { return; }
    var list = [];
    try { list = JSON.parse(response.headers.get("X-Template-Notices") || "[]"); } catch (error) { list = []; }
    var count = parseInt(response.headers.get("X-Template-Notice-Count") || String(list.length), 10) || 0;
    notesList.textContent = "";
    list.forEach(function (note) {
      var item = document.createElement("li");
      item.className = "ed-notes__item";
      var text = document.createElement("span");
      text.textContent = note.message;
      item.appendChild(text);
      if (note.line && (note.field === "html" || note.field === "css")) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "ed-linkbtn";
        button.setAttribute("data-goto-line", note.line);
        button.setAttribute("data-goto-target", "ed-" + note.field);
        button.textContent = msg("goto", { line: note.line });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(button);
      }
      notesList.appendChild(item);
    });
    if (notesMore) {
      notesMore.hidden = count <= list.length;
      notesMore.textContent = count > list.length ? msg("notes-more", { count: count - list.length }) : "";
    }
    notes.hidden = count === 0;
  }

  function orientation() {
    var select = document.getElementById("ed-orientation");
    return select ? select.value : "landscape";
  }

  function refreshPreview() {
    if (!form || !previewUrl) { return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++sequence;
    var sentOrientation = orientation();
    frame.classList.add("is-busy");
    setStatus(msg("updating"));
    fetch(previewUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("image/png") === 0) {
        return response.blob().then(function (blob) {
          if (mine !== sequence) { return; }
          if (objectUrl) { URL.revokeObjectURL(objectUrl); }
          objectUrl = URL.createObjectURL(blob);
          frame.classList.toggle("ed-preview__frame--portrait", sentOrientation === "portrait");
          showImage(objectUrl);
          showNotes(response);
          clearError();
          setStatus(msg("updated"));
          clearViewing();
        });
      }
      if (type.indexOf("json") !== -1) {
        return response.json().then(function (problem) {
          if (mine !== sequence) { return; }
          showError(problem);
          setStatus("");
        });
      }
      throw new Error("unexpected response " + response.status);
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      if (mine !== sequence) { return; }
      showError({ error: msg("failed") });
      setStatus("");
    }).then(function () {
      if (mine === sequence) { frame.classList.remove("is-busy"); }
    });
  }

  function schedule() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(refreshPreview, DEBOUNCE_MS);
  }

  var dirty = false;
  if (form && editable) {
    form.addEventListener("input", function () { dirty = true; schedule(); });
    form.addEventListener("change", function (event) {
      dirty = true;
      var target = event.target;
      if (target && target.id === "ed-asset-file" && target.files && target.files[0]) {
        var nameField = document.getElementById("ed-asset-name");
        if (nameField && !nameField.value) {
          nameField.value = target.files[0].name.replace(/\.[^.]*$/, "").toLowerCase()
            .replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+|_+$/g, "");
        }
      }
      schedule();
    });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  /* ----------------------------------------------------------- version history "View" */

  function clearViewing() {
    Array.prototype.forEach.call(root.querySelectorAll("tr.is-viewing"), function (row) {
      row.classList.remove("is-viewing");
    });
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("[data-view-version]");
    if (!link || !frame) { return; }
    event.preventDefault();
    if (controller) { controller.abort(); }
    if (timer) { window.clearTimeout(timer); }
    sequence++;
    clearError();
    clearViewing();
    link.closest("tr").classList.add("is-viewing");
    showImage(link.href);
    setStatus(msg("version", { number: link.getAttribute("data-view-version") }));
    frame.scrollIntoView({ block: "nearest" });
  });

  /* ----------------------------------------------------------- after a refused save */

  var problem = document.getElementById("ed-problem");
  if (problem) {
    var marked = root.querySelector("textarea[data-error-line]");
    if (marked) {
      var line = parseInt(marked.getAttribute("data-error-line"), 10);
      var area = areas[marked.id];
      if (area && line) {
        area.textarea.scrollTop = Math.max(0, (line - 1) * lineHeight(area.textarea) - area.textarea.clientHeight / 3);
        renderGutter(area);
      }
    }
    problem.focus();
    if (editable) { refreshPreview(); }  // show what the unsaved text gives (or its error, inline)
  }
})();
