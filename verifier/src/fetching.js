/* portfolio-gen: how both in-browser verifiers read published files: never from the
 * browser's cache (a revocation must show at once) and without cookies. */

export async function fetchJson(url) {
  const response = await fetch(url, { cache: "no-store", credentials: "omit" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The bytes at `url`, or null when they cannot be had (an unreachable evidence file). */
export async function fetchBytes(url) {
  try {
    const response = await fetch(url, { cache: "no-store", credentials: "omit" });
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

// How long the institution's own site has to answer before its files are taken as unreachable.
const INSTITUTION_TIMEOUT_MS = 10000;

/** The institution's own copy of a trust file (did.json, registry, a status list), read
 * from its domain: { document } when the institution answered (document null when it has
 * no such file), { unreachable } when it could not be reached: offline, too slow, or a site
 * that does not send Access-Control-Allow-Origin (the browser then hides its answer). */
export async function fetchFromInstitution(url) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store", credentials: "omit", mode: "cors", redirect: "follow",
      signal: AbortSignal.timeout(INSTITUTION_TIMEOUT_MS) });
  } catch (error) {
    return { unreachable: `${url}: ${error.message}` };
  }
  if (!response.ok) return { document: null };
  try {
    return { document: await response.json() };
  } catch {
    return { document: null };
  }
}

/** The text of a data-label-* attribute ("unknown-status" -> data-label-unknown-status). */
export function label(element, key) {
  return element.dataset[`label${key.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`] || key;
}
