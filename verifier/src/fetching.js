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

/** The text of a data-label-* attribute ("unknown-status" -> data-label-unknown-status). */
export function label(element, key) {
  return element.dataset[`label${key.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`] || key;
}
