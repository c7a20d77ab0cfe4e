"""Sign and verify N OB 3.0-shaped credentials with each cryptosuite, with
portfolio-gen and with digitalbazaar's JS stack on the same credentials.

    python bench/credentials.py [--count 1000] [--profile eddsa-rdfc-2022]

The JS stack is installed by npm into $PORTFOLIO_GEN_NPM_CACHE/interop, else
.cache/npm-interop in the repository. JS times exclude node's start-up and npm.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import os
import pstats
import sys
import time
from pathlib import Path

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.credentials.canonicalization import ContentMemo
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.loader import DocumentLoader

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "credentials" / "fixtures" / "openbadge.json"
CREATED = "2024-06-14T09:31:00Z"


def load_js_stack():
    # The install-and-run helper lives with the interop tests; load it by path so
    # the bench does not depend on tests/ being an importable package.
    spec = importlib.util.spec_from_file_location(
        "js_stack", ROOT / "tests" / "interop" / "js_stack.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.node_available():
        return None
    folder = module.default_folder() or ROOT / ".cache" / "npm-interop"
    return module.JsStack.install(folder)


def credentials(count: int, issuer: str) -> list[dict]:
    template = json.loads(FIXTURE.read_text())
    template["issuer"]["id"] = issuer
    batch = []
    for index in range(count):
        credential = json.loads(json.dumps(template))
        credential["id"] = f"urn:uuid:6b1c3f9e-0000-4000-8000-{index:012d}"
        credential["credentialSubject"]["achievement"]["name"] += f" #{index}"
        batch.append(credential)
    return batch


def python_run(batch, key, suite, loader):
    method = dids.did_key_verification_method_id(key.public_key())
    resolver = DidResolver()
    start = time.perf_counter()
    signed = [
        proofs.sign(c, key, method, suite=suite, loader=loader, created=CREATED)
        for c in batch
    ]
    sign_seconds = time.perf_counter() - start
    ContentMemo.forget_all()  # verified as a new process would: not from the forms signing made
    start = time.perf_counter()
    results = [
        proofs.verify(s, resolver=resolver, loader=loader,
                      expected_controller=proofs.issuer_id(s))
        for s in signed
    ]
    verify_seconds = time.perf_counter() - start
    failures = [r.reason for r in results if not r.verified]
    if failures:
        raise SystemExit(f"portfolio-gen failed to verify its own credentials: {failures[0]}")
    return signed, sign_seconds, verify_seconds


def js_run(js, batch, key, suite_name, python_signed):
    reply = js.sign(batch, suite_name, keys.public_key_multibase(key.public_key()),
                    keys.private_key_multibase(key), CREATED)
    if reply["signed"] != python_signed:
        raise SystemExit("JS and portfolio-gen signatures differ on the same input")
    # Both sides verify the same signed credentials.
    verified = js.verify(python_signed)
    failures = [r["error"] for r in verified["results"] if not r["verified"]]
    if failures:
        raise SystemExit(f"JS failed to verify portfolio-gen credentials: {failures[0]}")
    return reply["seconds"], verified["seconds"]


def rate(count, seconds):
    return count / seconds if seconds else float("inf")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--profile", choices=sorted(CRYPTOSUITES),
                        help="print a cProfile of portfolio-gen for this suite instead")
    parser.add_argument("--no-js", action="store_true", help="skip the JS stack")
    args = parser.parse_args(argv)

    key = keys.generate_key()
    batch = credentials(args.count, dids.did_key(key.public_key()))
    loader = DocumentLoader()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(python_run, batch, key, CRYPTOSUITES[args.profile], loader)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return 0

    js = None if args.no_js else load_js_stack()
    rows = []
    for name, suite in CRYPTOSUITES.items():
        signed, py_sign, py_verify = python_run(batch, key, suite, loader)
        js_sign = js_verify = None
        if js:
            js_sign, js_verify = js_run(js, batch, key, name, signed)
        for operation, ours, theirs in (("sign", py_sign, js_sign), ("verify", py_verify, js_verify)):
            rows.append((name, operation, rate(args.count, ours),
                         rate(args.count, theirs) if theirs else None))

    print(f"{args.count} OB 3.0 credentials, Python {sys.version.split()[0]}, "
          f"node {'available' if js else 'not run'}, {os.cpu_count()} CPUs")
    print(f"{'cryptosuite':<18}{'operation':<10}{'portfolio-gen/s':>16}{'JS/s':>10}{'ratio':>8}")
    for name, operation, ours, theirs in rows:
        js_text = f"{theirs:10.0f}" if theirs else f"{'-':>10}"
        ratio = f"{ours / theirs:8.2f}" if theirs else f"{'-':>8}"
        print(f"{name:<18}{operation:<10}{ours:16.0f}{js_text}{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
