// dalil workbench: the only script. No inline script anywhere (the CSP forbids it).
// Evidence upload with progress: the file is sent as the raw request body so the
// server can hash and encrypt it while it streams (no plaintext temporary file).
"use strict";
(function () {
  // Send FILE as the raw body of a POST to URL with a progress bar; on a 2xx answer
  // whose JSON satisfies accept(data), call done(data); otherwise report the failure.
  function sendWithProgress(url, form, file, contentType, progress, status, accept, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.round((e.loaded / e.total) * 100);
        progress.value = pct;
        progress.textContent = pct + "%";
      }
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      status.textContent = "";
      if (xhr.status >= 200 && xhr.status < 300 && data && accept(data)) {
        progress.value = 100;
        status.className = "ok";
        done(data);
      } else {
        status.className = "bad";
        status.textContent = status.getAttribute("data-failed") + " " + ((data && data.error) || xhr.status);
      }
    });
    xhr.addEventListener("error", function () {
      status.className = "bad";
      status.textContent = status.getAttribute("data-failed") + " network";
    });
    xhr.send(file);
  }

  // A scanned PDF or an image is queued for OCR when stored: link to that job's page.
  function showOcrJob(status, job) {
    if (typeof job !== "number") { return; }
    status.appendChild(document.createTextNode(" " + status.getAttribute("data-ocr") + " "));
    var link = document.createElement("a");
    link.href = "/jobs/" + job;
    link.textContent = "#" + job;
    link.id = "uploaded-ocr-job";
    status.appendChild(link);
  }

  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var progress = document.getElementById("progress");
    var status = document.getElementById("upload-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = document.getElementById("file");
      if (!input.files || input.files.length === 0) { input.focus(); return; }
      var file = input.files[0];
      var params = new URLSearchParams();
      params.set("name", file.name);
      var source = document.getElementById("source").value;
      if (source) { params.set("source", source); }
      if (document.getElementById("sensitive").checked) { params.set("sensitive", "true"); }
      var graphic = document.getElementById("graphic");
      if (graphic && graphic.checked) { params.set("graphic", "true"); }
      sendWithProgress("/api/v1/evidence?" + params.toString(), form, file,
        file.type || "application/octet-stream", progress, status,
        function (data) { return Boolean(data.sha256); },
        function (data) {
          if (data.already_held) {  // the same content is held: that item, not a copy
            status.textContent = status.getAttribute("data-held").replace("{n}", data.id) + " ";
            var held = document.createElement("a");
            held.href = "/evidence/" + encodeURIComponent(data.sha256);
            held.textContent = data.original_name || data.sha256;
            held.id = "uploaded-link";
            status.appendChild(held);
            return;
          }
          status.textContent = status.getAttribute("data-done") + " " + data.sha256;
          if (typeof data.capture_job === "number") {
            // A web capture: stored, then checked and recorded by a job (its page).
            status.appendChild(document.createTextNode(" " + status.getAttribute("data-capture") + " "));
            var jl = document.createElement("a");
            jl.href = "/jobs/" + data.capture_job;
            jl.textContent = "#" + data.capture_job;
            jl.id = "uploaded-capture-job";
            status.appendChild(jl);
            return;
          }
          var link = document.createElement("a");
          link.href = "/evidence/" + encodeURIComponent(data.sha256);
          link.textContent = data.original_name || data.sha256;
          link.id = "uploaded-link";
          status.appendChild(document.createTextNode(" "));
          status.appendChild(link);
          showOcrJob(status, data.ocr_job);
        });
    });
  }
  // Source from a document, with progress: the same raw-body upload, fields as query.
  function setupSourceUpload() {
    var form = document.getElementById("source-upload-form");
    if (!form) { return; }
    var progress = document.getElementById("su-progress");
    var status = document.getElementById("su-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = document.getElementById("su-file");
      if (!input.files || input.files.length === 0) { input.focus(); return; }
      var file = input.files[0];
      var params = new URLSearchParams();
      params.set("name", file.name);
      ["title", "kind", "publisher", "published", "language"].forEach(function (f) {
        var v = document.getElementById("su-" + f).value;
        if (v) { params.set(f, v); }
      });
      if (document.getElementById("su-sensitive").checked) { params.set("sensitive", "true"); }
      sendWithProgress("/api/v1/sources/upload?" + params.toString(), form, file,
        "application/octet-stream", progress, status,
        function (data) { return Boolean(data.source); },
        function (data) {
          var done = data.already_held  // the file is already this source's document
            ? status.getAttribute("data-held").replace("{n}", data.source.id)
            : status.getAttribute("data-done");
          status.appendChild(document.createTextNode(done + " "));
          var link = document.createElement("a");
          link.href = "/sources/" + encodeURIComponent(data.source.id);
          link.textContent = data.source.title;
          link.id = "uploaded-source-link";
          status.appendChild(link);
          if (data.text_error) {
            status.appendChild(document.createTextNode(" " + status.getAttribute("data-notext") + " " + data.text_error));
          }
          if (typeof data.text_job === "number") {
            // The text is extracted by a job (the source's page says so until it is done).
            status.appendChild(document.createTextNode(" " + status.getAttribute("data-textjob") + " "));
            var tj = document.createElement("a");
            tj.href = "/jobs/" + data.text_job;
            tj.textContent = "#" + data.text_job;
            tj.id = "uploaded-text-job";
            status.appendChild(tj);
          }
          showOcrJob(status, data.ocr_job);
        });
    });
  }

  // Jobs (linkage runs, fixity checks, reports …): poll the job's JSON and show its
  // state, progress fraction, log lines and result until it has finished.
  function setupJob() {
    var box = document.getElementById("job");
    if (!box) { return; }
    var st = box.getAttribute("data-state");
    if (st !== "running" && st !== "queued") { return; }
    var id = box.getAttribute("data-job");
    var state = document.getElementById("job-state");
    var list = document.getElementById("job-messages");
    var bar = document.getElementById("job-progress");
    function poll() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", "/api/v1/jobs/" + encodeURIComponent(id));
      xhr.addEventListener("load", function () {
        var job = null;
        try { job = JSON.parse(xhr.responseText); } catch (e) { job = null; }
        if (!job || !job.messages) { setTimeout(poll, 2000); return; }
        while (list.children.length < job.messages.length) {
          var li = document.createElement("li");
          li.textContent = job.messages[list.children.length];
          list.appendChild(li);
        }
        if (typeof job.progress === "number") { bar.value = job.progress; }
        if (job.state === "running" || job.state === "queued") {
          if (box.getAttribute("data-state") !== job.state) {
            box.setAttribute("data-state", job.state);
            state.textContent = state.getAttribute("data-" + job.state);
          }
          setTimeout(poll, 1000);
          return;
        }
        // Finished: the page is drawn again by the server, which writes the result in
        // words (labels, not the result's keys) in the reader's language.
        if (job.state === "done") { window.location.reload(); return; }
        bar.max = 1; bar.value = 1;
        box.setAttribute("data-state", job.state);
        var cancel = document.getElementById("job-cancel");
        if (cancel) { cancel.parentNode.removeChild(cancel); }
        var attempts = document.getElementById("job-attempts");
        if (attempts) { attempts.textContent = job.attempts + " / " + job.max_attempts; }
        if (job.state === "cancelled") {
          state.textContent = state.getAttribute("data-cancelled");
        } else {
          state.textContent = state.getAttribute("data-failed") + " " + job.error;
        }
      });
      xhr.addEventListener("error", function () { setTimeout(poll, 2000); });
      xhr.send();
    }
    setTimeout(poll, 500);
  }
  // Possible duplicates while a victim's name is typed (record a killing, new person):
  // a debounced POST of what was typed to /api/v1/persons/duplicates (never a URL: the
  // name is protected), the answer drawn as the server draws it after "Check for
  // duplicates", which is how the page works without this script.
  function setupDuplicates() {
    var box = document.getElementById("dupes");
    if (!box) { return; }
    var form = box.closest("form");
    var pick = box.getAttribute("data-pick");
    var words = JSON.parse(box.getAttribute("data-words") || "{}");
    var ids = pick
      ? { name: ["k-vic_name", "k-vic_pseudonym"], sex: "k-vic_sex", age: "k-vic_age", date: "k-act_date", place: "k-inc_place" }
      : { name: ["f-legal_name", "f-pseudonym"], sex: "f-sex", age: "f-age" };
    var timer = null;
    var seq = 0;
    function val(id) {
      var el = id ? document.getElementById(id) : null;
      return el ? el.value.trim() : "";
    }
    function digits(text) {
      return text.replace(/[\u0660-\u0669]/g, function (c) { return String(c.charCodeAt(0) - 0x0660); })
        .replace(/[\u06f0-\u06f9]/g, function (c) { return String(c.charCodeAt(0) - 0x06f0); });
    }
    function el(tag, text, attrs) {
      var e = document.createElement(tag);
      if (text) { e.textContent = text; }
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      return e;
    }
    function render(data) {
      var chosen = form.querySelector("input[name='" + pick + "']:checked");
      var keep = chosen ? chosen.value : "";
      box.textContent = "";
      if (!data.matches.length) {
        box.appendChild(el("p", box.getAttribute("data-none")
          .replace("{p}", data.checked.persons).replace("{r}", data.checked.list_records),
          { "class": "ok", id: "dupes-none" }));
        return;
      }
      box.appendChild(el("p", box.getAttribute("data-heading"), { "class": "error", id: "dupes-heading" }));
      var list = el("ul", "", { "class": "dupes-list" });
      data.matches.forEach(function (m, i) {
        var li = el("li");
        if (pick && m.person_id) {
          var radio = el("input", "", { type: "radio", name: pick, id: "dupe-" + (i + 1), value: String(m.person_id) });
          li.appendChild(radio);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("label", box.getAttribute("data-use") + ":", { "for": "dupe-" + (i + 1) }));
          li.appendChild(document.createTextNode(" "));
        }
        var isPerson = m.kind === "person";
        li.appendChild(document.createTextNode(box.getAttribute(isPerson ? "data-person" : "data-record") + " "));
        var link = el("a", "", { href: isPerson ? "/persons/" + m.id : "/lists" });
        link.appendChild(el("bdi", m.label));
        li.appendChild(link);
        if (!isPerson) {
          if (m.person_id) {
            li.appendChild(document.createTextNode(" → "));
            li.appendChild(el("a", "#" + m.person_id, { href: "/persons/" + m.person_id }));
          } else {
            li.appendChild(document.createTextNode(" (" + box.getAttribute("data-unlinked") + ")"));
          }
        }
        li.appendChild(document.createTextNode(" — "));
        li.appendChild(el("strong", box.getAttribute(m.likely ? "data-likely" : "data-possible")));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("small", "(" + m.reasons.map(function (r) { return words[r] || r; }).join(box.getAttribute("data-sep") || "; ") + ")"));
        list.appendChild(li);
      });
      var last = el("li");
      if (pick) {
        var none = el("input", "", { type: "radio", name: pick, id: "dupe-none", value: "" });
        last.appendChild(none);
        last.appendChild(document.createTextNode(" "));
        last.appendChild(el("label", box.getAttribute("data-new"), { "for": "dupe-none" }));
      } else {
        last.appendChild(el("input", "", { type: "hidden", name: "dupes_seen", value: "1" }));
      }
      list.appendChild(last);
      box.appendChild(list);
      if (pick) {
        var still = keep ? list.querySelector("input[name='" + pick + "'][value='" + keep + "']") : null;
        (still || list.querySelector("#dupe-none")).checked = true;
      }
    }
    function send(body, retry) {
      var mine = ++seq;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/persons/duplicates");
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
      xhr.addEventListener("load", function () {
        if (mine !== seq) { return; }  // a later check is on its way
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 422 && retry) {  // a date or age not yet readable: leave it out
          send({ name: body.name, sex: body.sex }, false);
          return;
        }
        if (xhr.status === 200 && data && data.matches) { render(data); }
      });
      xhr.send(JSON.stringify(body));
    }
    function check() {
      var name = "";
      ids.name.forEach(function (id) { if (!name) { name = val(id); } });
      if (!name) { return; }
      var body = { name: name };
      var sex = val(ids.sex);
      if (sex) { body.sex = sex; }
      var age = parseInt(digits(val(ids.age)), 10);
      if (!isNaN(age) && age >= 0 && age <= 150) { body.age = age; }
      if (val(ids.date)) { body.date = digits(val(ids.date)); }
      if (val(ids.place)) { body.place = val(ids.place); }
      send(body, true);
    }
    [].concat(ids.name, [ids.sex, ids.age, ids.date, ids.place]).forEach(function (id) {
      var input = id ? document.getElementById(id) : null;
      if (!input) { return; }
      input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () {
        clearTimeout(timer);
        timer = setTimeout(check, 400);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setupUpload);
  document.addEventListener("DOMContentLoaded", setupDuplicates);
  document.addEventListener("DOMContentLoaded", setupSourceUpload);
  document.addEventListener("DOMContentLoaded", setupJob);
}());

// Forms marked data-confirm ask before they are sent (disabling a user, …).
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  }
});

// Graphic evidence: blurred and greyscale until the viewer presses "Show" for this item
// (per item and per visit: nothing is remembered). Audio and video start muted (the
// markup says so; set again here in case a browser restored an old state).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("#graphic-toggle, .graphic-toggle").forEach((button) => {
    const box = document.getElementById(button.getAttribute("aria-controls"));
    if (!box) { return; }
    button.addEventListener("click", () => {
      const shown = box.classList.toggle("shown");
      button.setAttribute("aria-pressed", shown ? "true" : "false");
      button.textContent = button.dataset[shown ? "hide" : "show"];
    });
  });
  document.querySelectorAll(".viewer video, .viewer audio").forEach((el) => { el.muted = true; });
});
