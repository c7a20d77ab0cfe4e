"""The package's folders are its layers: imports only go down, and no two modules import each other.

Read from the source with `ast` (imports inside functions included), so a lazy import
cannot hide a dependency that runs upward.
"""

from __future__ import annotations

import ast
from pathlib import Path

import portfolio_gen

PACKAGE = Path(portfolio_gen.__file__).parent
# Lower layers first; a module may import its own layer and the ones before it.
LAYERS = ["core", "decisions", "credentials", "institution", "site", "review", "editor", "entry"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package modules (or packages) `path` imports, as absolute names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if _exists(child) else target)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found |= {n for n in names if n.startswith("portfolio_gen.")}
    return found - {name}


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return LAYERS.index("entry")  # the package's face, `cli/`, `demo`, `__main__`


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_imports_never_go_to_a_higher_layer():
    upward = [(module, target) for module, targets in _graph().items() for target in targets
              if target != "portfolio_gen" and _layer(target) > _layer(module)]
    assert upward == []


def test_no_two_modules_import_each_other():
    graph = _graph()
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets
                    if a in graph.get(b, set())})
    assert pairs == []


def test_the_package_root_holds_only_its_face_and_entry_points():
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py", "demo.py"]
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"} == {
        "cli", "core", "credentials", "data", "decisions", "editor", "institution", "review", "site"}
