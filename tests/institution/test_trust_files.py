"""No module below the command line opens a trust file itself (issue 26).

The trust files say who the institution is and whom it trusts (settings, did.json, the
signed registry and manifest, evaluators.yml, a candidate repository's lock). Whoever
can write the working tree can change them, so they are read in one place,
`institution/trustfiles.py`, assembled into the institution context
(`institution/context.py`) and passed down. Read from the source with `ast`, as
tests/test_layers.py does: a lazy import or a call inside a function cannot hide.

Two signatures of a read are looked for: a call to one of the loaders, and a path joined
with a trust file's name (`root / DID_DOCUMENT_FILE`, `root / "did.json"`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import portfolio_gen

PACKAGE = Path(portfolio_gen.__file__).parent
LOADERS = {"load_settings", "read_lock", "load_registry"}
TRUST_NAMES = {"SETTINGS_FILE", "DID_DOCUMENT_FILE", "REGISTRY_CREDENTIAL_FILE", "MANIFEST_FILE", "LOCK_FILE",
               "REGISTRY_FILE"}
TRUST_LITERALS = {"portfolio-gen.yml", "did.json", "registry.json", "institution.json", "institution.lock",
                  "evaluators.yml"}

# Each module allowed to, and why. Everything else receives the institution context.
READERS = {
    "institution/trustfiles.py": "the one reader",
    "institution/context.py": "assembles the context from the reader; names files in its problems",
    "core/settings.py": "defines load_settings (and reads the lock's candidate address beside it)",
    "core/pinning.py": "defines read_lock and checks the pinned digests",
    "core/registry.py": "defines load_registry (evaluators.yml)",
    "core/workspace.py": "checks evaluators.yml with the rest of the workspace, for `check`",
}
WRITERS = {
    "institution/registry_credential.py": "signs registry.json, one version above the last it wrote",
    "institution/manifest.py": "signs institution.json and publishes the files it lists",
    "institution/repository.py": "writes a candidate repository's checked copy of the institution's files and "
                                 "its lock, and replaces them on update",
}
ENTRY = ("cli/", "demo.py", "__main__.py")  # the command line loads the context and passes it down


def _reads(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text("utf-8"))
    # A path given to a Problem says where a problem is; it reads nothing.
    locations = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", None) == "Problem" for arg in node.args for inner in ast.walk(arg)}
    for node in ast.walk(tree):
        if id(node) in locations:
            continue
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in LOADERS:
                found.append(f"line {node.lineno}: calls {name}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            right = node.right
            if (isinstance(right, ast.Name) and right.id in TRUST_NAMES) or \
                    (isinstance(right, ast.Constant) and right.value in TRUST_LITERALS):
                found.append(f"line {node.lineno}: joins a path with {ast.unparse(right)}")
    return found


def test_no_module_below_the_command_line_opens_a_trust_file():
    allowed = READERS | WRITERS
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(ENTRY) or relative in allowed:
            continue
        reads = _reads(path)
        if reads:
            offenders[relative] = reads
    assert offenders == {}


def test_every_allowed_module_still_reads_or_writes_one():
    """An allowance outlives its reason silently: a module that no longer touches a trust
    file leaves the list, so the list stays the truth."""
    idle = [relative for relative in READERS | WRITERS if not _reads(PACKAGE / relative)]
    assert idle == []


def test_the_check_sees_a_read_and_not_a_problems_location(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(root):\n"
                      "    Problem('x', root / DID_DOCUMENT_FILE)\n"
                      "    return (root / 'registry.json').read_text(), load_settings(root)\n")
    assert sorted(_reads(sample)) == ["line 3: calls load_settings", "line 3: joins a path with 'registry.json'"]
