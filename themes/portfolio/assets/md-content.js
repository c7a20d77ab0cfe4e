/* Material for MkDocs' inline script of partials/javascripts/content.html, as a file
 * (the pages' Content-Security-Policy forbids inline scripts). */
var target = document.getElementById(location.hash.slice(1));
target && target.name && (target.checked = target.name.startsWith("__tabbed_"));
