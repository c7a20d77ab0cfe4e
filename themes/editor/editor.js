// The editor's only script (served by the app; its CSP runs no other): the entry's
// Markdown previewed as the site renders it, every problem `check` would report shown
// beside its field as the candidate types (entries and profile: forms with data-check),
// and evidence files dropped on the page. Everything it does, the forms also do without it.
document.querySelectorAll("form[data-check]").forEach(function (form) {
  "use strict";
  var timer = null;

  function fields() {
    var data = new FormData(form);
    data.delete("evidence");  // files go with "save", not with every key typed
    return new URLSearchParams(data);
  }

  function show(problems) {
    document.querySelectorAll("[data-problems-for]").forEach(function (list) {
      var found = problems[list.getAttribute("data-problems-for")] || [];
      list.replaceChildren();
      found.forEach(function (problem) {
        var item = document.createElement("li");
        item.className = problem.error ? "ed-error" : "ed-warning";
        item.textContent = problem.message;
        if (problem.hint) {
          var hint = document.createElement("small");
          hint.textContent = problem.hint;
          item.appendChild(document.createElement("br"));
          item.appendChild(hint);
        }
        list.appendChild(item);
      });
    });
  }

  function check() {
    fetch(form.getAttribute("data-check"), {method: "POST", body: fields(), credentials: "same-origin"})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (result) {
        if (!result) { return; }
        var preview = form.querySelector("[data-preview]");
        if (preview && result.preview !== undefined) {
          // Rendered and cleaned by the server with the sites' own sanitizer.
          preview.innerHTML = result.preview;
        }
        show(result.problems);
        form.setAttribute("data-checked", String(Date.now()));
      })
      .catch(function () { /* the server is gone: saving will say so */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "file") { return; }
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });

  var drop = form.querySelector("[data-drop]");
  var input = form.querySelector('input[name="evidence"]');
  if (drop && input) {
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("ed-over"); });
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("ed-over"); });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      drop.classList.remove("ed-over");
      var files = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { files.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { files.items.add(file); });
      input.files = files.files;
    });
  }
});
