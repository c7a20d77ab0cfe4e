/* portfolio-gen: loads the in-page verifier (assets/verify-core.js, built from verifier/src
 * by scripts/build-verifier) only on pages that have a credential to check, so that other
 * pages do not download the JSON-LD processor it carries. No inline script: the
 * Content-Security-Policy (script-src 'self') allows a script from this site. */
(function () {
  "use strict";
  var self = document.currentScript && document.currentScript.src;

  function load() {
    if (!self || !document.querySelector("[data-pf-verify]")) return;
    var script = document.createElement("script");
    script.src = new URL("verify-core.js", self).href;
    document.head.appendChild(script);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
