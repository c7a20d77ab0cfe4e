/* portfolio-gen: verification pages are never shown inside another site's frame.
 *
 * `frame-ancestors` cannot be set from a <meta> Content-Security-Policy, and the static
 * hosts of candidates' sites may not send headers; so frame-guard.css keeps the page
 * hidden until this script has seen that it is the top window. Framed, it tries to
 * take the top window to the real page instead; browsers refuse that to a cross-origin
 * frame without a user's click, and the page then simply stays hidden. */
(function () {
  "use strict";
  if (window.self === window.top) {
    document.documentElement.setAttribute("data-pf-top", "");
    return;
  }
  try {
    window.top.location.replace(window.self.location.href);
  } catch (error) {
    // A sandboxed frame may refuse: the page simply stays hidden.
  }
})();
