/* portfolio-gen: in-browser verification of the credentials this site publishes.
 *
 * A convenience, not an independent check: this script comes from the candidate's own
 * host, like the credentials. Independent checks are `portfolio-gen verify` or any
 * Open Badges 3.0 verifier. What it checks, for each [data-pf-verify] element:
 *   - eddsa-jcs-2022 proofs, recomputed here (JCS, RFC 8785; SHA-256; Ed25519 through
 *     WebCrypto), with the key resolved from did:key or from the site's copy of the
 *     institution's did.json, and the key's controller being the issuer;
 *   - eddsa-rdfc-2022 proofs are NOT recomputed (RDF canonicalization needs a JSON-LD
 *     processor and the bundled contexts): such credentials are reported "CLI only";
 *   - validFrom / validUntil against this computer's clock (5 minutes of skew);
 *   - revocation: the credential's bit in the site's copy of the Bitstring Status List
 *     (the list's own signature, eddsa-rdfc-2022, is left to the CLI).
 * No network beyond this site; no third-party code.
 */
(function () {
  "use strict";

  var SKEW_MS = 5 * 60 * 1000;
  var B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  var ED25519_MULTICODEC = [0xed, 0x01];
  var cache = new Map();

  function fetchText(url) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url, { cache: "no-store" }).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.text();
      }));
    }
    return cache.get(url);
  }

  function fetchJson(url) {
    return fetchText(url).then(JSON.parse);
  }

  // RFC 8785 for values read by JSON.parse: ECMAScript's JSON.stringify already writes
  // numbers and strings the way the RFC specifies (it is defined in terms of it); only
  // object members need sorting, by UTF-16 code units, which is Array.sort's default.
  function jcs(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
    return "{" + Object.keys(value).sort().map(function (key) {
      return JSON.stringify(key) + ":" + jcs(value[key]);
    }).join(",") + "}";
  }

  function base58btc(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) {
      var carry = B58.indexOf(text[i]);
      if (carry < 0) throw new Error("not base58btc");
      for (var j = 0; j < bytes.length; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 0xff;
        carry >>= 8;
      }
      while (carry > 0) { bytes.push(carry & 0xff); carry >>= 8; }
    }
    for (var k = 0; k < text.length && text[k] === "1"; k++) bytes.push(0);
    return new Uint8Array(bytes.reverse());
  }

  function multibase(text) {
    if (typeof text !== "string" || text[0] !== "z") throw new Error("not multibase base58btc");
    return base58btc(text.slice(1));
  }

  function base64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function publicKey(multikey) {
    var bytes = multibase(multikey);
    if (bytes.length !== 34 || bytes[0] !== ED25519_MULTICODEC[0] || bytes[1] !== ED25519_MULTICODEC[1]) {
      throw new Error("not an Ed25519 Multikey");
    }
    return bytes.slice(2);
  }

  function issuerId(credential) {
    var issuer = credential.issuer;
    return typeof issuer === "string" ? issuer : (issuer && issuer.id) || "";
  }

  // The key of a verification method and who controls it: did:key carries the key, a
  // did:web is looked up in the site's copy of its did.json (assertionMethod only).
  function resolveMethod(methodId, didDocuments) {
    var did = String(methodId).split("#")[0];
    if (did.indexOf("did:key:") === 0) {
      var multikey = did.slice(8);
      if (methodId !== did + "#" + multikey) throw new Error("malformed did:key verification method");
      return { key: publicKey(multikey), controller: did };
    }
    var document = didDocuments.find(function (d) { return d && d.id === did; });
    if (!document) throw new Error("no DID document for " + did + " on this site");
    var method = (document.verificationMethod || []).find(function (m) { return m.id === methodId; });
    if (!method || (document.assertionMethod || []).indexOf(methodId) < 0) {
      throw new Error(methodId + " is not an assertion method of " + did);
    }
    return { key: publicKey(method.publicKeyMultibase), controller: method.controller };
  }

  async function sha256(text) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  }

  // The one proof, given as an object or as an array of one (VCDM 2.0 allows both).
  function singleProof(credential) {
    var proof = credential && typeof credential === "object" ? credential.proof : null;
    if (Array.isArray(proof)) proof = proof.length === 1 ? proof[0] : null;
    return proof && typeof proof === "object" ? proof : null;
  }

  async function checkJcsProof(credential, didDocuments) {
    var proof = singleProof(credential);
    if (proof.type !== "DataIntegrityProof") throw new Error("proof type is not DataIntegrityProof");
    if (proof.proofPurpose !== "assertionMethod") throw new Error("proof purpose is not assertionMethod");
    if (jcs(proof["@context"]) !== jcs(credential["@context"])) throw new Error("proof @context differs from the credential's");
    var method = resolveMethod(proof.verificationMethod, didDocuments);
    if (method.controller !== issuerId(credential)) throw new Error("key controller is not the issuer");
    var config = Object.assign({}, proof);
    delete config.proofValue;
    var document = Object.assign({}, credential);
    delete document.proof;
    var first = await sha256(jcs(config));
    var second = await sha256(jcs(document));
    var data = new Uint8Array(64);
    data.set(first, 0);
    data.set(second, 32);
    var key = await crypto.subtle.importKey("raw", method.key, { name: "Ed25519" }, false, ["verify"]);
    if (!await crypto.subtle.verify({ name: "Ed25519" }, key, multibase(proof.proofValue), data)) {
      throw new Error("signature does not match");
    }
  }

  function checkDates(credential, now) {
    var from = Date.parse(credential.validFrom);
    if (isNaN(from)) throw new Error("validFrom is not a date");
    if (from - SKEW_MS > now) throw new Error("not yet valid (validFrom " + credential.validFrom + ")");
    if (credential.validUntil !== undefined) {
      var until = Date.parse(credential.validUntil);
      if (isNaN(until) || until + SKEW_MS < now) throw new Error("expired (validUntil " + credential.validUntil + ")");
    }
  }

  function revocationEntry(credential) {
    var statuses = credential.credentialStatus;
    statuses = Array.isArray(statuses) ? statuses : [statuses];
    return statuses.find(function (s) {
      return s && s.type === "BitstringStatusListEntry" && s.statusPurpose === "revocation";
    });
  }

  async function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // true when revoked, false when not, null when the credential has no revocation entry.
  async function isRevoked(credential, manifest, root) {
    var entry = revocationEntry(credential);
    if (!entry) return null;
    var local = (manifest.statusLists || {})[entry.statusListCredential];
    if (!local) throw new Error("status list " + entry.statusListCredential + " is not on this site");
    var list = await fetchJson(root + local);
    if (list.id !== entry.statusListCredential) throw new Error("the status list's id is not the URL named");
    if (issuerId(list) !== manifest.institution) throw new Error("the status list is not the institution's");
    var bits = await gunzip(base64url(String(list.credentialSubject.encodedList).replace(/^u/, "")));
    var index = Number(entry.statusListIndex);
    if (!Number.isInteger(index) || index < 0 || index >= bits.length * 8) throw new Error("status index out of the list");
    return ((bits[index >> 3] >> (7 - (index % 8))) & 1) === 1;
  }

  async function site(root) {
    var manifest = await fetchJson(root + "verification.json");
    var didDocuments = await Promise.all((manifest.didDocuments || []).map(function (path) {
      return fetchJson(root + path).catch(function () { return null; });
    }));
    return { manifest: manifest, didDocuments: didDocuments };
  }

  // The verdict on one credential file: valid | invalid | revoked | cli-only (an
  // eddsa-rdfc-2022 proof, whose dates and status passed), with the checks made.
  async function verify(url, root, element) {
    var context = await site(root);
    var credential;
    try {
      credential = JSON.parse(await fetchText(url));
    } catch (error) {
      return { verdict: "invalid", detail: "not readable JSON: " + error.message };
    }
    var checks = [];
    try {
      if (!singleProof(credential)) throw new Error("no proof, or several");
      var suite = singleProof(credential).cryptosuite;
      if (suite === "eddsa-jcs-2022") {
        await checkJcsProof(credential, context.didDocuments);
        checks.push("proof (eddsa-jcs-2022)");
      } else if (suite !== "eddsa-rdfc-2022") {
        throw new Error("unsupported cryptosuite " + suite);
      }
      checkDates(credential, Date.now());
      checks.push("dates");
      var revoked = await isRevoked(credential, context.manifest, root);
      if (revoked) return { verdict: "revoked", detail: checks.join(", ") + "; revoked in the status list" };
      if (revoked === false) checks.push("status");
      if (suite === "eddsa-rdfc-2022") {
        return { verdict: "cli-only", detail: checks.join(", ") + "; " + hint(element, "hintCliOnly", "eddsa-rdfc-2022 proof not recomputed here") };
      }
      return { verdict: "valid", detail: checks.join(", ") };
    } catch (error) {
      return { verdict: "invalid", detail: error.message + (checks.length ? " (passed: " + checks.join(", ") + ")" : "") };
    }
  }

  function hint(element, name, fallback) {
    return (element && element.dataset[name]) || fallback;  // translated by the page's template
  }

  function show(element, result) {
    element.dataset.verdict = result.verdict;
    element.classList.add("pf-verdict--" + result.verdict);
    element.textContent = element.dataset["label" + result.verdict.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); })] || result.verdict;
    var detail = document.createElement("span");
    detail.className = "pf-verdict__detail";
    detail.textContent = result.detail;
    element.appendChild(detail);
  }

  function summarize(results) {
    var summary = document.querySelector("[data-pf-verify-summary]");
    if (!summary) return;
    var failed = results.filter(function (r) { return r.verdict !== "valid" && r.verdict !== "cli-only"; }).length;
    summary.dataset.failed = String(failed);
    summary.textContent = failed ? summary.dataset.labelFailed.replace("{failed}", failed).replace("{total}", results.length)
      : summary.dataset.labelValid.replace("{total}", results.length);
    summary.classList.add(failed ? "pf-verify-summary--failed" : "pf-verify-summary--ok");
  }

  async function run() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-pf-verify]"));
    if (!elements.length) return;
    // Opened from disk, the browser refuses to read the site's files ("Failed to fetch"):
    // say what to do instead, in the page's language.
    if (location.protocol === "file:") {
      elements.forEach(function (el) { show(el, { verdict: "error", detail: hint(el, "hintFile", "open the site with portfolio-gen serve or any web server") }); });
      document.documentElement.dataset.pfVerified = "done";
      return;
    }
    if (!window.crypto || !crypto.subtle || typeof DecompressionStream === "undefined") {
      elements.forEach(function (el) { show(el, { verdict: "error", detail: hint(el, "hintBrowser", "this browser lacks WebCrypto or DecompressionStream") }); });
      document.documentElement.dataset.pfVerified = "done";
      return;
    }
    var results = await Promise.all(elements.map(function (element) {
      var url = new URL(element.dataset.credential, document.baseURI).href;
      var root = new URL(element.dataset.root, document.baseURI).href;
      return verify(url, root, element).catch(function (error) {
        return { verdict: "error", detail: error.message };
      }).then(function (result) { show(element, result); return result; });
    }));
    summarize(results);
    document.documentElement.dataset.pfVerified = "done";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
