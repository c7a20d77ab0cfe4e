/* portfolio-gen: the institution's credential verifier, without the page.
 *
 * Mirrors the command line (`portfolio-gen verify`, credentials/verify.py and
 * verify_site.py): shape (shape.js: the OB 3.0 JSON Schema and structure rules), Data Integrity proof (eddsa-rdfc-2022 through digitalbazaar's
 * jsonld/rdf-canonize, eddsa-jcs-2022 through the RFC 8785 reference `canonicalize`),
 * issuer/key binding (did:key, the institution's did:web), dates, revocation in the
 * institution's signed Bitstring Status List, evidence digests, then the institution's
 * signed evaluator registry (registered key, framework, period, phase).
 *
 * The only trust root is the institution: its did.json, registry and status list are
 * read from the institution's own site (the page's), never from a candidate's host.
 * JSON-LD contexts are bundled; nothing is fetched from third parties.
 *
 * Weight (issue 28): verifier.js is 375,251 bytes (71,153 gzip -9), most of it the compiled
 * OB 3.0 schema (~209 KB) and jsonld.js (~90 KB). digitalbazaar's stack was measured in
 * its place: data-integrity + both eddsa cryptosuites + ed25519-multikey would make it
 * 423,860 bytes (85,895 gzip), adding vc + vc-bitstring-status-list 498,102 (106,354 gzip),
 * to replace ~3 KB of proof code (verifySignature) and a 10-line gunzip (pako would
 * duplicate the browser's DecompressionStream; @noble/ed25519 its WebCrypto Ed25519). The
 * trust rules around it (which DID documents, controller, purposes, the jcs @context
 * rule, the list's id, issuer and validUntil, the signer's own list, signed form) would
 * stay here either way. Kept hand-written for now; interop with that stack is tested in
 * tests/interop.
 */
import jsonld from "jsonld";
import canonicalize from "canonicalize";
import * as base58 from "base58-universal";
import { SCHEMA_INVALID, shapeProblems } from "./shape.js";
import { SIGNED_FORM, signedFormProblem } from "./signedform.js";

import credentialsV2 from "../../portfolio_gen/credentials/contexts/credentials-v2.jsonld";
import dataIntegrityV2 from "../../portfolio_gen/credentials/contexts/data-integrity-v2.jsonld";
import multikeyV1 from "../../portfolio_gen/credentials/contexts/multikey-v1.jsonld";
import statusListV1 from "../../portfolio_gen/credentials/contexts/vc-bitstring-status-list-v1.jsonld";
import openBadgesV3 from "../../portfolio_gen/credentials/contexts/ob-v3p0-context-3.0.3.json";
import examplesV2 from "../../portfolio_gen/credentials/contexts/credentials-examples-v2.jsonld";

export const VERDICTS = ["valid", "invalid", "revoked", "expired", "untrusted", "unknown-status"];
const SKEW_MS = 5 * 60 * 1000;
const PROOF_TYPE = "DataIntegrityProof";
const SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"];
const ED25519_MULTICODEC = [0xed, 0x01];
const CONTEXTS = {
  "https://www.w3.org/ns/credentials/v2": credentialsV2,
  "https://w3id.org/security/data-integrity/v2": dataIntegrityV2,
  "https://w3id.org/security/multikey/v1": multikeyV1,
  "https://www.w3.org/ns/credentials/status/v1": statusListV1,
  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": openBadgesV3,
  "https://www.w3.org/ns/credentials/examples/v2": examplesV2,
};
const REGISTRY_TYPE = "EvaluatorRegistryCredential";
const STATUS_LIST_TYPE = "BitstringStatusListCredential";
// A signer's own list (status.py's SIGNER_LIST_URL): every signing key has a list named
// after it, and the institution revokes a credential only in its signer's list.
const SIGNER_LIST_URL = /^[a-z][a-z0-9+.-]*:\/\/[^?#]*\/status\/lists\/(z6Mk[1-9A-HJ-NP-Za-km-z]{40,50})\.json$/;
const AWARD_TYPES = ["Certificate", "ext:Attestation"];
// The registry rules' reasons in English, for `reason` (what a reader of the result
// without words.js sees); the pages say the code in their language (words.js).
const TRUST_REASONS = {
  "trust.unregistered": "the signer is not in the institution's evaluator registry",
  "trust.self_validation": "the evaluator validated their own portfolio",
  "trust.other_framework": "the evaluator is not authorised for this framework",
  "trust.out_of_period": "signed outside the evaluator's authorised period",
  "trust.other_phase": "the evaluator is not authorised for this item's phase",
  "trust.not_institution": "a certificate or attestation not issued by the institution",
};

/** A check that failed: `check` names it, `code` and `params` let the page say it in the
 * reader's language (words.js, from the command line's catalogue verdicts.yml); the
 * message is English. Without a code, `params.detail` is the message, as the command
 * line's `<check>.invalid` says it. */
const SIGNATURE_MISMATCH = "signature does not match";
const ENTRY_SOURCE_GENRE = "Entry source";

class Failed extends Error {
  constructor(check, reason, verdict = "invalid", code = "", params = {}) {
    super(`${check}: ${reason}`);
    this.check = check;
    this.verdict = verdict;
    this.code = code || `${check}.invalid`;  // as verify.py's _Failed: every failure has the CLI's code
    this.params = code ? params : { detail: reason };
  }
}

async function documentLoader(url) {
  if (Object.prototype.hasOwnProperty.call(CONTEXTS, url)) {
    return { contextUrl: null, documentUrl: url, document: CONTEXTS[url] };
  }
  throw new Error(`context ${url} is not bundled; nothing is fetched`);
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The one proof, given as an object or as an array of one (VCDM 2.0 allows both). */
export function singleProof(document) {
  let proof = isObject(document) ? document.proof : null;
  if (Array.isArray(proof)) proof = proof.length === 1 ? proof[0] : null;
  return isObject(proof) ? proof : null;
}

export function issuerId(credential) {
  const issuer = credential.issuer;
  if (isObject(issuer)) return typeof issuer.id === "string" ? issuer.id : null;
  return typeof issuer === "string" ? issuer : null;
}

const DATETIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function parseDate(value) {
  if (typeof value !== "string" || !DATETIME.test(value)) return NaN;
  // A dateTime without a timezone is read as UTC, as the VC data model advises.
  return Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : value + "Z");
}

// --- keys -----------------------------------------------------------------------------

function publicKeyBytes(multikey) {
  if (typeof multikey !== "string" || multikey[0] !== "z") throw new Error("not a multibase base58btc key");
  const bytes = base58.decode(multikey.slice(1));
  if (bytes.length !== 34 || bytes[0] !== ED25519_MULTICODEC[0] || bytes[1] !== ED25519_MULTICODEC[1]) {
    throw new Error("not an Ed25519 Multikey");
  }
  return bytes.slice(2);
}

/** The key of a verification method and its controller: a did:key carries its key; a
 * did:web must be one of the DID documents the verifier trusts (the institution's). */
export function resolveMethod(methodId, didDocuments) {
  if (typeof methodId !== "string") throw new Error("no verification method");
  const did = methodId.split("#")[0];
  if (did.startsWith("did:key:")) {
    const multikey = did.slice("did:key:".length);
    if (methodId !== `${did}#${multikey}`) throw new Error(`malformed did:key verification method ${methodId}`);
    return { id: methodId, controller: did, key: publicKeyBytes(multikey), multibase: multikey,
      purposes: ["assertionMethod", "authentication"] };
  }
  const document = didDocuments.find((d) => isObject(d) && d.id === did);
  if (!document) throw new Error(`unknown verification method: no DID document for ${did}`);
  const method = (document.verificationMethod || []).find((m) => isObject(m) && m.id === methodId);
  if (!method) throw new Error(`unknown verification method: ${methodId} is not in ${did}`);
  const purposes = ["assertionMethod", "authentication"].filter((p) => (document[p] || []).includes(methodId));
  return { id: methodId, controller: method.controller, key: publicKeyBytes(method.publicKeyMultibase),
    multibase: method.publicKeyMultibase, purposes };
}

// --- cryptosuites -----------------------------------------------------------------------

async function rdfc(document) {
  try {
    return await jsonld.canonize(document, {
      algorithm: "RDFC-1.0", format: "application/n-quads", documentLoader, safe: true,
    });
  } catch (error) {
    throw new Error(`not canonicalizable as RDFC-1.0: ${error.message}`);
  }
}

function jcs(document) {
  const text = canonicalize(document);
  if (typeof text !== "string") throw new Error("not canonicalizable as JCS");
  return text;
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Verify Proof of both suites: SHA-256(canonical proof configuration) ||
 * SHA-256(canonical document without proof), Ed25519 through WebCrypto. */
async function verifySignature(secured, proof, publicKey) {
  const canonical = proof.cryptosuite === "eddsa-rdfc-2022" ? rdfc : jcs;
  const unsecured = { ...secured };
  delete unsecured.proof;
  const config = { ...proof };
  delete config.proofValue;
  if (proof.cryptosuite === "eddsa-jcs-2022" && config["@context"] !== undefined) {
    const documentContexts = [].concat(unsecured["@context"] ?? []);
    const proofContexts = [].concat(config["@context"]);
    if (jcs(documentContexts.slice(0, proofContexts.length)) !== jcs(proofContexts)) {
      throw new Error("document @context does not start with the proof's @context");
    }
  }
  if (unsecured["@context"] !== undefined) config["@context"] = unsecured["@context"];
  else delete config["@context"];
  let signature;
  try {
    signature = base58.decode(String(proof.proofValue).replace(/^z/, ""));
    if (!String(proof.proofValue).startsWith("z")) throw new Error("not multibase base58btc");
  } catch (error) {
    throw new Error(`proofValue: ${error.message}`);
  }
  const data = new Uint8Array(64);
  data.set(await sha256(await canonical(config)), 0);
  data.set(await sha256(await canonical(unsecured)), 32);
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  if (signature.length !== 64 || !(await crypto.subtle.verify({ name: "Ed25519" }, key, signature, data))) {
    throw new Error(SIGNATURE_MISMATCH);
  }
}

/** The proof layer (proofs.verify): options, key, purpose, signature, controller. */
export async function checkProof(secured, didDocuments, expectedController, now) {
  const proof = singleProof(secured);
  if (!proof) {
    const several = Array.isArray(secured.proof) && secured.proof.length > 1;
    throw new Failed("proof", several ? "proof sets (several proofs) are not supported" : "document has no proof");
  }
  if (proof.cryptosuite === "eddsa-jcs-2022" && jcs(proof["@context"] ?? null) !== jcs(secured["@context"] ?? null)) {
    throw new Failed("proof", "eddsa-jcs-2022 proof @context differs from the credential's");
  }
  if (proof.type !== PROOF_TYPE) throw new Failed("proof", `proof type ${JSON.stringify(proof.type)} is not ${PROOF_TYPE}`);
  if (!SUITES.includes(proof.cryptosuite)) throw new Failed("proof", `unsupported cryptosuite ${JSON.stringify(proof.cryptosuite)}`);
  if (proof.proofPurpose !== "assertionMethod") throw new Failed("proof", "proof purpose is not assertionMethod");
  if (typeof proof.proofValue !== "string") throw new Failed("proof", "proof has no proofValue");
  for (const field of ["created", "expires"]) {
    if (field in proof && Number.isNaN(parseDate(proof[field]))) {
      throw new Failed("proof", `proof ${field} is not a valid XML Schema dateTime`);
    }
  }
  if ("expires" in proof && parseDate(proof.expires) <= now) throw new Failed("proof", `proof expired on ${proof.expires}`);
  let method;
  try {
    method = resolveMethod(proof.verificationMethod, didDocuments);
  } catch (error) {
    throw new Failed("proof", error.message);
  }
  if (!method.purposes.includes("assertionMethod")) {
    throw new Failed("proof", `verification method ${method.id} is not authorized for assertionMethod`);
  }
  try {
    await verifySignature(secured, proof, method.key);
  } catch (error) {
    throw new Failed("proof", error.message, "invalid", error.message === SIGNATURE_MISMATCH ? "proof.mismatch" : "");
  }
  if (expectedController !== undefined && method.controller !== expectedController) {
    throw new Failed("proof", `key controller ${method.controller} is not the issuer ${expectedController}`);
  }
  if (proof.cryptosuite === "eddsa-rdfc-2022") {
    // The proof covers the RDF graph, not the JSON keys the checks below read (issue 28).
    const problem = await signedFormProblem(secured, documentLoader);
    if (problem) throw new Failed("proof", problem, "invalid", SIGNED_FORM, { detail: problem });
  }
  return method;
}

// --- the credential ---------------------------------------------------------------------

function checkShape(credential) {
  const problems = shapeProblems(credential);
  if (problems.length) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new Failed("schema", problems[0] + more, "invalid", SCHEMA_INVALID, { detail: problems[0] + more });
  }
}

/** verify.py's _check_dates: the proof's `created` is when the key signed, `validFrom`
 * what the signer wrote. VCDM 2.0 lets `validFrom` precede `created` (an award signed or
 * re-issued later): the evaluator's grant is judged at `created` (untrustedCode). */
function checkDates(credential, now) {
  const validFrom = parseDate(credential.validFrom);
  if (validFrom - SKEW_MS > now) {
    throw new Failed("dates", `not yet valid: validFrom is ${credential.validFrom}`, "invalid", "dates.not_yet_valid",
      { date: credential.validFrom });
  }
  const created = parseDate(singleProof(credential)?.created);
  if (Number.isNaN(created)) throw new Failed("dates", "the proof states no `created` time", "invalid", "dates.no_created");
  if (created - SKEW_MS > now) {
    throw new Failed("dates", `signed in the future: proof created ${singleProof(credential).created}`, "invalid",
      "dates.future", { date: singleProof(credential).created });
  }
  if ("validUntil" in credential && parseDate(credential.validUntil) + SKEW_MS < now) {
    throw new Failed("dates", `expired: validUntil was ${credential.validUntil}`, "expired", "dates.expired",
      { date: credential.validUntil });
  }
}

function revocationEntry(credential) {
  return [].concat(credential.credentialStatus ?? []).find((s) =>
    isObject(s) && s.type === "BitstringStatusListEntry" && s.statusPurpose === "revocation");
}

function base64url(text) {
  let b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  while (b64.length % 4) b64 += "=";
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The institution's status list at `url`, verified: signed by the institution, in its
 * dates. Throws with the reason when it cannot be read or trusted. */
async function verifiedStatusList(url, trust, now) {
  const list = await trust.statusList(url);
  if (!isObject(list)) throw new Error("cannot be read");
  if (!(list.type || []).includes(STATUS_LIST_TYPE)) throw new Error(`not a ${STATUS_LIST_TYPE}`);
  if (list.id !== url) throw new Error("its id is not the URL the credential names");
  if (issuerId(list) !== trust.institution) throw new Error(`issued by ${issuerId(list)}, not by ${trust.institution}`);
  await checkProof(list, trust.didDocuments, trust.institution, now);
  checkDates(list, now);
  // An old list, signed before a revocation, would otherwise serve forever.
  if (typeof list.validUntil !== "string") throw new Error("the list states no validUntil, so its freshness cannot be known");
  return list;
}

/** Why a credential signed with `signerKey` may not take its status from `url` (another
 * key's list, where the institution would never revoke it), or null (status.py's). */
export function otherSignersList(url, signerKey) {
  const found = typeof url === "string" ? SIGNER_LIST_URL.exec(url) : null;
  if (!found || found[1] === signerKey) return null;
  return `its status list ${url} is the list of another key (${found[1]}), not of the key that signed it ` +
    `(${signerKey || "unknown"}): the institution could never revoke it there`;
}

async function checkStatus(credential, trust, now, signerKey) {
  const entry = revocationEntry(credential);
  // Without one a revocation could never be seen: refused, as on the command line.
  if (!entry) {
    throw new Failed("status", "the credential carries no revocation status entry (credentialStatus)", "invalid",
      "status.missing");
  }
  const url = entry.statusListCredential;
  // Before any list is read: that list could be perfectly valid, and still never show
  // this credential revoked (issue 26).
  const other = otherSignersList(url, signerKey);
  if (other) throw new Failed("status", other, "untrusted", "status.other_list", { url, signer: signerKey || "?" });
  let bits;
  try {
    const list = await verifiedStatusList(url, trust, now);
    bits = await gunzip(base64url(String(list.credentialSubject.encodedList).replace(/^u/, "")));
  } catch (error) {
    // Never "not revoked" when the list could not be read: the status is unknown.
    throw new Failed("status", `status unknown: status list ${url} is not usable (${error.message})`, "unknown-status",
      "status.unknown", { url, detail: error.message });
  }
  // A string of digits, as status.py's check_status reads it; anything else leaves the status unknown.
  const text = entry.statusListIndex;
  if (typeof text !== "string" || !/^[0-9]+$/.test(text)) {
    const detail = `statusListIndex ${JSON.stringify(text)} is not a string of digits`;
    throw new Failed("status", `status unknown: ${detail}`, "unknown-status", "status.unknown", { url, detail });
  }
  const index = Number(text);
  if (index >= bits.length * 8) {
    throw new Failed("status", "status unknown: the index is outside the status list", "unknown-status", "status.index");
  }
  if ((bits[index >> 3] >> (7 - (index % 8))) & 1) throw new Failed("status", "revoked", "revoked", "status.revoked");
  return "active";
}

function sha256Multihash(bytes) {
  return crypto.subtle.digest("SHA-256", bytes).then((digest) => {
    const multihash = new Uint8Array(34);
    multihash.set([0x12, 0x20], 0);
    multihash.set(new Uint8Array(digest), 2);
    return "z" + base58.encode(multihash);
  });
}

async function checkEvidence(credential, trust) {
  for (const evidence of [].concat(credential.evidence ?? [])) {
    if (!isObject(evidence) || !("digestMultibase" in evidence)) continue;
    // The entry's text as validated is pinned but never published (openbadges.py).
    if (evidence.genre === ENTRY_SOURCE_GENRE) continue;
    const bytes = await trust.evidence(String(evidence.id || ""));
    if (!bytes) throw new Failed("evidence", `evidence not reachable: ${evidence.id}`, "invalid", "evidence.unreachable", { id: evidence.id });
    if ((await sha256Multihash(bytes)) !== evidence.digestMultibase) {
      throw new Failed("evidence", `${evidence.id}: the published file does not match the digest signed in the credential`,
        "invalid", "evidence.mismatch", { id: evidence.id });
    }
  }
}

export function kindOf(credential) {
  const achievement = credential.credentialSubject?.achievement;
  const type = isObject(achievement) ? achievement.achievementType : undefined;
  return type === "Certificate" ? "certificate" : type === "ext:Attestation" ? "attestation" : "validation";
}

function dateOf(value) {
  return new Date(parseDate(value)).toISOString().slice(0, 10);
}

/** Why the institution's registry does not let this validation count (core/registry.py's
 * untrusted_reason) as { code, reason }, or null when it does. */
function untrustedReason(credential, trust, slug) {
  const code = untrustedCode(credential, trust, slug);
  if (!code) return null;
  const detail = trust.registryProblem || "no evaluator registry";
  const reason = code === "trust.registry" ? `registry: ${detail}`
    : code === "trust.not_validation" ? "not an item validation credential" : TRUST_REASONS[code];
  return { code, reason, params: { detail } };
}

function untrustedCode(credential, trust, slug) {
  if (kindOf(credential) !== "validation") {
    return issuerId(credential) === trust.institution ? "" : "trust.not_institution";
  }
  if (!trust.registry) return "trust.registry";
  const achievement = credential.credentialSubject?.achievement;
  const [framework, code] = String(achievement?.humanCode || "").split(/:(.*)/s);
  if (!framework || achievement?.alignment?.[0]?.targetCode !== code) {
    return "trust.not_validation";
  }
  const signer = String(issuerId(credential)).split("#")[0];
  const evaluator = trust.registry.evaluators.find((e) => (e.keys || []).includes(signer));
  if (!evaluator) return "trust.unregistered";
  if (evaluator.candidate && evaluator.candidate === slug) return "trust.self_validation";
  const grants = (evaluator.frameworks || []).filter((a) => a.id === framework);
  if (!grants.length) return "trust.other_framework";
  // The UTC day the key signed, never the validFrom the signer wrote (issue 28).
  const signedOn = dateOf(singleProof(credential)?.created);
  const inPeriod = grants.filter((a) => String(a.from) <= signedOn && (!a.until || signedOn <= String(a.until)));
  if (!inPeriod.length) return "trust.out_of_period";
  const phase = trust.phases?.[framework]?.[code] || "";
  if (phase && !inPeriod.some((a) => !(a.phases || []).length || a.phases.includes(phase))) {
    return "trust.other_phase";
  }
  return "";
}

/** The institution's evaluator registry, once its proof shows the institution signed it. */
export async function verifiedRegistry(document, trust, now) {
  if (!isObject(document) || !(document.type || []).includes(REGISTRY_TYPE)) throw new Error(`not an ${REGISTRY_TYPE}`);
  if (issuerId(document) !== trust.institution) {
    throw new Error(`registry issued by ${issuerId(document)}, not by the institution ${trust.institution}`);
  }
  try {
    await checkProof(document, trust.didDocuments, trust.institution, now);
  } catch (error) {
    throw new Error(`registry proof: ${error.message.replace(/^proof: /, "")}`);
  }
  if (!Array.isArray(document.credentialSubject?.evaluators)) throw new Error("registry content unreadable");
  return document.credentialSubject;
}

/** The verdict on one credential: { verdict, reason, checks, id, kind, name, issuer }.
 * `trust` holds what only the institution vouches for: institution (its DID),
 * didDocuments, registry (or registryProblem), phases, statusList(url), evidence(url). */
export async function verifyCredential(credential, trust, { slug = "", claimed = "", now = Date.now(), email = "" } = {}) {
  const checks = [];
  const described = describe(credential);
  try {
    checkShape(credential);
    checks.push("schema");
    const method = await checkProof(credential, trust.didDocuments, issuerId(credential), now);
    checks.push("proof");
    checkDates(credential, now);
    checks.push("dates");
    if ((await checkStatus(credential, trust, now, method.multibase)) === "active") checks.push("status");
    await checkEvidence(credential, trust);
    checks.push("evidence");
  } catch (error) {
    if (!(error instanceof Failed)) {
      return { ...described, verdict: "invalid", reason: `unexpected error: ${error.message}`, checks, check: "error",
        code: "error.unexpected", params: { detail: error.message } };
    }
    const { verdict, message: reason, check, code, params } = error;
    return { ...described, verdict, reason, checks, check, code, params };
  }
  // With an e-mail, whose credential this is comes first (verify_site.py's _untrusted_reason).
  if (email && !(await isAbout(credential, email))) {
    return { ...described, verdict: "untrusted", code: "trust.other_subject", params: {}, checks, check: "trust",
      reason: "the credential is about someone else: its subject is not this candidate", subject: "other" };
  }
  // `claimed`: the slug the site's verification.json names. Its credentials must name the
  // subject whose salt the institution derives from that slug (verify_site.py, as audit
  // --sites binds a site): a credential republished under another candidate's card names
  // another salt (issue 28).
  if (claimed && !(await namesClaimedSubject(credential, trust.institution, claimed))) {
    return { ...described, verdict: "untrusted", code: "trust.other_subject", params: {}, checks, check: "trust",
      reason: `the credential is about someone else: its subject is not ${claimed}, the candidate this site names`,
      subject: "other" };
  }
  const untrusted = untrustedReason(credential, trust, slug)
    || (email && (await validatesOwnPortfolio(credential, trust, email)) ? selfValidation() : null);
  const subject = email ? { subject: "matches" } : {};
  if (untrusted) return { ...described, verdict: "untrusted", ...untrusted, checks, check: "trust", ...subject };
  if (email) checks.push("subject");
  return { ...described, verdict: "valid", reason: "", checks, ...subject };
}

/** The verdict on a credential that could not be had as JSON (a file that is not JSON, a
 * URL that cannot be read): the command line's schema.not_json. */
export function unreadable(detail) {
  return { verdict: "invalid", reason: `not readable JSON: ${detail}`, checks: [], check: "schema",
    code: "schema.not_json", params: { detail } };
}

/** OB 3.0 IdentityHash of an e-mail (openbadges.py's identity_hash): SHA-256 over the
 * trimmed, lower-cased address then the salt. */
export async function identityHash(email, salt) {
  const digest = await sha256(String(email).trim().toLowerCase() + String(salt));
  return "sha256$" + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether the credential's subject is the person with this e-mail: one of its hashed
 * identities matches (verify_site.py's _is_about, as `verify --email` checks it). */
async function isAbout(credential, email) {
  const identities = [].concat(credential.credentialSubject?.identifier ?? []);
  for (const identity of identities) {
    if (!isObject(identity) || typeof identity.identityHash !== "string") continue;
    const salt = typeof identity.salt === "string" ? identity.salt : "";
    if (identity.identityHash === (await identityHash(email, salt))) return true;
  }
  return false;
}

/** The salt of a candidate's identity in every credential the institution's signers issue
 * them (openbadges.py's subject_salt): derived from the institution and the slug. */
export async function subjectSalt(institution, slug) {
  const digest = await sha256(`portfolio-gen subject salt\n${institution}\n${slug}`);
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
}

/** Whether the credential names a hashed identity salted for `slug` by `institution`
 * (cohort_sites.py's _bind_site, verify_site.py's _names_claimed_subject). */
async function namesClaimedSubject(credential, institution, slug) {
  const salt = await subjectSalt(institution, slug);
  return [].concat(credential.credentialSubject?.identifier ?? []).some((identity) =>
    isObject(identity) && identity.salt === salt && typeof identity.identityHash === "string");
}

/** A validation signed by an evaluator whose registered candidate identity is this
 * e-mail: they validated their own portfolio (verify_site.py's _validates_own_portfolio). */
async function validatesOwnPortfolio(credential, trust, email) {
  if (kindOf(credential) !== "validation" || !trust.registry) return false;
  const signer = String(issuerId(credential)).split("#")[0];
  const evaluator = trust.registry.evaluators.find((e) => isObject(e) && (e.keys || []).includes(signer));
  const identity = evaluator?.candidateIdentity;
  if (!isObject(identity) || typeof identity.identityHash !== "string") return false;
  return identity.identityHash === (await identityHash(email, typeof identity.salt === "string" ? identity.salt : ""));
}

function selfValidation() {
  return { code: "trust.self_validation", reason: TRUST_REASONS["trust.self_validation"], params: {} };
}

function describe(credential) {
  if (!isObject(credential)) return { id: "", kind: "validation", name: "", issuer: "", what: "" };
  const issuer = isObject(credential.issuer) ? credential.issuer : {};
  const achievement = credential.credentialSubject?.achievement;
  return {
    id: typeof credential.id === "string" ? credential.id : "",
    kind: kindOf(credential),
    name: typeof credential.name === "string" ? credential.name : "",
    issuer: typeof issuer.name === "string" ? issuer.name : String(issuerId(credential) || ""),
    what: isObject(achievement) && typeof achievement.humanCode === "string" ? achievement.humanCode : "",
  };
}
