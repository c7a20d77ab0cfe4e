// Compiles the OB 3.0 JSON Schema the package ships into standalone validation code
// (build/schema-validator.js) at build time, so the page never evaluates generated code
// (a Content-Security-Policy without 'unsafe-eval' holds). Formats are not checked:
// the Python side checks only "date", used by Profile.dateOfBirth alone.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Ajv2019 from "ajv/dist/2019.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const schema = JSON.parse(readFileSync(
  "../portfolio_gen/credentials/schemas/ob_v3p0_achievementcredential-vcdm2.json", "utf8"));
const ajv = new Ajv2019({ allErrors: true, strict: false, code: { source: true, esm: true },
  formats: { "date-time": true, date: true } });
mkdirSync("build", { recursive: true });
writeFileSync("build/schema-validator.js", standaloneCode(ajv, ajv.compile(schema)));
