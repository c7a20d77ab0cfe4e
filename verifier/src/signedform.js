/* portfolio-gen: what the page reads is what was signed (credentials/signed_form.py).
 *
 * Under eddsa-rdfc-2022 the proof covers the RDF graph, not the JSON keys. A statement
 * moved under its full IRI (`https://www.w3.org/2018/credentials#validUntil`), into
 * `@nest`, or behind an alias an inline context defines keeps the proof valid while
 * every check that reads the short key (`validUntil`, `evidence`, `credentialStatus`)
 * no longer sees it (issue 28, finding 1: the page said VALIDE to an expired credential
 * and to swapped evidence the command line refused). So, after the proof verifies, the
 * document must be exactly what JSON-LD compaction with its own `@context` gives back
 * from its expansion, and its inline contexts may define no alias of a keyword or of a
 * VC, OB or security term. The same rules, in the same order, as the command line.
 */
import jsonld from "jsonld";

// Vocabularies whose terms the verifier reads by their short names.
const PROTECTED_VOCABULARIES = [
  "https://www.w3.org/2018/credentials#",
  "https://purl.imsglobal.org/spec/vc/ob/vocab.html#",
  "https://w3id.org/security#",
];
// What an inline term definition may say: anything else (@context, @nest, @reverse,
// @prefix...) changes how other keys are read.
const TERM_DEFINITION_KEYS = ["@id", "@type"];
export const NOT_SIGNED_FORM = "not in the compacted form of its own @context";
// The reason code of every problem signedFormProblem gives, the command line's (verify.py).
export const SIGNED_FORM = "proof.signed_form";

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function firstLine(error) {
  return String(error && error.message ? error.message : error).split("\n")[0];
}

/** Why `document` (proof already verified) may hide a signed statement from the checks,
 * or null when every statement sits under the key the checks read. */
export async function signedFormProblem(document, documentLoader) {
  const body = { ...document };
  delete body.proof;
  const problem = keyProblem(body, "") || (await inlineContextProblem(body["@context"], documentLoader));
  if (problem) return problem;
  let compacted;
  try {
    // safe mode: a term the contexts do not define is an error, not a dropped statement.
    const expanded = await jsonld.expand(structuredClone(body), { documentLoader, safe: true });
    compacted = await jsonld.compact(expanded, { "@context": structuredClone(body["@context"]) },
      { documentLoader, safe: true });
  } catch (error) {
    return `not processable as JSON-LD: ${firstLine(error)}`;
  }
  delete compacted["@context"];
  const signed = { ...body };
  delete signed["@context"];
  const difference = differenceOf(signed, compacted, "");
  if (difference) return `${NOT_SIGNED_FORM} (${difference}): a signed statement may be hidden under another key`;
  return null;
}

/** @nest, nested @context and absolute or compact IRIs as keys are refused outright. */
function keyProblem(node, where) {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const problem = keyProblem(node[i], `${where}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (!isObject(node)) return null;
  for (const [key, value] of Object.entries(node)) {
    const here = `${where}/${key}`;
    if (key === "@nest" || (key === "@context" && where)) {
      return `${key} at ${here || "/"} is not accepted: it changes which key carries a statement`;
    }
    if (key.includes(":")) return `key ${JSON.stringify(key)} at ${where || "/"} is an IRI: statements must use their terms`;
    if (key !== "@context") {
      const problem = keyProblem(value, here);
      if (problem) return problem;
    }
  }
  return null;
}

async function inlineContextProblem(context, documentLoader) {
  for (const local of Array.isArray(context) ? context : [context]) {
    if (!isObject(local)) continue;
    for (const [term, definition] of Object.entries(local)) {
      const problem = await termProblem(term, definition, context, documentLoader);
      if (problem) return `inline @context: ${problem}`;
    }
  }
  return null;
}

async function termProblem(term, definition, context, documentLoader) {
  if (term.startsWith("@")) return `${term} is not accepted`;
  if (isObject(definition)) {
    const extra = Object.keys(definition).filter((k) => !TERM_DEFINITION_KEYS.includes(k)).sort();
    if (extra.length) return `term ${JSON.stringify(term)} uses ${extra.join(", ")}`;
  }
  let probe;
  try {
    probe = await jsonld.expand({ "@context": structuredClone(context), [term]: "probe" }, { documentLoader });
  } catch (error) {
    return `term ${JSON.stringify(term)}: ${firstLine(error)}`;
  }
  for (const iri of Object.keys(probe[0] || {})) {
    if (iri.startsWith("@") || PROTECTED_VOCABULARIES.some((v) => iri.startsWith(v))) {
      return `term ${JSON.stringify(term)} is an alias of ${iri}`;
    }
  }
  return null;
}

/** Where the two differ; a one-element array equals its element, as in JSON-LD. */
function differenceOf(signed, compacted, where) {
  signed = single(signed);
  compacted = single(compacted);
  if (isObject(signed) && isObject(compacted)) {
    for (const key of [...new Set([...Object.keys(signed), ...Object.keys(compacted)])].sort()) {
      if (!(key in signed) || !(key in compacted)) {
        return `${where}/${key} ${key in signed ? "only in the document" : "missing"}`;
      }
      const found = differenceOf(signed[key], compacted[key], `${where}/${key}`);
      if (found) return found;
    }
    return null;
  }
  if (Array.isArray(signed) && Array.isArray(compacted) && signed.length === compacted.length) {
    for (let i = 0; i < signed.length; i++) {
      const found = differenceOf(signed[i], compacted[i], `${where}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof signed !== typeof compacted || Array.isArray(signed) !== Array.isArray(compacted)
      || isObject(signed) || Array.isArray(signed) || signed !== compacted) {
    return `${where || "/"} differs`;
  }
  return null;
}

function single(value) {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}
