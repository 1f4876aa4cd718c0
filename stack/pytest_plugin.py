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
    exception and traceback, and a report section ``ndisemu`` says which run, its seed and
    strategy, where its tape and trace are, and the commands that reproduce it.  The stack is
    given as the ``stack`` argument; other arguments are ordinary fixtures.  Each run ends with
    ``stack.settle()`` and the quiescence checks, as ``ndisemu run`` does.

Options (group ``ndisemu``)
    ``--ndis-seed=N|last|random``: the session's base seed (default: random, printed in the
    header and kept in the pytest cache for ``last``); ``--ndis-runs=N`` overrides every
    marker's ``runs``; ``--ndis-tape-dir=DIR`` is where failing runs' tapes and traces go
    (default: the pytest cache, ``.pytest_cache/d/ndisemu``); ``--ndis-replay=TAPE`` runs the
    test the tape names once, answering every decision from the tape.

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


@attrs.define(eq=False)
class _Race:
    """Runs one ``ndis_race`` test: ``runs`` seeded runs, stopping at the first failure."""

    item: pytest.Function
    fn: Callable[..., Any]
    options: dict[str, Any]

    @classmethod
    def of(cls, item: pytest.Function, fn: Callable[..., Any]) -> _Race:
        marker = item.get_closest_marker("ndis_race")
        assert marker is not None
        if marker.args:
            pytest.fail("ndis_race takes keyword arguments only (runs=, strategy=, seed=, ...)",
                        pytrace=False)  # fmt: skip
        if not inspect.iscoroutinefunction(fn):
            pytest.fail("@pytest.mark.ndis_race needs an 'async def' test", pytrace=False)
        return cls(item, fn, {**_MARKER_DEFAULTS, **marker.kwargs})

    def _scenario(self) -> Any:
        from stack.scenario import ScenarioFile

        path = Path(str(self.item.path))
        doc = (inspect.getdoc(self.fn) or "").strip().splitlines()
        return ScenarioFile(
            path=path,
            name=self.item.nodeid,
            fn=self.fn,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            description=doc[0] if doc else "",
        )

    async def _run(
        self, kwargs: Mapping[str, Any], seed: int, strategy: Any
    ) -> tuple[RunResult, BaseException | None]:
        import trio

        from stack.scenario import ScenarioFile, run_stack

        raised: list[BaseException] = []

        async def body(stack: Stack) -> None:
            try:
                await self.fn(**{**kwargs, "stack": stack})
            except trio.Cancelled:
                raise
            except Exception as exc:
                raised.append(exc)
                raise
            except BaseException as exc:  # pytest.skip/fail/xfail inside the body
                raised.append(exc)

        scenario = attrs.evolve(self._scenario(), fn=body)
        assert isinstance(scenario, ScenarioFile)
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
            result, raised = await self._run(kwargs, seed, strategy)
            if result.failure is None and raised is None:
                continue
            self._report(explore, result, raised, index, runs, base, strategy)
            self._raise(result, raised)

    async def _replay(self, explore: Any, kwargs: Mapping[str, Any], tape_path: str) -> None:
        __tracebackhide__ = True
        tape = explore.load_tape(tape_path)
        if tape.scenario_name != self.item.nodeid:
            pytest.skip(f"--ndis-replay: the tape is of {tape.scenario_name}")
        replay = explore.Replay(tape.entries, name=tape.strategy, complete=True)
        result, raised = await self._run(kwargs, tape.seed, replay)
        replay.finish()
        lines = [
            f"replayed {tape_path} (seed {tape.seed}, {tape.describe_strategy()})",
        ]
        if replay.divergence is not None:
            lines.append(f"  the run left the tape: {replay.divergence.describe()}")
        if result.failure is not None or raised is not None:
            self.item.stash[_REPORT_KEY] = lines + _failure_lines(result)
            self._raise(result, raised)

    def _report(
        self,
        explore: Any,
        result: RunResult,
        raised: BaseException | None,
        index: int,
        runs: int,
        base: int,
        strategy: Any,
    ) -> None:
        describe = getattr(strategy, "describe", None)
        shown = describe() if callable(describe) else strategy.name
        lines = [
            f"failing run {index + 1} of {runs}: seed {result.seed}, strategy {shown} "
            f"(base seed {base})",
            *_failure_lines(result),
        ]
        out = _artifact_dir(self.item.config)
        tape_file = None
        if out is not None:
            stem = f"{_safe(self.item.nodeid)}-seed{result.seed}"
            trace_file = out / f"{stem}.trace.jsonl"
            trace_file.write_text(result.trace.to_jsonl(), encoding="utf-8")
            failure = result.failure
            tape = explore.Tape(
                scenario_name=self.item.nodeid,
                scenario_path=str(self.item.path),
                scenario_sha256=self._scenario().sha256,
                strategy=strategy.name,
                params=strategy.params(),
                seed=result.seed,
                entries=tuple(explore.Decision(k, i) for k, i in result.stack.bus.tape),
                failure=failure,
                trace_sha256=result.trace.sha256(),
            )
            tape_file = _shown(self.item.config, tape.save(out / f"{stem}.tape.json"))
            lines += [f"tape:  {tape_file}", f"trace: {_shown(self.item.config, trace_file)}"]
        lines += [
            "reproduce this run:",
            f"  {_command(self.item, f'--ndis-seed={result.seed}', '--ndis-runs=1')}",
        ]
        if tape_file is not None:
            lines += [
                "replay its tape:",
                f"  {_command(self.item, '--ndis-replay=' + shlex.quote(tape_file))}",
            ]
        lines += ["run every seed again:", f"  {_command(self.item, f'--ndis-seed={base}')}"]
        self.item.stash[_REPORT_KEY] = lines
        self.item.user_properties.append(("ndis_failing_seed", result.seed))

    @staticmethod
    def _raise(result: RunResult, raised: BaseException | None) -> None:
        __tracebackhide__ = True
        if raised is not None:
            raise raised
        failure = result.failure
        assert failure is not None
        raise NdisRaceFailed(f"FAIL {failure.rule} at seq {failure.seq}: {failure.reason}")


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
    if lines is None:
        lines = _fixture_lines(item)
    if lines:
        report.sections.append(("ndisemu", "\n".join(lines)))


def _fixture_lines(item: pytest.Item) -> list[str] | None:
    """The report of a failing test that used ``ndis_stack``."""
    stack = item.stash.get(_STACK_KEY, None)
    if stack is None:
        return None
    seed = item.config.stash[_SEED_KEY].value
    deliveries = sum(1 for r in stack.bus.trace.records if "dst" in r)
    lines = [f"ndis_stack: seed {seed}, strategy fifo, {deliveries} deliveries"]
    failure = stack.bus.failure
    if failure is not None:
        lines.append(f"FAIL {failure.rule} at seq {failure.seq}: {failure.reason}")
    out = _artifact_dir(item.config)
    if out is not None:
        trace_file = out / f"{_safe(item.nodeid)}-seed{seed}.trace.jsonl"
        trace_file.write_text(stack.bus.trace.to_jsonl(), encoding="utf-8")
        lines.append(f"trace: {_shown(item.config, trace_file)}")
    lines += ["reproduce:", f"  {_command(item, f'--ndis-seed={seed}')}"]
    return lines
