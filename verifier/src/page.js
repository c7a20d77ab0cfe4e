/* portfolio-gen: the institution's verifier page (<site>/verify/).
 *
 * Wires the inputs (paste, drop, file, portfolio or credential URL, ?url=) to core.js
 * and shows one result per credential: an element with data-verdict and the reason in
 * words: the verdict and reason in the page's language (<html lang>) from the command
 * line's catalogue (words.js), other labels from the page (data-label-* attributes). No
 * inline script, no third-party request: the Content-Security-Policy can stay strict.
 */
import { unreadable, verifiedRegistry, verifyCredential } from "./core.js";
import { fetchBytes, fetchJson, label } from "./fetching.js";
import { reasonIn, verdictIn } from "./words.js";

const MANIFEST = "verification.json";

/** What the institution vouches for, read from its own site (this page's). */
async function loadTrust(root) {
  const config = await fetchJson(new URL("config.json", document.baseURI));
  // A URL under the institution's published base is read from this very site.
  const local = (url) => (typeof url === "string" && url.startsWith(config.siteBaseUrl)
    ? new URL(url.slice(config.siteBaseUrl.length), root).href : url);
  const didDocuments = [];
  try {
    didDocuments.push(await fetchJson(new URL(config.didDocument, root)));
  } catch {
    // Without the institution's did.json only did:key proofs can be checked.
  }
  const trust = {
    institution: config.institution, didDocuments, phases: config.phases || {}, registry: null,
    registryProblem: "", local,
    statusList: (url) => fetchJson(local(url)).catch(() => null),
    evidence: (url) => fetchBytes(local(url)),
  };
  try {
    trust.registry = await verifiedRegistry(await fetchJson(new URL(config.registry, root)), trust, Date.now());
  } catch (error) {
    trust.registryProblem = error.message;
  }
  return trust;
}

/** Credentials behind a URL: a portfolio (its verification.json lists them) or one
 * credential file. Each with the context it is judged in (slug, evidence reader). */
async function fromUrl(text, trust) {
  const url = new URL(text, document.baseURI);
  if (!/\.json$/.test(url.pathname)) {
    const base = url.href.endsWith("/") ? url.href : `${url.href}/`;
    return fromPortfolio(base, await fetchJson(trust.local(new URL(MANIFEST, base).href)), trust);
  }
  const document_ = await fetchJson(trust.local(url.href));
  if (Array.isArray(document_?.credentials) && !document_.type) {
    return fromPortfolio(new URL("./", url).href, document_, trust);
  }
  return [{ source: url.href, credential: document_, options: {}, evidence: trust.evidence }];
}

function fromPortfolio(base, manifest, trust) {
  const site = typeof manifest.site === "string" ? manifest.site : "";
  const slug = site.replace(/\/$/, "").split("/").pop() || "";
  // The candidate the site says it is (its card): every credential must be about them, by
  // the salt derived from that slug, as `verify SITE` and `audit --sites` bind a site.
  const card = manifest.candidate;
  const claimed = card && typeof card === "object" && typeof card.slug === "string" ? card.slug : "";
  // Whose portfolio it is. Only the slug is bound to the credentials (their subject's
  // salt): the card's name is shown when it is that slug's, else the slug itself.
  const named = card && typeof card === "object" && typeof card.name === "string" ? card.name : "";
  const holder = named && slugOf(named) === claimed ? named : claimed;
  // Evidence must be published on the portfolio itself, as the command line requires:
  // a file elsewhere is "not reachable" here.
  const evidence = async (url) => (site && url.startsWith(site)
    ? fetchBytes(trust.local(new URL(url.slice(site.length), base).href)) : null);
  return (manifest.credentials || []).map((relative) => ({
    source: new URL(relative, base).href, options: { slug, claimed }, evidence, holder,
    load: () => fetchJson(trust.local(new URL(relative, base).href)),
  }));
}

/** A name as core/portfolios.py's slug_for spells it, for names in Latin letters
 * ("Élise Durand" -> "elise-durand"); another name simply does not match its slug. */
function slugOf(name) {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

function fromText(text, name) {
  let credential;
  try {
    credential = JSON.parse(text);
  } catch (error) {
    return [{ source: name, failure: error.message }];
  }
  const list = Array.isArray(credential) ? credential : [credential];
  return list.map((c, i) => ({ source: list.length > 1 ? `${name} [${i + 1}]` : name, credential: c, options: {} }));
}

function show(results, item, result) {
  const row = document.createElement("li");
  row.className = `pf-result pf-result--${result.verdict}`;
  row.dataset.verdict = result.verdict;
  if (result.id) row.dataset.credentialId = result.id;
  if (item.source) row.dataset.source = item.source;
  if (result.code) row.dataset.reasonCode = result.code;
  if (result.subject) row.dataset.subject = result.subject;
  const verdict = document.createElement("strong");
  verdict.className = "pf-result__verdict";
  const lang = document.documentElement.lang;
  verdict.textContent = verdictIn(lang, result.verdict);
  const title = document.createElement("span");
  title.className = "pf-result__title";
  title.textContent = [result.what, result.name].filter(Boolean).join(" — ") || item.source;
  const reason = document.createElement("p");
  reason.className = "pf-result__reason";
  reason.textContent = reasonIn(lang, result) || label(results, "reason-valid");
  const source = document.createElement("p");
  source.className = "pf-result__source";
  source.textContent = [result.issuer, item.source].filter(Boolean).join(" · ");
  row.append(verdict, " ", title, reason);
  if (result.subject === "matches") {
    // The e-mail given is the one the credential's subject was hashed from.
    const subject = document.createElement("p");
    subject.className = "pf-result__subject";
    subject.textContent = label(results, "subject-matches");
    row.append(subject);
  }
  row.append(source);
  results.append(row);
}

async function verifyAll(items, trust, results, summary, email) {
  const counts = {};
  const awards = [];
  for (const item of items) {
    let result;
    try {
      const credential = item.failure ? undefined : item.load ? await item.load() : item.credential;
      result = item.failure ? unreadable(item.failure)
        : await verifyCredential(credential, { ...trust, evidence: item.evidence || trust.evidence },
          { ...item.options, email });
    } catch (error) {
      result = unreadable(error.message);
    }
    counts[result.verdict] = (counts[result.verdict] || 0) + 1;
    if (result.verdict === "valid" && (result.kind === "certificate" || result.kind === "attestation")) {
      awards.push({ kind: result.kind, name: result.name || result.what });
    }
    show(results, item, result);
  }
  const total = items.length;
  const valid = counts.valid || 0;
  summary.dataset.total = String(total);
  summary.dataset.failed = String(total - valid);
  summary.textContent = label(summary, total === valid ? "all-valid" : "some-failed")
    .replace("{total}", total).replace("{failed}", total - valid);
  showHeadline(items, awards, valid, total);
}

/** Above the results: whose portfolio it is, and what it proves in one line (issue 32):
 * each award that verified ("C2i2e : certifié"), then how many credentials verified. */
function showHeadline(items, awards, valid, total) {
  const holder = document.querySelector("[data-pf-holder]");
  const headline = document.querySelector("[data-pf-headline]");
  // Named only when something verified: a site whose credentials all fail is no one's portfolio.
  const name = valid ? items.find((item) => item.holder)?.holder || "" : "";
  if (holder) {
    holder.textContent = name ? label(holder, "holder").replace("{name}", name) : "";
    holder.hidden = !name;
  }
  if (headline) {
    const parts = awards.map((award) => label(headline, award.kind).replace("{name}", award.name));
    parts.push(label(headline, "count").replace("{valid}", valid).replace("{total}", total));
    headline.textContent = parts.join(" — ");
    headline.dataset.valid = String(valid);
    headline.dataset.total = String(total);
    headline.hidden = false;
  }
}

function start() {
  const form = document.querySelector("[data-pf-verifier]");
  if (!form) return;
  const results = document.querySelector("[data-pf-results]");
  const summary = document.querySelector("[data-pf-summary]");
  const root = new URL(form.dataset.root || "../", document.baseURI).href;
  const trustReady = loadTrust(root);
  let running = Promise.resolve();

  const section = document.querySelector("[data-pf-results-section]");
  const headline = document.querySelector("[data-pf-headline]");
  const holder = document.querySelector("[data-pf-holder]");

  function run(collect, { focus = true } = {}) {
    running = running.then(async () => {
      document.documentElement.dataset.pfVerified = "running";
      results.replaceChildren();
      if (headline) headline.hidden = true;
      if (holder) holder.hidden = true;
      if (section) {
        // The results sit above the form: a reader who asked from the form is taken there.
        section.hidden = false;
        if (focus) section.querySelector("h2")?.focus();
      }
      summary.textContent = label(summary, "running");
      const trust = await trustReady;
      let items;
      try {
        items = await collect(trust);
      } catch (error) {
        items = [{ source: "", failure: error.message }];
      }
      // Optional: whose credentials these must be, as `verify --email` checks it. Never
      // put in the page's address, so it stays out of every server's logs.
      await verifyAll(items, trust, results, summary, email.value.trim());
      document.documentElement.dataset.pfVerified = "done";
    });
    return running;
  }

  const pasted = form.querySelector("[name=credential]");
  const file = form.querySelector("[name=file]");
  const url = form.querySelector("[name=url]");
  const email = form.querySelector("[name=email]") || { value: "" };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const action = event.submitter?.value || "url";
    if (action === "paste") run(async () => fromText(pasted.value, label(form, "pasted")));
    else run((trust) => fromUrl(url.value.trim(), trust));
  });
  file.addEventListener("change", () => run(async () => {
    const lists = await Promise.all(Array.from(file.files).map(async (f) => fromText(await f.text(), f.name)));
    return lists.flat();
  }));
  const zone = form.querySelector("[data-pf-dropzone]");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("pf-dropzone--over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("pf-dropzone--over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("pf-dropzone--over");
    const files = Array.from(event.dataTransfer.files || []);
    if (files.length) {
      run(async () => (await Promise.all(files.map(async (f) => fromText(await f.text(), f.name)))).flat());
    } else {
      const text = event.dataTransfer.getData("text/plain");
      pasted.value = text;
      run(async () => fromText(text, label(form, "pasted")));
    }
  });
  const given = new URLSearchParams(location.search).get("url");
  if (given) {
    url.value = given;
    run((trust) => fromUrl(given, trust), { focus: false });
  } else {
    document.documentElement.dataset.pfVerified = "ready";
  }
}

if (!window.crypto?.subtle || typeof DecompressionStream === "undefined") {
  document.documentElement.dataset.pfVerified = "unsupported";
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
