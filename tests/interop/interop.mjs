// Signs or verifies a batch of credentials with digitalbazaar's reference stack.
// Usage: node interop.mjs CONTEXTS_DIR < request.json > reply.json
// request: {op: "sign", suite, publicKeyMultibase, secretKeyMultibase, created,
//           credentials: [...]}
//       or {op: "verify", didDocuments: {did: doc}, credentials: [...],
//           statusLists (optional: then status entries are checked too)}
//       or {op: "status", didDocuments, statusLists: {url: list credential},
//           credentials: [...]}  (verifies each list, reads each credential's bit)
//       or {op: "decodeList", encodedList, indices: [...]}
// reply: {signed: [...]} or {results: [{verified, error}]} or
// {results: [{verified, status, error}]} or {length, statuses: [...]}, plus the
// seconds spent in the loop (startup excluded, for the bench).
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite, createVerifyCryptosuite} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus, decodeList} from '@digitalbazaar/vc-bitstring-status-list';

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

// The same contexts portfolio-gen bundles, and nothing else: no network.
function bundledContexts(folder) {
  const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(join(folder, file), 'utf8')));
  }
  return contexts;
}

function didKeyDocument(did) {
  const multikey = did.slice('did:key:'.length);
  const id = `${did}#${multikey}`;
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT], id: did,
    verificationMethod: [
      {id, type: 'Multikey', controller: did, publicKeyMultibase: multikey}],
    assertionMethod: [id], authentication: [id]
  };
}

function makeDocumentLoader(contexts, didDocuments, statusLists = {}) {
  const didDocument = did => did.startsWith('did:key:') ?
    didKeyDocument(did) : didDocuments[did];
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(Object.hasOwn(statusLists, url)) {
      return {contextUrl: null, documentUrl: url, document: statusLists[url]};
    }
    if(url.startsWith('did:')) {
      const [did, fragment] = url.split('#');
      const doc = didDocument(did);
      if(doc && !fragment) {
        return {contextUrl: null, documentUrl: url, document: doc};
      }
      const method = doc && doc.verificationMethod.find(m => m.id === url);
      if(method) {
        return {contextUrl: null, documentUrl: url,
          document: {'@context': MULTIKEY_CONTEXT, ...method}};
      }
    }
    throw new Error(`interop document loader refuses ${url}`);
  };
}

async function sign(request, documentLoader) {
  const key = await Ed25519Multikey.from({
    '@context': MULTIKEY_CONTEXT, type: 'Multikey',
    id: `did:key:${request.publicKeyMultibase}#${request.publicKeyMultibase}`,
    controller: `did:key:${request.publicKeyMultibase}`,
    publicKeyMultibase: request.publicKeyMultibase,
    secretKeyMultibase: request.secretKeyMultibase
  });
  const cryptosuite = request.suite === 'eddsa-jcs-2022' ?
    createSignCryptosuite() : rdfc;
  const signed = [];
  const start = process.hrtime.bigint();
  for(const credential of request.credentials) {
    const suite = new DataIntegrityProof(
      {signer: key.signer(), date: request.created, cryptosuite});
    signed.push(await vc.issue({credential, suite, documentLoader}));
  }
  return {signed, seconds: seconds(start)};
}

function verifySuites() {
  return [
    new DataIntegrityProof({cryptosuite: rdfc}),
    new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()})
  ];
}

async function verify(request, documentLoader) {
  const suite = verifySuites();
  const results = [];
  const start = process.hrtime.bigint();
  // With statusLists, credentials carrying a status entry are verified whole:
  // proof and revocation bit, the list itself verified too.
  const statusCheck = request.statusLists ? args => checkStatus({
    ...args, suite, verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: false}) : undefined;
  for(const credential of request.credentials) {
    const result = await vc.verifyCredential(
      {credential, suite, documentLoader, checkStatus: statusCheck});
    results.push({
      verified: result.verified,
      error: result.verified ? null : describe(result)
    });
  }
  return {results, seconds: seconds(start)};
}

// Evaluators sign with their own did:key, the institution signs the list: the
// issuers differ by design, so the "matching issuers" rule is off.
async function status(request, documentLoader) {
  const results = [];
  const start = process.hrtime.bigint();
  for(const credential of request.credentials) {
    const result = await checkStatus({
      credential, documentLoader, suite: verifySuites(),
      verifyBitstringStatusListCredential: true, verifyMatchingIssuers: false
    });
    // One result per revocation entry; ours carry exactly one.
    results.push({verified: result.verified,
      status: result.results?.[0]?.status ?? null,
      error: result.error ? message(result.error) : null});
  }
  return {results, seconds: seconds(start)};
}

async function decode(request) {
  const list = await decodeList({encodedList: request.encodedList});
  return {length: list.length,
    statuses: request.indices.map(index => list.getStatus(index))};
}

function describe(result) {
  const errors = [result.error, ...(result.results || []).map(r => r.error)]
    .filter(Boolean)
    .flatMap(e => e.errors || [e]);
  return errors.map(message).join('; ') || 'not verified';
}

// jsonld.js wraps the loader's own error (the reason) as details.cause.
function message(error) {
  const cause = error.details?.cause || error.cause;
  const text = error.message || String(error);
  return cause ? `${text} (cause: ${message(cause)})` : text;
}

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const documentLoader = makeDocumentLoader(
  bundledContexts(process.argv[2]), request.didDocuments || {},
  request.statusLists || {});
const operations = {sign, verify, status, decodeList: decode};
const reply = await operations[request.op](request, documentLoader);
process.stdout.write(JSON.stringify(reply));
