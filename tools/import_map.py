"""Which of the product's packages imports which, read from the code: ``python -m tools.import_map [--json]``.

The layout is a map of processes (README, "Files"); this prints the map the imports actually draw, so a reviewer
sees at a glance whether the engine stays alone, the simulator stands apart and ``core`` imports no framework.
Only static imports count (``import x``, ``from x import y``, at any depth of the module, including those under
``TYPE_CHECKING``), which is what a reader of the code sees too.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "engine", "bot", "actions", "learning", "notify", "sensor", "simulator", "tools")
"""The product's top-level packages, one per process or role."""
FRAMEWORKS = ("rasa", "rasa_sdk", "fastapi", "starlette", "socketio", "sanic", "spacy", "sklearn", "tensorflow")
"""Third-party packages whose presence says which runtime a package needs."""


def imported_modules(tree: ast.AST, module: str) -> Iterator[str]:
    """Absolute names of every module a parsed file imports (relative imports resolved against ``module``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files(package: str, root: Path = ROOT) -> Iterable[Path]:
    return sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)


def import_map(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """``{package: {imported package or framework: [files of the package that import it]}}``."""
    found: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in PACKAGES}
    for package in PACKAGES:
        for path in python_files(package, root):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name in imported_modules(tree, module_name(path, root)):
                top = name.split(".")[0]
                if (top in PACKAGES and top != package) or top in FRAMEWORKS:
                    found[package][top].add(str(path.relative_to(root)))
    return {p: {t: sorted(files) for t, files in sorted(targets.items())} for p, targets in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="the map with the importing files, as JSON")
    args = parser.parse_args(argv)
    graph = import_map()
    if args.json:
        json.dump(graph, sys.stdout, indent=2)
        print()
        return 0
    width = max(map(len, PACKAGES))
    for package, targets in graph.items():
        product = [t for t in targets if t in PACKAGES]
        frameworks = [t for t in targets if t in FRAMEWORKS]
        print(f"{package:<{width}}  -> {', '.join(product) or '(none)'}   [{', '.join(frameworks) or 'no framework'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
