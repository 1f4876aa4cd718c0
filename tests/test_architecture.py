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


# -- the public driver API ------------------------------------------------------------------------

ROOT = STACK.parent
#: What a scenario or a zoo exhibit may import from this package (API-CONVENTIONS.md item 1).
PUBLIC_MODULES = {
    "stack.ndis",
    "stack.runtime",
    "stack.drivers",
    "stack.drivers.mux",
    "stack.drivers.zoo",
    "stack.scenario",
    "stack.errors",
}
ZOO = "stack.drivers.zoo"


def _private_uses(source: str, *, package: str | None = None) -> list[str]:
    """Every use of a private name in ``source``: an import of a module path with a
    ``_``-prefixed segment (except a package's own modules, ``package``), an import of a
    ``_name``, an import of a ``stack`` module that is not public, and an attribute ``._name`` on
    anything but ``self`` naming something this file defines (dunders are fine)."""
    tree = ast.parse(source)
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    own.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    own.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    own.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    own.add(target.attr)

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    found: list[str] = []

    def check_module(module: str, line: int) -> None:
        parts = module.split(".")
        if package is not None and module.startswith(package + "."):
            return
        if any(private(part) for part in parts):
            found.append(f"line {line}: imports private module {module}")
        elif parts[0] == "stack" and module not in PUBLIC_MODULES:
            found.append(f"line {line}: imports {module}, which is not a public module")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_module(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append(f"line {node.lineno}: relative import")
                continue
            if node.module:
                check_module(node.module, node.lineno)
            for alias in node.names:
                if private(alias.name):
                    found.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Attribute) and private(node.attr):
            mine = isinstance(node.value, ast.Name) and node.value.id == "self"
            if not (mine and node.attr in own):
                found.append(f"line {node.lineno}: uses .{node.attr}, which is not its own")
    return sorted(found, key=lambda finding: int(finding.split()[1].rstrip(":")))


def _checked_files() -> list[Path]:
    return sorted((ROOT / "scenarios").rglob("*.py")) + sorted(
        (STACK / "drivers" / "zoo").rglob("*.py")
    )


@pytest.mark.parametrize(
    "path", _checked_files(), ids=[p.relative_to(ROOT).as_posix() for p in _checked_files()]
)
def test_scenarios_and_the_zoo_use_only_the_public_api(path: Path) -> None:
    package = ZOO if path.is_relative_to(STACK / "drivers" / "zoo") else None
    assert _private_uses(path.read_text(encoding="utf-8"), package=package) == []


def test_the_public_api_check_finds_each_kind_of_private_use() -> None:
    source = """
import stack.runtime._bus
from stack.drivers._miniport import Miniport
from stack.drivers.mux import _Member
from stack.views import show
from stack.drivers.zoo._wiring import add_mux

class X(Miniport):
    _mine: int = 0

    def go(self, other):
        self._mine += 1
        other._table.get("nic0")
        self._table.get("nic0")
        super()._initialize()
        return self.__class__
"""
    found = _private_uses(source)
    assert found == [
        "line 2: imports private module stack.runtime._bus",
        "line 3: imports private module stack.drivers._miniport",
        "line 4: imports _Member from stack.drivers.mux",
        "line 5: imports stack.views, which is not a public module",
        "line 6: imports private module stack.drivers.zoo._wiring",
        "line 13: uses ._table, which is not its own",
        "line 14: uses ._table, which is not its own",
        "line 15: uses ._initialize, which is not its own",
    ], found
    assert _private_uses("from stack.drivers.zoo._x import Y", package=ZOO) == []
