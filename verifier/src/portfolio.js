/* portfolio-gen: the in-page check of a candidate's own site (its verification page and
 * credential pages), with the same core as the institution's verifier: both
 * cryptosuites, dates, status, the signed registry's rules and evidence digests.
 *
 * A convenience, not an independent check: this script and verification.json come from the
 * candidate's host, like the credentials; the page links to the institution's own verifier
 * for that. The institution's did.json, registry and status lists are read from its own
 * domain (which must send Access-Control-Allow-Origin, docs/verification.md), the host's
 * copies only when it cannot be reached, and then each verdict says so (issue 28).
 * Loaded by assets/verify.js only on pages that have something to check.
 */
import { unreadable, verifiedRegistry, verifyCredential } from "./core.js";
import { fetchBytes, fetchFromInstitution, fetchJson, label } from "./fetching.js";
import { checksIn, reasonIn, verdictIn } from "./words.js";

const MANIFEST = "verification.json";

// A did:web: host, optional %3A-encoded port, path (dids.py's parse_did_web).
const DID_WEB = /^did:web:([a-z0-9.-]+)(?:%3A([0-9]+))?((?::[A-Za-z0-9._~%-]+)*)$/;

/** Where the institution publishes its trust files, from its did:web: did.json where the
 * did:web method puts it, the registry at the domain's root (as `verify --allow-network`
 * reads them, verify_site.py), status lists at the URLs the credentials name. */
function institutionSite(did) {
  const found = typeof did === "string" ? DID_WEB.exec(did) : null;
  if (!found) return null;
  const origin = `https://${found[1]}${found[2] ? `:${found[2]}` : ""}`;
  const path = found[3] ? found[3].slice(1).split(":") : [];
  return { origin, didDocument: path.length ? `${origin}/${path.join("/")}/did.json` : `${origin}/.well-known/did.json`,
    registry: `${origin}/registry.json` };
}

/** What the institution vouches for; `root` is the site's root. Read from the institution's
 * own domain, as `verify --allow-network` reads it: a host could replay an older status list
 * or registry the institution signed (issue 28). The host's copies (verification.json names
 * them) are used only when the institution cannot be reached, as `verify` reads them
 * offline, and each such use is recorded in `hostCopies`: the page says so. */
async function loadTrust(root) {
  const manifest = await fetchJson(new URL(MANIFEST, root));
  const site = typeof manifest.site === "string" ? manifest.site : "";
  // A URL under the portfolio's published address is read from this very site.
  const local = (url) => (site && typeof url === "string" && url.startsWith(site)
    ? new URL(url.slice(site.length), root).href : null);
  const institution = institutionSite(manifest.institution);
  const hostCopies = new Set();
  const lists = manifest.statusLists && typeof manifest.statusLists === "object" ? manifest.statusLists : {};
  const hostList = (url) => (typeof lists[url] === "string" ? fetchJson(new URL(lists[url], root)).catch(() => null) : null);
  const read = new Map();  // status list URL -> its document, read once per page
  const statusList = (url) => {
    if (!read.has(url)) read.set(url, statusListAt(url, institution, hostList, hostCopies));
    return read.get(url);
  };
  const trust = {
    institution: manifest.institution, didDocuments: await didDocumentsOf(manifest, root, institution, hostCopies),
    phases: manifest.phases || {}, registry: null, registryProblem: "", statusList, hostCopies,
    evidence: async (url) => (local(url) ? fetchBytes(local(url)) : null),
  };
  try {
    trust.registry = await newestRegistry(manifest, root, institution, trust);
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

/** The institution's did.json from its domain; the host's copies when it cannot be reached. */
async function didDocumentsOf(manifest, root, institution, hostCopies) {
  if (institution) {
    const own = await fetchFromInstitution(institution.didDocument);
    if (!own.unreachable) return own.document ? [own.document] : [];
    hostCopies.add("did.json");
  }
  return (await Promise.all((manifest.didDocuments || []).map(
    (path) => fetchJson(new URL(path, root)).catch(() => null)))).filter(Boolean);
}

/** The newest registry the institution signed that can be had: the host's copy and the
 * institution's own, compared by version (verify_site.py's _registry), so a replayed older
 * registry loses to the current one. */
async function newestRegistry(manifest, root, institution, trust) {
  const documents = [];
  if (manifest.registry) documents.push(fetchJson(new URL(manifest.registry, root)).catch(() => null));
  if (institution) {
    const own = await fetchFromInstitution(institution.registry);
    if (own.unreachable) trust.hostCopies.add("registry.json");
    else documents.push(own.document);
  }
  if (!documents.length) throw new Error("this site publishes no evaluator registry");
  let newest = null;
  let problem = "";
  for (const document of await Promise.all(documents)) {
    if (!document) continue;
    try {
      const registry = await verifiedRegistry(document, trust, Date.now());
      if (!newest || Number(registry.version) > Number(newest.version)) newest = registry;
    } catch (error) {
      problem ||= error.message;
    }
  }
  if (!newest) throw new Error(problem || "the evaluator registry cannot be read");
  return newest;
}

/** The status list at `url`: on the institution's domain only (verify_site.py refuses a list
 * elsewhere), from that very URL; the host's copy when the institution cannot be reached. */
async function statusListAt(url, institution, hostList, hostCopies) {
  if (!institution) return hostList(url);
  if (typeof url !== "string" || !url.startsWith(`${institution.origin}/`)) return null;
  const own = await fetchFromInstitution(url);
  if (!own.unreachable) return own.document;
  hostCopies.add(url);
  return hostList(url);
}

/** Whether the verdict on `credential` rests on a copy this host served because the
 * institution could not be reached: its key, its registry, or the credential's status list. */
function fromHostCopies(credential, hostCopies) {
  if (hostCopies.has("did.json") || hostCopies.has("registry.json")) return true;
  const entries = credential && typeof credential === "object" ? [].concat(credential.credentialStatus ?? []) : [];
  return entries.some((entry) => hostCopies.has(entry?.statusListCredential));
}

/** Say that the institution's own files could not be read: the verdict stands, as `verify`
 * offline gives it from the site's copies, but only as far as this host is honest. */
function caveat(element) {
  element.dataset.checkedAgainst = "host-copy";
  const note = document.createElement("span");
  note.className = "pf-verdict__caveat";
  note.textContent = label(element, "host-copy");
  element.append(" ", note);
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
  detail.textContent = reasonIn(lang, result) || checksIn(lang, result.checks);
  element.append(" ", detail);
  banner(element, result);
}

/** A credential page's banner says one verdict (issue 32): once this browser has checked
 * the file, its verdict replaces the build's, so a file altered since the build reads
 * « invalide » alone, never beside « valide ». When it could not check, both stay. */
function banner(element, result) {
  const section = element.closest("[data-pf-banner]");
  if (!section || result.verdict === "error") return;
  section.dataset.verdict = result.verdict;
  section.dataset.checked = "browser";
  const built = section.querySelector("[data-pf-banner-built]");
  if (built) built.hidden = true;
}

function summarize(results, hostCopies) {
  const summary = document.querySelector("[data-pf-verify-summary]");
  if (!summary) return;
  const failed = results.filter((r) => r.verdict !== "valid").length;
  summary.dataset.failed = String(failed);
  summary.textContent = (failed ? summary.dataset.labelFailed : summary.dataset.labelValid)
    .replace("{failed}", failed).replace("{total}", results.length);
  summary.classList.add(failed ? "pf-verify-summary--failed" : "pf-verify-summary--ok");
  if (hostCopies.size) caveat(summary);
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
    let credential;
    try {
      credential = await fetchJson(new URL(element.dataset.credential, document.baseURI));
      result = await verifyCredential(credential, loaded.trust, { slug: loaded.slug, claimed: loaded.claimed });
    } catch (error) {
      result = unreadable(error.message);
    }
    show(element, result);
    if (fromHostCopies(credential, loaded.trust.hostCopies)) caveat(element);
    results.push(result);
  }
  summarize(results, loaded.trust.hostCopies);
  done();
}

run();
