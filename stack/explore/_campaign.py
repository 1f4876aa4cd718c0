"""Campaigns: many runs of one scenario, one seed each, on a local process pool.

Run ``i`` of a campaign with base seed ``S`` uses run seed ``S + i``; its strategy (and, under
``portfolio``, which strategy) and every sub-stream derive from that run seed alone.  Seeds are
cut into chunks of a fixed size, whatever the number of jobs, each chunk runs in one ``trio.run``
and the outcomes are sorted by seed, so the result does not depend on ``jobs`` or on which worker
finished first.  The scenario file is loaded afresh for every run (0.1 ms), so state a script
might keep in module globals cannot leak from one run into the next either.

``--stop-on-first`` stays deterministic too: the campaign keeps every run up to the *lowest*
failing seed and drops the rest, waiting for the chunks below a failure and cancelling the
chunks above it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.errors import BadInput, EmulatorInternalError, StackError
from stack.runtime import Fifo, Registry, current_monitor_level
from stack.scenario import Failure, ScenarioFile, load_scenario, run_stack

from ._replay import read_registry, registry_from_bytes, run_once
from ._strategies import STRATEGIES, make_strategy

#: Seeds per chunk: small enough for a lively progress bar, large enough that a chunk's
#: process round trip is noise.  Fixed, so chunking never depends on ``jobs``.
CHUNK = 8


@attrs.frozen
class Plan:
    """What every run of a campaign shares (picklable: it crosses into worker processes)."""

    path: str
    sha256: str
    strategy: str
    params: Mapping[str, Any] = attrs.field(factory=dict)
    #: A .reg file every run starts from (a fresh copy each), and its sha256; "" for none.
    registry: str = ""
    registry_sha256: str = ""
    #: The scenario's and the registry file's bytes, shipped with the plan so that workers on
    #: other machines (``--backend dask``) need neither file.
    scenario_source: bytes = attrs.field(default=b"", repr=False)
    registry_bytes: bytes = attrs.field(default=b"", repr=False)
    #: The monitor level every run takes (``stack.runtime.MonitorLevel`` value).
    level: str = "practice"


@attrs.frozen
class RunOutcome:
    """One run, as the campaign keeps it.  ``tape`` (the bus's raw decisions) and
    ``trace_sha256`` are kept for failing runs only."""

    seed: int
    strategy: str
    params: Mapping[str, Any]
    failure: Failure | None
    decisions: int
    deliveries: int
    tape: tuple[tuple[str, int], ...] = ()
    trace_sha256: str = ""
    #: The strict-only violations the run warned about: (rule, first reason), one per rule.
    warnings: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class FailureGroup:
    """Every run that broke one rule; ``first`` is the one with the lowest seed."""

    rule: str
    seeds: tuple[int, ...]
    first: RunOutcome

    @property
    def runs(self) -> int:
        return len(self.seeds)


@attrs.frozen
class CampaignResult:
    plan: Plan
    seeds: tuple[int, ...]
    outcomes: tuple[RunOutcome, ...]
    stopped_early: bool = False
    #: Wall-clock seconds the runs took: for the human summary only, never in a run or in JSON.
    elapsed: float = attrs.field(default=0.0, eq=False)

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.failure is not None]

    def groups(self) -> list[FailureGroup]:
        """Failures grouped by rule, in order of their lowest seed."""
        by_rule: dict[str, list[RunOutcome]] = {}
        for outcome in self.outcomes:
            if outcome.failure is not None:
                by_rule.setdefault(outcome.failure.rule, []).append(outcome)
        groups = [
            FailureGroup(rule, tuple(o.seed for o in runs), runs[0])
            for rule, runs in by_rule.items()
        ]
        return sorted(groups, key=lambda g: g.first.seed)

    def warning_groups(self) -> list[WarningGroup]:
        """Warnings grouped by rule, in order of their lowest seed (``--level practice``)."""
        by_rule: dict[str, list[tuple[int, str]]] = {}
        for outcome in self.outcomes:
            for rule, reason in outcome.warnings:
                by_rule.setdefault(rule, []).append((outcome.seed, reason))
        groups = [
            WarningGroup(rule, tuple(seed for seed, _ in hits), hits[0][0], hits[0][1])
            for rule, hits in by_rule.items()
        ]
        return sorted(groups, key=lambda g: g.first_seed)


@attrs.frozen
class WarningGroup:
    """Every run in which one strict-only rule was broken (a warning, not a failure)."""

    rule: str
    seeds: tuple[int, ...]
    first_seed: int
    reason: str

    @property
    def runs(self) -> int:
        return len(self.seeds)


# -- one chunk, in whatever process --------------------------------------------------------------


def _load(plan: Plan) -> ScenarioFile:
    scenario = load_scenario(plan.path, source=plan.scenario_source or None)
    if scenario.sha256 != plan.sha256:
        raise BadInput(f"{plan.path}: the scenario file changed during the campaign")
    return scenario


async def _run_seeds(plan: Plan, seeds: Sequence[int]) -> list[RunOutcome]:
    outcomes = []
    registry = None
    if plan.registry:
        registry, sha = (
            registry_from_bytes(plan.registry, plan.registry_bytes)
            if plan.registry_bytes
            else read_registry(plan.registry)
        )
        if sha != plan.registry_sha256:
            raise BadInput(f"{plan.registry}: the registry file changed during the campaign")
    for seed in seeds:
        scenario = _load(plan)
        strategy = make_strategy(plan.strategy, seed, plan.params)
        fresh = registry.copy() if registry is not None else None
        result = await run_stack(
            scenario, seed=seed, strategy=strategy, registry=fresh, level=plan.level
        )
        bus = result.stack.bus
        first: dict[str, str] = {}
        for warning in result.warnings:
            first.setdefault(warning.rule, warning.reason)
        failed = result.failure is not None
        outcomes.append(
            RunOutcome(
                seed=seed,
                strategy=strategy.name,
                params=strategy.params(),
                failure=result.failure,
                decisions=len(bus.tape),
                deliveries=result.trace.deliveries,
                tape=tuple(bus.tape) if failed else (),
                trace_sha256=result.trace.sha256() if failed else "",
                warnings=tuple(first.items()),
            )
        )
    return outcomes


def run_chunk(plan: Plan, seeds: Sequence[int]) -> list[RunOutcome]:
    """Run ``seeds`` in one trio run (the worker entry point)."""
    try:
        return trio.run(_run_seeds, plan, seeds)
    except BadInput:
        raise
    except StackError as exc:
        # Re-raised as a plain, picklable error: some StackErrors take several arguments.
        raise EmulatorInternalError(f"{type(exc).__name__}: {exc}") from None


# -- the campaign --------------------------------------------------------------------------------


def estimate_k(scenario: ScenarioFile, registry: Registry | None = None) -> int:
    """PCT's k: the real choices (more than one message enabled) of a FIFO run."""
    result = run_once(scenario, 0, Fifo(), registry)
    return max(1, len(result.stack.bus.choices))


def plan_for(
    scenario: ScenarioFile,
    strategy: str,
    params: Mapping[str, Any] | None = None,
    registry: str | Path | None = None,
    level: str | None = None,
) -> Plan:
    """A campaign plan; PCT's ``k`` is estimated from a FIFO run unless given; ``level`` is
    the monitor level (default ``stack.runtime.current_monitor_level()``)."""
    if strategy not in STRATEGIES:
        raise BadInput(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    params = dict(params or {})
    start, sha = read_registry(registry) if registry is not None else (None, "")
    if "k" not in params and strategy in ("pct", "portfolio"):
        params["k"] = estimate_k(scenario, start)
    path = str(Path(registry).resolve()) if registry is not None else ""
    return Plan(
        str(scenario.path),
        scenario.sha256,
        strategy,
        params,
        path,
        sha,
        scenario_source=scenario.source,
        registry_bytes=Path(path).read_bytes() if path else b"",
        level=level if level is not None else current_monitor_level().value,
    )


def _chunks(seeds: Sequence[int]) -> Iterator[tuple[int, ...]]:
    for i in range(0, len(seeds), CHUNK):
        yield tuple(seeds[i : i + CHUNK])


def _pool_context() -> Any:
    # forkserver: workers fork from a clean server process (never from a parent with a
    # progress-bar thread running), with this module preloaded so a worker starts in ms.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


Progress = Callable[[int, int], None]


@attrs.frozen
class Shard:
    """Part ``index`` of ``count`` (0-based) of a campaign's seeds, for batch systems: shard i
    runs the seeds ``S + j`` with ``j % count == index``; ``merge`` puts the parts back together
    into exactly the report of the whole campaign."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        index, sep, count = text.partition("/")
        try:
            shard = cls(int(index), int(count))
        except ValueError:
            raise BadInput(f"--shard takes i/N (e.g. 0/4), got {text!r}") from None
        if not sep or shard.count < 1 or not 0 <= shard.index < shard.count:
            raise BadInput(f"--shard takes i/N with 0 <= i < N, got {text!r}")
        return shard

    def select(self, seeds: Sequence[int]) -> tuple[int, ...]:
        return tuple(seed for j, seed in enumerate(seeds) if j % self.count == self.index)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def run_campaign(
    plan: Plan,
    runs: int,
    *,
    seed: int = 0,
    jobs: int = 1,
    stop_on_first: bool = False,
    progress: Progress | None = None,
    executor: Executor | None = None,
    shard: Shard | None = None,
) -> CampaignResult:
    """Run seeds ``seed .. seed + runs - 1`` (or the ``shard`` of them); ``progress(done,
    failed)`` after each chunk.  ``executor`` (e.g. a Dask cluster's) runs the chunks instead of
    a local process pool of ``jobs`` workers; the caller owns it."""
    if runs < 1:
        raise BadInput("--runs must be at least 1")
    if jobs < 1:
        raise BadInput("--jobs must be at least 1")
    seeds = tuple(range(seed, seed + runs))
    if shard is not None:
        seeds = shard.select(seeds)
        if not seeds:
            raise BadInput(f"shard {shard} of {runs} runs has no seeds")
    started = time.perf_counter()
    done: dict[int, RunOutcome] = {}
    lowest_failure: int | None = None

    def collect(outcomes: Sequence[RunOutcome]) -> None:
        nonlocal lowest_failure
        for outcome in outcomes:
            done[outcome.seed] = outcome
            if outcome.failure is not None and (
                lowest_failure is None or outcome.seed < lowest_failure
            ):
                lowest_failure = outcome.seed
        if progress is not None:
            progress(len(done), sum(1 for o in done.values() if o.failure is not None))

    chunks = list(_chunks(seeds))
    if executor is None and (jobs == 1 or len(chunks) == 1):
        for chunk in chunks:
            if stop_on_first and lowest_failure is not None:
                break
            collect(run_chunk(plan, chunk))
    else:
        owned = (
            ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context())
            if executor is None
            else contextlib.nullcontext(executor)
        )
        with owned as pool:
            pending: dict[Future[list[RunOutcome]], tuple[int, ...]] = {
                pool.submit(run_chunk, plan, chunk): chunk for chunk in chunks
            }
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in sorted(finished, key=lambda f: pending[f][0]):
                        pending.pop(future)
                        collect(future.result())
                    if stop_on_first and lowest_failure is not None:
                        for future, chunk in list(pending.items()):
                            if chunk[0] > lowest_failure and future.cancel():
                                pending.pop(future)
            finally:
                for future in pending:
                    future.cancel()
    outcomes = sorted(done.values(), key=lambda o: o.seed)
    stopped = False
    if stop_on_first and lowest_failure is not None:
        kept = [o for o in outcomes if o.seed <= lowest_failure]
        stopped = len(kept) < len(seeds)
        outcomes = kept
    return CampaignResult(plan, seeds, tuple(outcomes), stopped, time.perf_counter() - started)


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
