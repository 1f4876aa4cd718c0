"""Loading a scenario script: the only place that turns a user's file into a callable.

A scenario file is Python: it must define ``async def scenario(stack)``.  Loading executes the
module top level (a scenario is code the user wrote and asked us to run; tapes, by contrast, are
data and never execute anything).  Every way a file can be unusable becomes one ``BadInput`` line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs

from stack.errors import BadInput

ScenarioFn = Callable[[Any], Awaitable[None]]


@attrs.frozen
class ScenarioFile:
    """A loaded scenario: its name (the file stem), the function, and the sha256 of its text."""

    path: Path
    name: str
    fn: ScenarioFn
    sha256: str
    description: str
    #: The file's bytes, so that a campaign can ship the scenario to workers on other machines.
    source: bytes = attrs.field(default=b"", eq=False, repr=False)


def _where(exc: BaseException, path: Path) -> str:
    """``file:line`` of the innermost frame inside the scenario file, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f"{path.name}:{frames[-1].lineno}" if frames else path.name


def load_scenario(path: str | Path, *, source: bytes | None = None) -> ScenarioFile:
    """Load the scenario at ``path``; with ``source``, from those bytes (the file need not
    exist: a worker on another machine runs what the campaign shipped it)."""
    path = Path(path).resolve()
    if source is None:
        if not path.is_file():
            raise BadInput(f"{path}: no such scenario file")
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{path}: cannot read: {exc.strerror}") from None
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise BadInput(f"{path.name}:{exc.lineno}: syntax error: {exc.msg}") from None
    module_name = f"ndisemu_scenario_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_loader(module_name, loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        raise BadInput(
            f"{_where(exc, path)}: scenario failed to load: {type(exc).__name__}: {exc}"
        ) from None
    fn = module.__dict__.get("scenario")
    if fn is None or not inspect.iscoroutinefunction(fn):
        raise BadInput(f"{path.name}: defines no 'async def scenario(stack)'")
    doc = (inspect.getdoc(module) or "").strip().splitlines()
    return ScenarioFile(
        path=path,
        name=path.stem,
        fn=fn,
        sha256=hashlib.sha256(source).hexdigest(),
        description=doc[0] if doc else "",
        source=source,
    )
