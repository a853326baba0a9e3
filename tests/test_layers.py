"""Layers point down: a static check of every import in the kernel, lazy ones included.

The rules are the ones docs/explanation/architecture.md states. A new import that breaks one
fails here with the module and the import named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KERNEL = Path(__file__).resolve().parents[1] / "core" / "headwater"

UPPER_LAYERS = {"storage", "instance", "execution", "cli", "locations", "backfills", "builtin"}
HEAVY = {"sqlalchemy", "alembic", "click"}

# subpackage -> what it must never import (headwater subpackages or third-party packages)
FORBIDDEN = {
    "definitions": UPPER_LAYERS | HEAVY,
    "partitions": UPPER_LAYERS | HEAVY | {"definitions", "asset_graph", "jobs"},
    "asset_graph": UPPER_LAYERS | HEAVY | {"jobs"},
    "events": UPPER_LAYERS | HEAVY,
    "resources": UPPER_LAYERS | HEAVY | {"io"},
    "io": UPPER_LAYERS | HEAVY,
    "storage": {"instance", "execution", "cli", "locations", "io", "resources", "click"},
}


# Conveniences that point upward, imported inside the method that needs them
# (docs/explanation/architecture.md lists them): (module, what it may import).
UPWARD_CONVENIENCES = {
    ("definitions/definitions.py", "headwater.execution.value_loader"),
}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _target(name: str) -> str:
    parts = name.split(".")
    return parts[1] if parts[0] == "headwater" and len(parts) > 1 else parts[0]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_is_below_it(layer):
    violations = [
        f"{path.relative_to(KERNEL)} imports {name}"
        for path in sorted((KERNEL / layer).rglob("*.py"))
        for name in _imports(path)
        if _target(name) in FORBIDDEN[layer]
        and (str(path.relative_to(KERNEL)), name) not in UPWARD_CONVENIENCES
    ]
    assert violations == []
