"""The institution's workflows, above the standards stack in `credentials/`: issuing,
trust decisions, the commission, results, revocation, the signed registry and manifest,
minutes, remembered verdicts and the verification of published sites."""
