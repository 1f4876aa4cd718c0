"""The ndisemu pytest plugin: stacks in your tests, and races explored over many seeds.

Installed with ndisemu (entry point ``pytest11``: ``ndisemu = "stack.pytest_plugin"``), so any
project that installs ndisemu gets it.  It needs pytest-trio for async tests.

``ndis_stack`` (fixture)
    An async fixture: a fresh ``stack.scenario.Stack`` on its own bus (FIFO schedule, every
    default monitor), not started.  Declare the topology, then ``await stack.start()``, exactly
    as a scenario script does; a broken invariant raises ``RunFailed`` from the ``await`` that
    delivered the offending message.  Its seed (``stack.random``) is ``ndis_seed``.  Use it
    from a trio test (``trio_mode = true``, or ``@pytest.mark.trio``).

``@pytest.mark.ndis_race(runs=100, strategy="portfolio", seed=None, faults=False, **params)``
    On ``async def test_x(stack, ...)``: the test body is a scenario.  It runs ``runs`` times,
    run ``i`` with seed ``base + i`` on a fresh stack whose bus is driven by the exploration
    strategy ``strategy`` (``stack.explore``: ``random``, ``pct``, ``delay`` or ``portfolio``;
    ``params`` such as ``depth=`` or ``k=`` go to it; ``faults=True`` adds swarm fault injection
    at the drivers' fault sites).  ``base`` is ``--ndis-seed`` if given, else the marker's
    ``seed``, else the session's seed.  The first failing run fails the test with its own
    exception and traceback; the run is replayed from its tape and shrunk as ``ndisemu
    explore`` shrinks (``stack.explore.shrink``), and a report section ``ndisemu`` says which
    run, its seed and strategy, what shrinking left, where its tape, trace and artifacts are,
    and the commands that reproduce it.  The stack is given as the ``stack`` argument; other
    arguments are ordinary fixtures.  Each run ends with ``stack.settle()`` and the quiescence
    checks, as ``ndisemu run`` does.

Tapes
    A failing race run's tape, and a failing ``ndis_stack`` test's (its FIFO run), name the test
    (node id, file relative to the rootdir, function, the arguments that are data), so
    ``ndisemu replay`` and ``ndisemu show --tape`` run it again without pytest
    (``stack.explore._pytest_node``, which builds the run for both).

Options (group ``ndisemu``)
    ``--ndis-seed=N|last|random``: the session's base seed (default: random, printed in the
    header and kept in the pytest cache for ``last``); ``--ndis-runs=N`` overrides every
    marker's ``runs``; ``--ndis-tape-dir=DIR`` is where failing tests' tapes, traces and
    artifacts go (default: the pytest cache, ``.pytest_cache/d/ndisemu``);
    ``--ndis-replay=TAPE`` runs the race test the tape names once, answering every decision
    from the tape; ``--ndis-shrink`` (the default) / ``--no-ndis-shrink`` shrinks a failing
    race run's tape or keeps it as found.

The plugin imports nothing heavy until a test uses it, so it costs other test sessions nothing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import random
import re
import shlex
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import pytest

if TYPE_CHECKING:
    from stack.scenario import RunResult, Stack

__all__ = ["NdisRaceFailed"]

_CACHE_KEY: Final = "ndisemu/seed"
_SEED_KEY = pytest.StashKey["_Seed"]()
_REPORT_KEY = pytest.StashKey[list[str]]()
_STACK_KEY = pytest.StashKey["Stack"]()
_MARKER_DEFAULTS: Final[Mapping[str, Any]] = {
    "runs": 100,
    "strategy": "portfolio",
    "seed": None,
    "faults": False,
}


class NdisRaceFailed(AssertionError):
    """A run of an ``ndis_race`` test failed in a monitor or the final settle, not in the body."""


@attrs.frozen
class _Seed:
    value: int
    #: Given on the command line (``N`` or ``last``): it overrides markers' ``seed=``.
    explicit: bool


# -- options, seed, header ----------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ndisemu", "ndisemu: NDIS stacks and race exploration")
    group.addoption(
        "--ndis-seed",
        metavar="N|last|random",
        default=None,
        help="Base seed of ndisemu runs (default: random; 'last' reuses the previous one).",
    )
    group.addoption(
        "--ndis-runs",
        type=int,
        metavar="N",
        default=None,
        help="Runs per @pytest.mark.ndis_race test (overrides the marker's runs=).",
    )
    group.addoption(
        "--ndis-tape-dir",
        metavar="DIR",
        default=None,
        help="Where failing runs' tapes and traces go (default: the pytest cache).",
    )
    group.addoption(
        "--ndis-replay",
        metavar="TAPE",
        default=None,
        help="Run the ndis_race test this tape names once, from the tape's decisions.",
    )
    group.addoption(
        "--ndis-shrink",
        action="store_true",
        dest="ndis_shrink",
        default=True,
        help="Shrink a failing ndis_race run's tape toward FIFO / no faults (the default).",
    )
    group.addoption(
        "--no-ndis-shrink",
        action="store_false",
        dest="ndis_shrink",
        help="Keep a failing ndis_race run's tape as found.",
    )


def _parse_seed(config: pytest.Config) -> _Seed:
    text = config.getoption("--ndis-seed")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "ndis_seed" in workerinput:  # a pytest-xdist worker
        value, explicit = workerinput["ndis_seed"]
        return _Seed(int(value), bool(explicit))
    cache = getattr(config, "cache", None)
    if text is None or text == "random":
        return _Seed(random.randrange(1_000_000), False)
    if text == "last":
        last = cache.get(_CACHE_KEY, None) if cache is not None else None
        if not isinstance(last, int):
            raise pytest.UsageError("--ndis-seed=last: no previous ndisemu seed in the cache")
        return _Seed(last, True)
    try:
        return _Seed(int(text, 0), True)
    except ValueError:
        raise pytest.UsageError(
            f"--ndis-seed={text}: give an integer, 'last' or 'random'"
        ) from None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ndis_race(runs=100, strategy='portfolio', seed=None, faults=False, **params): run the "
        "async test body as an ndisemu scenario over many seeded schedules",
    )
    runs = config.getoption("--ndis-runs")
    if runs is not None and runs < 1:
        raise pytest.UsageError(f"--ndis-runs={runs}: give at least 1")
    seed = _parse_seed(config)
    config.stash[_SEED_KEY] = seed
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):
        cache.set(_CACHE_KEY, seed.value)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker uses the controller's seed."""
    seed = node.config.stash[_SEED_KEY]
    node.workerinput["ndis_seed"] = (seed.value, seed.explicit)


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[_SEED_KEY].value
    return f"ndisemu: seed base {seed} (reuse with --ndis-seed={seed} or --ndis-seed=last)"


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def ndis_seed(request: pytest.FixtureRequest) -> int:
    """The session's base seed (``--ndis-seed``)."""
    return request.config.stash[_SEED_KEY].value


@pytest.fixture
async def ndis_stack(request: pytest.FixtureRequest, ndis_seed: int) -> AsyncIterator[Stack]:
    """A fresh, unstarted ``Stack`` on its own bus; ``await stack.start()`` brings it up."""
    import trio

    from stack.runtime import Bus, Registry, default_monitors
    from stack.scenario import Stack

    bus = Bus()
    async with trio.open_nursery() as nursery:
        stack = Stack(bus, Registry(), ndis_seed, nursery)
        bus.monitors.extend(default_monitors(stack.ndis))
        bus.trace.emit("run.start", scenario=request.node.nodeid, seed=ndis_seed, strategy="fifo")
        request.node.stash[_STACK_KEY] = stack
        yield stack
        nursery.cancel_scope.cancel()


@pytest.fixture(name="stack")
def _race_stack(request: pytest.FixtureRequest) -> object:
    """Stands for the stack an ``ndis_race`` test gets (a fresh one per run)."""
    if request.node.get_closest_marker("ndis_race") is None:
        pytest.fail(
            "the 'stack' argument is given by @pytest.mark.ndis_race; other tests use the "
            "ndis_stack fixture",
            pytrace=False,
        )
    return _PLACEHOLDER


_PLACEHOLDER: Final = object()


# -- ndis_race -----------------------------------------------------------------------------------


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "test"


def _artifact_dir(config: pytest.Config) -> Path | None:
    given = config.getoption("--ndis-tape-dir")
    if given is not None:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path
    cache = getattr(config, "cache", None)
    return Path(cache.mkdir("ndisemu")) if cache is not None else None


def _shown(config: pytest.Config, path: Path) -> str:
    """``path`` relative to where pytest was started, when it is below it: short, and what the
    printed commands (run from there) need."""
    try:
        return str(path.resolve().relative_to(config.invocation_params.dir.resolve()))
    except ValueError:
        return str(path)


def _command(item: pytest.Item, *options: str) -> str:
    return " ".join(["pytest", shlex.quote(item.nodeid), *options])


def _qualname(item: pytest.Function) -> str:
    """The test's name in its module, as ``replay`` looks it up (``TestClass.test_x``)."""
    cls = item.cls
    return f"{cls.__qualname__}.{item.originalname}" if cls is not None else item.originalname


def _test_function(item: pytest.Function) -> Callable[..., Any]:
    """The test as its module defines it (pytest-trio replaces ``item.obj`` by its runner)."""
    owner = item.instance if item.cls is not None else item.module
    found: Callable[..., Any] | None = getattr(owner, item.originalname, None)
    return found if callable(found) else item.obj


def _node(explore: Any, item: pytest.Function, fn: Callable[..., Any], mode: str) -> Any:
    """The ``PytestNode`` a tape of ``item`` records."""
    callspec = getattr(item, "callspec", None)
    parametrized = dict(callspec.params) if callspec is not None else {}
    return explore.node_of(fn, mode, _qualname(item), item.funcargs, parametrized)


def _tape_of(
    explore: Any,
    item: pytest.Function,
    node: Any,
    sha256: str,
    **fields: Any,
) -> Any:
    """A tape of ``item``: its node id, its file relative to the rootdir, and ``fields``."""
    return explore.Tape(
        scenario_name=item.nodeid,
        scenario_path=explore.recorded_path(Path(str(item.path)), item.config.rootpath),
        scenario_sha256=sha256,
        test=node,
        **fields,
    )


def _replay_lines(item: pytest.Item, tape_file: str, cannot: str | None) -> list[str]:
    """How to replay a tape: ``ndisemu replay`` (unless the test needs pytest), and pytest's
    ``--ndis-replay`` for a race test."""
    commands = [] if cannot is not None else [f"  ndisemu replay {shlex.quote(tape_file)}"]
    if item.get_closest_marker("ndis_race") is not None:
        commands.append(f"  {_command(item, '--ndis-replay=' + shlex.quote(tape_file))}")
    lines = ["replay its tape:", *commands] if commands else []
    if cannot is not None:
        lines.append(f"ndisemu replay cannot run this test: {cannot}")
    return lines


def _explanation(result: RunResult) -> str:
    failure = result.failure
    monitor = next((m for m in result.stack.bus.monitors if failure and m.id == failure.rule), None)
    return f"{monitor.explanation} ({monitor.page})" if monitor is not None else ""


@attrs.define(eq=False)
class _Race:
    """Runs one ``ndis_race`` test: ``runs`` seeded runs, stopping at the first failure."""

    item: pytest.Function
    fn: Callable[..., Any]
    options: dict[str, Any]
    sha256: str

    @classmethod
    def of(cls, item: pytest.Function, fn: Callable[..., Any]) -> _Race:
        marker = item.get_closest_marker("ndis_race")
        assert marker is not None
        if marker.args:
            pytest.fail("ndis_race takes keyword arguments only (runs=, strategy=, seed=, ...)",
                        pytrace=False)  # fmt: skip
        if not inspect.iscoroutinefunction(fn):
            pytest.fail("@pytest.mark.ndis_race needs an 'async def' test", pytrace=False)
        sha256 = hashlib.sha256(Path(str(item.path)).read_bytes()).hexdigest()
        return cls(item, fn, {**_MARKER_DEFAULTS, **marker.kwargs}, sha256)

    def _scenario(
        self, explore: Any, kwargs: Mapping[str, Any], raised: list[BaseException] | None = None
    ) -> Any:
        """The test body as a scenario: the one ``ndisemu replay`` loads from the tape."""
        return explore.scenario_of_test(
            _node(explore, self.item, self.fn, "ndis_race"),
            path=Path(str(self.item.path)),
            nodeid=self.item.nodeid,
            fn=self.fn,
            sha256=self.sha256,
            kwargs=kwargs,
            raised=raised,
        )

    async def _run(
        self, explore: Any, kwargs: Mapping[str, Any], seed: int, strategy: Any
    ) -> tuple[RunResult, BaseException | None]:
        from stack.scenario import run_stack

        raised: list[BaseException] = []
        scenario = self._scenario(explore, kwargs, raised)
        result = await run_stack(scenario, seed=seed, strategy=strategy)
        return result, raised[0] if raised else None

    async def run(self, **kwargs: Any) -> None:
        __tracebackhide__ = True
        for name, value in kwargs.items():
            if type(value).__name__ == "TrioFixture":
                pytest.fail(
                    f"ndis_race: the async fixture {name!r} cannot be shared by the runs; "
                    "build what each run needs inside the test",
                    pytrace=False,
                )
        config = self.item.config
        explore = importlib.import_module("stack.explore")
        tape_path = config.getoption("--ndis-replay")
        if tape_path is not None:
            await self._replay(explore, kwargs, tape_path)
            return
        seed_option = config.stash[_SEED_KEY]
        marker_seed = self.options["seed"]
        base = seed_option.value if seed_option.explicit or marker_seed is None else marker_seed
        runs = config.getoption("--ndis-runs") or int(self.options["runs"])
        params = {k: v for k, v in self.options.items() if k not in ("runs", "strategy", "seed")}
        self.item.user_properties.append(("ndis_seed", base))
        for index in range(runs):
            seed = base + index
            strategy = explore.make_strategy(str(self.options["strategy"]), seed, params)
            result, raised = await self._run(explore, kwargs, seed, strategy)
            if result.failure is None and raised is None:
                continue
            if result.failure is None:  # pytest.skip/xfail in the body: pytest's outcome
                self._raise(result, raised)
            await self._report(explore, kwargs, result, index, runs, base, strategy)
            self._raise(result, raised)

    async def _replay(self, explore: Any, kwargs: Mapping[str, Any], tape_path: str) -> None:
        __tracebackhide__ = True
        tape = explore.load_tape(tape_path)
        if tape.scenario_name != self.item.nodeid:
            pytest.skip(f"--ndis-replay: the tape is of {tape.scenario_name}")
        replay = explore.Replay(tape.entries, name=tape.strategy, complete=True)
        result, raised = await self._run(explore, kwargs, tape.seed, replay)
        replay.finish()
        lines = [
            f"replayed {tape_path} (seed {tape.seed}, {tape.describe_strategy()})",
        ]
        if replay.divergence is not None:
            lines.append(f"  the run left the tape: {replay.divergence.describe()}")
        if result.failure is not None or raised is not None:
            self.item.stash[_REPORT_KEY] = lines + _failure_lines(result)
            self._raise(result, raised)

    def _investigate(
        self, explore: Any, kwargs: Mapping[str, Any], result: RunResult, name: str, shrink: bool
    ) -> tuple[Any, Any]:
        """In a thread of its own (each replay is a ``trio.run``): replay the failing run from
        its bus tape, which records what each decision saw, and shrink it as ``explore`` does.
        Returns the replay (None if it did not fail the same way) and the shrink result."""
        failure = result.failure
        assert failure is not None
        scenario = self._scenario(explore, kwargs)
        raw = tuple(explore.Decision(k, i) for k, i in result.stack.bus.tape)
        boot = explore.replay_entries(scenario, result.seed, raw, name=name)
        if boot.failure is None or boot.failure.rule != failure.rule:
            return None, None
        if not shrink:
            return boot, None
        return boot, explore.shrink(scenario, result.seed, boot, name=name)

    async def _report(
        self,
        explore: Any,
        kwargs: Mapping[str, Any],
        result: RunResult,
        index: int,
        runs: int,
        base: int,
        strategy: Any,
    ) -> None:
        import trio

        config = self.item.config
        describe = getattr(strategy, "describe", None)
        shown = describe() if callable(describe) else strategy.name
        lines = [
            f"failing run {index + 1} of {runs}: seed {result.seed}, strategy {shown} "
            f"(base seed {base})",
            *_failure_lines(result),
        ]
        self.item.user_properties.append(("ndis_failing_seed", result.seed))
        self.item.stash[_REPORT_KEY] = lines
        out = _artifact_dir(config)
        shrinking = bool(config.getoption("ndis_shrink"))
        boot = shrunk = None
        if result.failure is not None and (out is not None or shrinking):
            investigate = functools.partial(
                self._investigate, explore, kwargs, result, strategy.name, shrinking
            )
            boot, shrunk = await trio.to_thread.run_sync(investigate)
            if boot is None:
                lines.append(
                    "warning: replaying this run did not fail the same way: the test depends "
                    "on more than its seed and decisions (state kept between runs, the clock, "
                    "randomness not from stack.random); its tape may not replay"
                )
        if shrunk is not None:
            lines += _shrunk_lines(result, shrunk)
        tape_file = None
        if out is not None:
            stem = f"{_safe(self.item.nodeid)}-seed{result.seed}"
            tape_file, more = self._write(explore, out, stem, result, strategy, boot, shrunk)
            lines += [
                f"tape:  {tape_file}",
                f"trace: {_shown(config, out / f'{stem}.trace.jsonl')}",
            ]
            if more:
                lines.append(f"more:  {_shown(config, out / stem)}.{{{','.join(more)}}}")
        lines += [
            "reproduce this run:",
            f"  {_command(self.item, f'--ndis-seed={result.seed}', '--ndis-runs=1')}",
        ]
        if tape_file is not None:
            cannot = explore.unsupported_argument(
                self.fn, _node(explore, self.item, self.fn, "ndis_race")
            )
            lines += _replay_lines(self.item, tape_file, cannot)
        lines += ["run every seed again:", f"  {_command(self.item, f'--ndis-seed={base}')}"]

    def _write(
        self,
        explore: Any,
        out: Path,
        stem: str,
        result: RunResult,
        strategy: Any,
        boot: Any,
        shrunk: Any,
    ) -> tuple[str, list[str]]:
        """Write the tape (shrunk, if it was), the trace and, from a replay, the artifacts
        ``explore`` writes; the tape's path as shown, and the other suffixes written."""
        config = self.item.config
        node = _node(explore, self.item, self.fn, "ndis_race")
        common = {
            "strategy": strategy.name,
            "params": strategy.params(),
            "seed": result.seed,
        }
        more: list[str] = []
        trace_file = out / f"{stem}.trace.jsonl"
        if boot is None:  # no replay to learn from: the run's own bus tape and trace
            tape = _tape_of(
                explore,
                self.item,
                node,
                self.sha256,
                entries=tuple(explore.Decision(k, i) for k, i in result.stack.bus.tape),
                failure=result.failure,
                trace_sha256=result.trace.sha256(),
                **common,
            )
            trace_file.write_text(result.trace.to_jsonl(), encoding="utf-8")
            return _shown(config, tape.save(out / f"{stem}.tape.json")), more
        final = shrunk.run if shrunk is not None else boot
        info = None
        if shrunk is not None:
            info = {
                "deviations_before": shrunk.deviations_before,
                "deviations_after": shrunk.deviations_after,
                "candidate_runs": shrunk.candidate_runs,
            }
            unshrunk = _tape_of(
                explore,
                self.item,
                node,
                self.sha256,
                entries=boot.decisions,
                failure=boot.failure,
                trace_sha256=boot.trace_sha256,
                **common,
            )
            unshrunk.save(out / f"{stem}.unshrunk.tape.json")
            more.append("unshrunk.tape.json")
        tape = _tape_of(
            explore,
            self.item,
            node,
            self.sha256,
            entries=final.decisions,
            failure=final.failure,
            trace_sha256=final.trace_sha256,
            shrunk=info,
            **common,
        )
        shown = _shown(config, out / f"{stem}.tape.json")
        explore.write_artifacts(
            out,
            stem,
            tape=tape,
            trace=final.result.trace,
            explanation=_explanation(final.result),
            replay_command=f"ndisemu replay {shlex.quote(shown)}",
        )
        more += ["steps.txt", "mmd", "md", "perfetto.json"]
        trace_file.write_text(final.result.trace.to_jsonl(), encoding="utf-8")
        return shown, more

    @staticmethod
    def _raise(result: RunResult, raised: BaseException | None) -> None:
        __tracebackhide__ = True
        if raised is not None:
            raise raised
        failure = result.failure
        assert failure is not None
        raise NdisRaceFailed(f"FAIL {failure.rule} at seq {failure.seq}: {failure.reason}")


#: Deviations listed in the report; the steps file has them all.
_MAX_NOTES = 8


def _shrunk_lines(result: RunResult, shrunk: Any) -> list[str]:
    """What shrinking left, in ``explore``'s words: one line per remaining deviation."""
    notes = [
        f"decision {i}" + (f" (seq {d.seq})" if d.seq >= 0 else "") + f": {d.note or d.kind}"
        for i, d in enumerate(shrunk.entries)
        if d.is_deviation
    ]
    after = shrunk.deviations_after
    runs = shrunk.candidate_runs
    lines = [
        f"shrunk {shrunk.deviations_before} -> {after} deviation{'s' * (after != 1)} in "
        f"{runs} candidate run{'s' * (runs != 1)}" + (":" if notes else " (FIFO, no faults)")
    ]
    lines += [f"  {note}" for note in notes[:_MAX_NOTES]]
    if len(notes) > _MAX_NOTES:
        lines.append(f"  ... {len(notes) - _MAX_NOTES} more in the steps file")
    failure, original = shrunk.failure, result.failure
    if original is not None and failure.seq != original.seq:
        lines.append(f"  the shrunk run fails {failure.rule} at seq {failure.seq}")
    return lines


def _failure_lines(result: RunResult) -> list[str]:
    failure = result.failure
    if failure is None:
        return []
    monitor = next((m for m in result.stack.bus.monitors if m.id == failure.rule), None)
    # The first line: the traceback above has the rest (pytest's assertion explanation).
    reason = (failure.reason.splitlines() or [""])[0]
    lines = [f"FAIL {failure.rule} at seq {failure.seq}: {reason}"]
    if monitor is not None:
        lines.append(f"  rule: {monitor.explanation} ({monitor.page})")
    return lines


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Swap an ``ndis_race`` test's function for the race runner, before pytest-trio wraps it:
    under pytest-trio the runs share its ``trio.run``; without it they get their own."""
    if not isinstance(item, pytest.Function) or item.get_closest_marker("ndis_race") is None:
        yield
        return
    original = item.obj
    race = _Race.of(item, original)
    if item.get_closest_marker("trio") is not None:
        item.obj = race.run
    else:

        @functools.wraps(race.run)
        def run_in_trio(**kwargs: Any) -> None:
            import trio

            trio.run(functools.partial(race.run, **kwargs))

        item.obj = run_in_trio
    try:
        yield
    finally:
        item.obj = original


# -- the report section --------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    lines = item.stash.get(_REPORT_KEY, None)
    if lines is None and isinstance(item, pytest.Function):
        lines = _fixture_lines(item, call.excinfo.value if call.excinfo is not None else None)
    if lines:
        report.sections.append(("ndisemu", "\n".join(lines)))


def _leaf(exc: BaseException | None) -> BaseException | None:
    """The first exception inside (nested) exception groups: what the test raised."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _fixture_failure(stack: Stack, exc: BaseException | None) -> Any:
    """The failure of an ``ndis_stack`` test, classified in ``run_stack``'s order (so
    ``ndisemu replay`` of its tape reports the same rule and seq); None when the test raised
    nothing a run would call a failure (bad input, nothing delivered yet)."""
    from stack.errors import BadInput, StackError
    from stack.runtime import RunFailed
    from stack.scenario import ExpectationFailed, Failure

    exc = _leaf(exc)
    seq = stack.bus.trace.last_delivery_seq
    if isinstance(exc, RunFailed):
        return Failure(exc.rule, exc.seq, exc.reason)
    if isinstance(exc, ExpectationFailed):
        return Failure("scenario-expectation", seq, str(exc))
    if exc is None or isinstance(exc, BadInput) or seq < 0:
        return None
    reason = f"{type(exc).__name__}: {exc}"
    # pytest.fail() counts as an assertion, as it does in a replay (_pytest_node.Failed).
    if isinstance(exc, AssertionError | pytest.fail.Exception):
        return Failure("scenario-assert", seq, reason)
    if isinstance(exc, StackError):
        return Failure(getattr(exc, "rule", type(exc).__name__), seq, reason)
    if isinstance(exc, Exception):
        return Failure("scenario-exception", seq, reason)
    return None


def _fixture_lines(item: pytest.Function, exc: BaseException | None) -> list[str] | None:
    """The report of a failing test that used ``ndis_stack``, and its tape: FIFO decisions,
    which ``ndisemu replay`` runs the test again from."""
    stack = item.stash.get(_STACK_KEY, None)
    if stack is None:
        return None
    seed = item.config.stash[_SEED_KEY].value
    bus = stack.bus
    deliveries = bus.trace.deliveries
    lines = [f"ndis_stack: seed {seed}, strategy fifo, {deliveries} deliveries"]
    failure = _fixture_failure(stack, exc)
    if failure is not None:
        reason = (failure.reason.splitlines() or [""])[0]
        lines.append(f"FAIL {failure.rule} at seq {failure.seq}: {reason}")
        # What ndisemu run writes last, so the trace is the one replaying the tape gives.
        bus.trace.emit("run.end", passed=False, rule=failure.rule)
    out = _artifact_dir(item.config)
    tape_file = cannot = None
    if out is not None:
        stem = f"{_safe(item.nodeid)}-seed{seed}"
        trace_file = out / f"{stem}.trace.jsonl"
        trace_file.write_text(bus.trace.to_jsonl(), encoding="utf-8")
        if failure is not None:
            explore = importlib.import_module("stack.explore")
            fn = _test_function(item)
            node = _node(explore, item, fn, "ndis_stack")
            tape = _tape_of(
                explore,
                item,
                node,
                hashlib.sha256(Path(str(item.path)).read_bytes()).hexdigest(),
                strategy="fifo",
                params={},
                seed=seed,
                entries=tuple(explore.Decision(k, i) for k, i in bus.tape),
                failure=failure,
                trace_sha256=bus.trace.sha256(),
            )
            tape_file = _shown(item.config, tape.save(out / f"{stem}.tape.json"))
            cannot = explore.unsupported_argument(fn, node)
            lines.append(f"tape:  {tape_file}")
        lines.append(f"trace: {_shown(item.config, trace_file)}")
    lines += ["reproduce:", f"  {_command(item, f'--ndis-seed={seed}')}"]
    if tape_file is not None:
        lines += _replay_lines(item, tape_file, cannot)
    return lines
