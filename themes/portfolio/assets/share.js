/* portfolio-gen: the share buttons of credential and portfolio pages (issue 32). A file,
 * not an inline script: the Content-Security-Policy allows only this site's scripts.
 * Buttons are hidden in the page and shown here, so that a reader without JavaScript
 * never meets a button that does nothing. */
(function () {
  "use strict";

  function copy(button) {
    var link = button.getAttribute("data-pf-copy") || location.href;
    var status = document.querySelector("[data-pf-copy-status]");
    var say = function (text) { if (status) status.textContent = text; };
    var done = function () { button.setAttribute("data-pf-copied", "true"); say(button.getAttribute("data-label-copied")); };
    var failed = function () { say(button.getAttribute("data-label-failed") + " " + link); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(done, failed);
    } else {
      failed();
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pf-copy]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-pf-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
