// dalil workbench: the only script. No inline script anywhere (the CSP forbids it).
// Evidence upload with progress: the file is sent as the raw request body so the
// server can hash and encrypt it while it streams (no plaintext temporary file).
"use strict";
(function () {
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
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/evidence?" + params.toString());
      xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
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
        if (xhr.status >= 200 && xhr.status < 300 && data) {
          progress.value = 100;
          status.className = "ok";
          status.textContent = status.getAttribute("data-done") + " " + data.sha256;
          var link = document.createElement("a");
          link.href = "/evidence/" + encodeURIComponent(data.sha256);
          link.textContent = data.original_name || data.sha256;
          link.id = "uploaded-link";
          status.appendChild(document.createTextNode(" "));
          status.appendChild(link);
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
    });
  }
  document.addEventListener("DOMContentLoaded", setupUpload);
}());
