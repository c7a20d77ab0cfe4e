"""Verifiable credentials, layered as the standards are.

loader (bundled JSON-LD contexts, no network) -> canonicalization (RDFC-1.0, JCS)
-> cryptosuites (eddsa-rdfc-2022, eddsa-jcs-2022: pure functions) -> proofs (Data
Integrity proofs: purpose, key resolution, controller) on top of keys (Ed25519,
Multikey, key files) and dids (did:key, did:web documents and resolution).
Above them the credential layer: openbadges (OB 3.0 item-validation credentials built
from the model, schema and structural checks, read back as `Validation`), verify
(schema, proof + issuer/key binding, dates, evidence digests -> `Verdict`) and issuing
(the evaluator's check-build-validate-sign-write flow).
"""
