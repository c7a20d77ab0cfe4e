"""Bad input stops `review --serve` before any server starts: a clear message and exit 2."""

from __future__ import annotations

import socket
import subprocess


from conftest import run_cli

from .conftest import EVALUATOR, start_app, stop, wait_for_url


def serve(root, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return run_cli("--root", str(root), "review", "--serve", "--no-browser", *args, **kwargs)


def test_an_evaluator_not_in_the_registry(review_workspace):
    result = serve(review_workspace, "--evaluator", "nobody", "--key", str(review_workspace / "keys/marie-dupont.key.pem"))
    assert result.returncode == 2
    assert "evaluators.yml: error: no evaluator 'nobody' in the registry" in result.stderr
    assert "http://" not in result.stdout


def test_a_key_that_is_not_the_evaluators(review_workspace):
    result = serve(review_workspace, "--evaluator", EVALUATOR, "--key", str(review_workspace / "keys/jean-leroy.key.pem"),
                   lang="fr")
    assert result.returncode == 2
    assert "n'est pas une clé enregistrée de l'évaluateur marie-dupont" in result.stderr
    assert "http://" not in result.stdout


def test_a_wrong_passphrase(review_workspace, tmp_path, monkeypatch):
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse\n")
    key = tmp_path / "marie.key.pem"
    made = run_cli("keys", "new", str(key), "--passphrase-file", str(secret))
    assert made.returncode == 0, made.stderr
    monkeypatch.setenv("PORTFOLIO_GEN_PASSPHRASE", "wrong horse")
    result = serve(review_workspace, "--evaluator", EVALUATOR, "--key", str(key))
    assert result.returncode == 2
    assert "passphrase" in result.stderr.lower()
    assert "http://" not in result.stdout


def test_no_key(review_workspace):
    result = serve(review_workspace, "--evaluator", EVALUATOR)
    assert result.returncode == 2
    assert "--serve needs your signing key" in result.stderr


def test_a_port_in_use(review_workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = serve(review_workspace, "--evaluator", EVALUATOR, "--key",
                       str(review_workspace / "keys/marie-dupont.key.pem"), "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} of 127.0.0.1 is already in use" in result.stderr


def test_the_passphrase_is_read_once_from_the_environment(review_workspace, tmp_path, monkeypatch):
    """An encrypted key registered for the evaluator: the app starts with it, no prompt."""
    import yaml

    secret = tmp_path / "passphrase"
    secret.write_text("correct horse\n")
    key = tmp_path / "marie.key.pem"
    made = run_cli("keys", "new", str(key), "--passphrase-file", str(secret))
    did = next(line.split()[-1] for line in made.stdout.splitlines() if "did:key:" in line)
    registry_file = review_workspace / "evaluators.yml"
    registry = yaml.safe_load(registry_file.read_text("utf-8"))
    next(e for e in registry["evaluators"] if e["id"] == EVALUATOR)["keys"].append(did)
    registry_file.write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")
    monkeypatch.setenv("PORTFOLIO_GEN_PASSPHRASE", "correct horse")
    process = start_app(review_workspace, "--key", str(key))
    try:
        assert wait_for_url(process).startswith("http://127.0.0.1:")
    finally:
        stop(process)
