// Writes the licences of every package bundled into verifier.js (the dependency tree
// of package.json's "dependencies", not esbuild), for THIRD-PARTY-LICENSES.txt.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const bundled = Object.entries(lock.packages)
  .filter(([path, info]) => path.startsWith("node_modules/") && !info.dev)
  .sort(([a], [b]) => a.localeCompare(b));
const parts = ["Third-party code bundled in verifier.js (portfolio-gen's in-browser verifier).",
  "Rebuilt by scripts/build-verifier from verifier/package-lock.json.", ""];
for (const [path, info] of bundled) {
  const name = path.slice("node_modules/".length).replace(/.*node_modules\//, "");
  const licenseFile = existsSync(path) ? readdirSync(path).find((f) => /^(licen[cs]e|copying)/i.test(f)) : null;
  parts.push("=".repeat(78), `${name} ${info.version} (${info.license || "see below"})`, info.resolved || "", "");
  parts.push(licenseFile ? readFileSync(join(path, licenseFile), "utf8").trim() : "(no licence file in the package)", "");
}
process.stdout.write(parts.join("\n") + "\n");
