/* portfolio-gen: the verifiers' reasons in the reader's language. The command line's
 * words (core.js's `reason`) are English; a French page says the same in French, from the
 * failure's code and parameters, or names the check that failed and keeps the technical
 * detail as it is. */

const FRENCH = {
  "proof.signed_form": (p) => `signature : le document n'est pas sous la forme signée, une déclaration signée peut être cachée sous une autre clé (${p.detail})`,
  "proof.mismatch": () => "la signature ne correspond pas au contenu : le document a été modifié après avoir été signé",
  "dates.not_yet_valid": (p) => `pas encore valide : validFrom est ${p.date}`,
  "dates.no_created": () => "la preuve ne dit pas quand elle a été signée (created)",
  "dates.future": (p) => `signée dans le futur : preuve créée le ${p.date}`,
  "dates.expired": (p) => `expirée : validUntil était ${p.date}`,
  "status.missing": () => "l'attestation ne porte aucune entrée de statut de révocation (credentialStatus)",
  "status.unknown": (p) => `statut inconnu : la liste de statuts ${p.url} n'est pas utilisable (${p.detail})`,
  "status.index": () => "statut inconnu : l'index est hors de la liste de statuts",
  "status.revoked": () => "révoquée par l'établissement",
  "status.other_list": (p) => `sa liste de statuts ${p.url} est celle d'une autre clé que celle qui l'a signée (${p.signer}) : l'établissement ne pourrait jamais l'y révoquer`,
  "evidence.unreachable": (p) => `preuve inaccessible : ${p.id}`,
  "evidence.mismatch": (p) => `${p.id} : le fichier publié ne correspond pas à l'empreinte signée dans l'attestation`,
  "trust.unregistered": () => "le signataire n'est pas dans le registre des évaluateurs de l'établissement",
  "trust.self_validation": () => "l'évaluateur a validé son propre portfolio",
  "trust.other_framework": () => "l'évaluateur n'est pas habilité pour ce référentiel",
  "trust.out_of_period": () => "signée hors de la période d'habilitation de l'évaluateur",
  "trust.other_phase": () => "l'évaluateur n'est pas habilité pour la phase de cet item",
  "trust.not_institution": () => "un certificat ou une attestation qui n'est pas délivré par l'établissement",
  "trust.not_validation": () => "pas une attestation de validation d'item",
  "trust.other_subject": () => "l'attestation concerne quelqu'un d'autre : son sujet n'est pas ce candidat",
  "trust.registry": (p) => `registre des évaluateurs : ${p.detail}`,
};

const FRENCH_CHECKS = {
  schema: "pas une attestation Open Badges 3.0 conforme",
  proof: "signature",
  dates: "dates",
  status: "statut de révocation",
  evidence: "fichiers de preuve",
  error: "erreur inattendue",
};

/** `result.reason` (core.js's verdict) in the language of `lang` ("fr…" or else English). */
export function reasonIn(lang, result) {
  if (!result.reason || !String(lang || "").toLowerCase().startsWith("fr")) return result.reason || "";
  const say = FRENCH[result.code];
  if (say) return say(result.params || {});
  const check = FRENCH_CHECKS[result.check];
  return check ? `${check} : ${result.reason.replace(/^[a-z]+: /, "")}` : result.reason;
}
