/* portfolio-gen: the verifiers' verdicts and reasons in the reader's language, in the
 * command line's own words. build/verdict-words.json is portfolio_gen/data/messages/
 * verdicts.yml (`verdict.*`, `reason.*`) in every language of the gettext catalogues, dumped
 * by scripts/build-verifier: the pages and
 * `verify`/`audit` say one thing (issue 28), and a new reason is written once, there.
 * A failure is said from its code and parameters (core.js's Failed), never from its
 * English message. */
import WORDS from "../build/verdict-words.json";

/** The words of the page's language ("fr", "ar", "fr-FR"...), else English. */
function wordsOf(lang) {
  return WORDS[String(lang || "").toLowerCase().split("-")[0]] || WORDS.en;
}

/** A catalogue template with its `{name}` placeholders filled, as Python's str.format. */
function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** One of core.js's VERDICTS ("unknown-status"...) as a word ("statut inconnu"). */
export function verdictIn(lang, verdict) {
  return wordsOf(lang).verdict[verdict] || verdict;
}

/** The checks a credential passed (core.js's codes: schema, proof...), in words. */
export function checksIn(lang, checks) {
  const words = wordsOf(lang).check || {};
  return (checks || []).map((check) => words[check] || check).join(wordsOf(lang).separator);
}

/** Why `result` (core.js's verdict) failed, in the language of `lang`; "" when valid.
 * A failure whose check names no code of its own is said as the command line says it,
 * `<check>.invalid` ("signature : <detail>"); so is a code these words do not know. */
export function reasonIn(lang, result) {
  if (!result.code && !result.check) return result.reason || "";
  const reasons = wordsOf(lang).reason;
  if (result.code && reasons[result.code]) return fill(reasons[result.code], result.params || {});
  const generic = reasons[result.check === "error" ? "error.unexpected" : `${result.check}.invalid`];
  const detail = result.params?.detail ?? String(result.reason || "").replace(/^[a-z]+: /, "");
  return generic ? fill(generic, { detail }) : result.reason || "";
}
