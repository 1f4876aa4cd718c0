"""A pytest test as a scenario: the run the plugin makes, and the one ``replay`` makes again.

The pytest plugin (``stack.pytest_plugin``) writes a tape for a failing test; ``ndisemu replay``
and ``ndisemu show --tape`` run that test again without pytest.  Both build the run here, so it
is one run (same stack, seed, decisions; the trace's ``run.start`` names the test's node id):

* ``ndis_race``: the test body is the scenario, called with ``stack=`` and its data arguments,
  then the stack settles and the quiescence checks run, as for every scenario.
* ``ndis_stack``: the test is called with ``ndis_stack=`` a stack built as the fixture builds it
  (a FIFO bus, every default monitor, ``Registry()``, the session seed).  A failing test's
  failure is where its run ends, so the replay ends there too; if the failure is gone the
  replay settles the stack as every scenario run does, which pytest did not.

A ``pytest.fail()`` in the body counts as a failure of the run (``Failed``, an AssertionError);
skip and xfail are pytest's business and leave the run to settle.

``load_test`` imports the test file as pytest's default import mode (``prepend``) does: the
first directory above it without an ``__init__.py`` goes first on ``sys.path`` (so do those of
the ``conftest.py`` files between pytest's rootdir and the test), the module gets its dotted
name, and its ``assert`` statements are rewritten by pytest's rewriter, so a failure reads as it
did under pytest.  ``conftest.py`` files are not imported and no fixture runs: a test that asks
for anything besides ``stack`` / ``ndis_stack``, ``ndis_seed`` and parametrize arguments that are
JSON data is refused with one line naming the argument (``unsupported_argument``).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
import shlex
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path, PurePath
from typing import Any

import trio

from stack.errors import BadInput
from stack.scenario import ScenarioFile

from ._tape import NDIS_RACE, NDIS_STACK, PytestNode, Tape, is_json_data

#: The argument each mode hands the test its stack in.
STACK_ARGUMENT: Mapping[str, str] = {NDIS_RACE: "stack", NDIS_STACK: "ndis_stack"}


class Failed(AssertionError):
    """``pytest.fail()`` inside a test body: a failure of the run, rule ``scenario-assert``."""


def _pytest_fail_type() -> type[BaseException] | None:
    """``pytest.fail.Exception`` if pytest is loaded: a test that calls ``pytest.fail`` imported
    it, and nothing else can raise it, so pytest is never imported here."""
    module = sys.modules.get("pytest")
    found = getattr(getattr(module, "fail", None), "Exception", None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _body(
    fn: Callable[..., Awaitable[Any]],
    argument: str,
    kwargs: Mapping[str, Any],
    raised: list[BaseException] | None,
) -> Callable[[Any], Awaitable[None]]:
    async def body(stack: Any) -> None:
        try:
            await fn(**{**kwargs, argument: stack})
        except trio.Cancelled:
            raise
        except Exception as exc:
            if raised is not None:
                raised.append(exc)
            raise
        except BaseException as exc:  # pytest.skip/fail/xfail inside the body
            if raised is not None:
                raised.append(exc)
            failed = _pytest_fail_type()
            if failed is not None and isinstance(exc, failed):
                raise Failed(str(exc)) from exc

    return body


def scenario_of_test(
    node: PytestNode,
    *,
    path: Path,
    nodeid: str,
    fn: Callable[..., Awaitable[Any]],
    sha256: str,
    kwargs: Mapping[str, Any],
    raised: list[BaseException] | None = None,
) -> ScenarioFile:
    """The test ``fn`` as a scenario named ``nodeid``; ``kwargs`` are its other arguments.

    Exceptions out of the body are appended to ``raised`` (the plugin re-raises the first to
    pytest, with its traceback)."""
    doc = (inspect.getdoc(fn) or "").strip().splitlines()
    return ScenarioFile(
        path=path,
        name=nodeid,
        fn=_body(fn, STACK_ARGUMENT[node.mode], kwargs, raised),
        sha256=sha256,
        description=doc[0] if doc else "",
    )


# -- which arguments a tape can carry -------------------------------------------------------------


def _arguments(fn: Callable[..., Any]) -> Iterator[tuple[str, bool]]:
    """The test's argument names, and whether each is required (has no default)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return
    for parameter in parameters:
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            yield parameter.name, parameter.default is parameter.empty


def node_of(
    fn: Callable[..., Any],
    mode: str,
    function: str,
    funcargs: Mapping[str, Any],
    parametrized: Mapping[str, Any],
) -> PytestNode:
    """What a tape records of a test, from what pytest passed it: ``ndis_seed`` and the values
    of ``parametrize`` (``parametrized``: the item's ``callspec.params``) that reached the test
    unchanged.  Values that are not JSON data are only named (``opaque``)."""
    params: dict[str, Any] = {}
    opaque: list[str] = []
    for name, _required in _arguments(fn):
        if name == STACK_ARGUMENT[mode] or name not in funcargs:
            continue
        value = funcargs[name]
        # A direct parametrize argument is the parameter itself; a fixture's value is what
        # the fixture made, which only pytest can make again.
        if name != "ndis_seed" and not (name in parametrized and parametrized[name] is value):
            continue
        if is_json_data(value):
            params[name] = value
        else:
            opaque.append(name)
    return PytestNode(mode, function, params, tuple(opaque))


def unsupported_argument(fn: Callable[..., Any], node: PytestNode) -> str | None:
    """Why ``replay`` cannot call ``fn`` from the tape alone, or None when it can."""
    given = STACK_ARGUMENT[node.mode]
    for name, required in _arguments(fn):
        if not required or name == given or name in node.params:
            continue
        if name in node.opaque:
            return f"its parameter {name!r} is not JSON data, so the tape cannot carry it"
        return f"it asks for the fixture {name!r}, which only pytest can give"
    return None


def call_arguments(fn: Callable[..., Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The recorded ``params`` the test (as it is now) takes."""
    names = {name for name, _ in _arguments(fn)}
    return {name: value for name, value in params.items() if name in names}


# -- loading a test file without pytest -----------------------------------------------------------


def _package_root(path: Path) -> tuple[str, Path]:
    """The module's dotted name and the directory it is imported from, as pytest's ``prepend``
    import mode finds them: up through every directory that has an ``__init__.py``."""
    parts = [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def _rootdir(path: Path, recorded: str) -> Path | None:
    """pytest's rootdir at recording time, when the tape holds the path relative to it."""
    rel = PurePath(recorded)
    if rel.is_absolute() or path.parts[-len(rel.parts) :] != rel.parts:
        return None
    root = path
    for _ in rel.parts:
        root = root.parent
    return root


def _prepend(directory: Path) -> None:
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))


def _code(source: bytes, path: Path) -> Any:
    """The module's code, its asserts rewritten by pytest's rewriter when pytest is there."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise BadInput(f"{path.name}:{exc.lineno}: syntax error: {exc.msg}") from None
    try:
        from _pytest.assertion.rewrite import rewrite_asserts
    except ImportError:  # pragma: no cover - a plugin tape was written with pytest
        pass
    else:
        rewrite_asserts(tree, source, str(path), None)
    return compile(tree, str(path), "exec", dont_inherit=True)


def _where(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f"{path.name}:{frames[-1].lineno}" if frames else path.name


def _import(path: Path, source: bytes, rootdir: Path | None) -> Any:
    name, base = _package_root(path)
    if rootdir is not None and path.is_relative_to(rootdir):
        # pytest imports the conftest.py files from the rootdir down before the test module.
        below = path.parent.relative_to(rootdir)
        for directory in (*reversed(below.parents), below):
            conftest = rootdir / directory / "conftest.py"
            if conftest.is_file():
                _prepend(_package_root(conftest)[1])
    _prepend(base)
    code = _code(source, path)
    try:
        if "." in name:
            importlib.import_module(name.rpartition(".")[0])
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        exec(code, module.__dict__)
    except Exception as exc:
        raise BadInput(
            f"{_where(exc, path)}: test module failed to import: {type(exc).__name__}: {exc}"
        ) from None
    return module


def _function(module: Any, qualname: str, path: Path) -> Callable[..., Any]:
    owner: Any = None
    found: Any = module
    for part in qualname.split("."):
        owner, found = found, getattr(found, part, None)
        if found is None:
            raise BadInput(f"{path.name} defines no {qualname} (the test the tape names)")
    if isinstance(owner, type):  # a test method: pytest calls it on a fresh instance
        try:
            found = getattr(owner(), qualname.rpartition(".")[2])
        except Exception as exc:
            raise BadInput(
                f"{path.name}: {owner.__name__}() failed: {type(exc).__name__}: {exc}"
            ) from None
    if not callable(found):
        raise BadInput(f"{path.name}: {qualname} is not a test function")
    return found  # type: ignore[no-any-return]


def _with_pytest(tape: Tape) -> str:
    """The pytest command that replays (ndis_race) or reruns (ndis_stack) the tape's test."""
    node = shlex.quote(tape.scenario_name)
    if tape.test is not None and tape.test.mode == NDIS_RACE:
        shown = shlex.quote(str(tape.origin)) if tape.origin is not None else "TAPE"
        return f"replay it with: pytest {node} --ndis-replay={shown}"
    return f"run it again with: pytest {node} --ndis-seed={tape.seed}"


def load_test(tape: Tape, path: Path) -> ScenarioFile:
    """The test a plugin tape names, from the test file at ``path``, as a scenario."""
    node = tape.test
    assert node is not None
    path = path.resolve()
    if not path.is_file():
        raise BadInput(f"{path}: no such test file")
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror}") from None
    module = _import(path, source, _rootdir(path, tape.scenario_path))
    fn = _function(module, node.function, path)
    problem = unsupported_argument(fn, node)
    if problem is not None:
        raise BadInput(f"{tape.scenario_name}: {problem}; {_with_pytest(tape)}")
    if not inspect.iscoroutinefunction(fn):
        raise BadInput(f"{tape.scenario_name} is not an 'async def' test")
    return scenario_of_test(
        node,
        path=path,
        nodeid=tape.scenario_name,
        fn=fn,
        sha256=hashlib.sha256(source).hexdigest(),
        kwargs=call_arguments(fn, node.params),
    )
