/* portfolio-gen: the in-page check of a candidate's own site (its verification page and
 * credential pages), with the same core as the institution's verifier: both
 * cryptosuites, dates, status, the signed registry's rules and evidence digests.
 *
 * A convenience, not an independent check: this script and the trust files it reads
 * (verification.json, did.json, registry.json, the status list) come from the candidate's
 * host, like the credentials; the page links to the institution's own verifier for that.
 * Loaded by assets/verify.js only on pages that have something to check.
 */
import { unreadable, verifiedRegistry, verifyCredential } from "./core.js";
import { fetchBytes, fetchJson, label } from "./fetching.js";
import { reasonIn, verdictIn } from "./words.js";

const MANIFEST = "verification.json";

/** What the site's own copies say the institution vouches for; `root` is the site's root. */
async function loadTrust(root) {
  const manifest = await fetchJson(new URL(MANIFEST, root));
  const site = typeof manifest.site === "string" ? manifest.site : "";
  // A URL under the portfolio's published address is read from this very site.
  const local = (url) => (site && typeof url === "string" && url.startsWith(site)
    ? new URL(url.slice(site.length), root).href : null);
  const lists = manifest.statusLists && typeof manifest.statusLists === "object" ? manifest.statusLists : {};
  const didDocuments = (await Promise.all((manifest.didDocuments || []).map(
    (path) => fetchJson(new URL(path, root)).catch(() => null)))).filter(Boolean);
  const trust = {
    institution: manifest.institution, didDocuments, phases: manifest.phases || {}, registry: null,
    registryProblem: "",
    statusList: (url) => (typeof lists[url] === "string" ? fetchJson(new URL(lists[url], root)).catch(() => null) : null),
    evidence: async (url) => (local(url) ? fetchBytes(local(url)) : null),
  };
  try {
    if (!manifest.registry) throw new Error("this site publishes no evaluator registry");
    trust.registry = await verifiedRegistry(await fetchJson(new URL(manifest.registry, root)), trust, Date.now());
  } catch (error) {
    trust.registryProblem = error.message;
  }
  const slug = site.replace(/\/$/, "").split("/").pop() || "";
  // The candidate the site names (its card): its credentials must name that candidate's
  // subject, by the salt derived from the slug (core.js). The host writes the card too, so
  // this catches a copy republished under another card, not a host naming the victim.
  const card = manifest.candidate;
  const claimed = card && typeof card === "object" && typeof card.slug === "string" ? card.slug : "";
  return { trust, slug, claimed };
}

function show(element, result) {
  element.dataset.verdict = result.verdict;
  if (result.code) element.dataset.reasonCode = result.code;
  element.classList.add(`pf-verdict--${result.verdict}`);
  // "error": this browser could not check at all (the page's own words, data-label-error).
  const lang = document.documentElement.lang;
  element.textContent = result.verdict === "error" ? label(element, "error") : verdictIn(lang, result.verdict);
  const detail = document.createElement("span");
  detail.className = "pf-verdict__detail";
  detail.textContent = reasonIn(lang, result) || result.checks?.join(", ") || "";
  element.append(" ", detail);
}

function summarize(results) {
  const summary = document.querySelector("[data-pf-verify-summary]");
  if (!summary) return;
  const failed = results.filter((r) => r.verdict !== "valid").length;
  summary.dataset.failed = String(failed);
  summary.textContent = (failed ? summary.dataset.labelFailed : summary.dataset.labelValid)
    .replace("{failed}", failed).replace("{total}", results.length);
  summary.classList.add(failed ? "pf-verify-summary--failed" : "pf-verify-summary--ok");
}

async function run() {
  const elements = Array.from(document.querySelectorAll("[data-pf-verify]"));
  const done = () => { document.documentElement.dataset.pfVerified = "done"; };
  if (!elements.length) return done();
  const hint = (name) => elements.forEach((el) => show(el, { verdict: "error", reason: el.dataset[name] || name }));
  // Opened from disk, the browser refuses to read the site's files: say what to do instead.
  if (location.protocol === "file:") return hint("hintFile"), done();
  if (!window.crypto?.subtle || typeof DecompressionStream === "undefined") return hint("hintBrowser"), done();
  const root = new URL(elements[0].dataset.root, document.baseURI).href;
  let loaded;
  try {
    loaded = await loadTrust(root);
  } catch (error) {
    elements.forEach((el) => show(el, { verdict: "error", reason: error.message }));
    return done();
  }
  const results = [];
  for (const element of elements) {  // one at a time: RDF canonicalization is CPU-bound
    let result;
    try {
      const credential = await fetchJson(new URL(element.dataset.credential, document.baseURI));
      result = await verifyCredential(credential, loaded.trust, { slug: loaded.slug, claimed: loaded.claimed });
    } catch (error) {
      result = unreadable(error.message);
    }
    show(element, result);
    results.push(result);
  }
  summarize(results);
  done();
}

run();
