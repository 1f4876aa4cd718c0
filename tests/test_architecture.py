"""The layers of ../shared/design/architecture.md hold: imports point one way."""

import ast
from pathlib import Path

import pytest

STACK = Path(__file__).resolve().parent.parent / "stack"

FORBIDDEN_IN_NDIS = {"trio", "structlog", "random", "time", "os", "io", "pathlib", "socket"}
LAYERS = ["ndis", "runtime", "trace", "drivers", "scenario", "explore"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_ndis_package_imports_no_io_clock_randomness_or_event_loop() -> None:
    for path in sorted((STACK / "ndis").rglob("*.py")):
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & FORBIDDEN_IN_NDIS, f"{path.name} imports {roots & FORBIDDEN_IN_NDIS}"
        # open() is I/O too, even without an import
        assert "open(" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("layer", ["ndis", "runtime", "trace", "drivers", "scenario"])
def test_lower_layers_do_not_import_upper_layers(layer: str) -> None:
    upper = [*LAYERS[LAYERS.index(layer) + 1 :], "cli"]
    for path in sorted((STACK / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "stack" and len(parts) > 1:
                assert parts[1] not in upper, f"{path} imports {name}"
