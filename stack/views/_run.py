"""Running a scenario to the point a view shows: the end, or trace line ``--at SEQ``.

``--at SEQ`` stops the bus *before the first delivery whose trace line would come after SEQ*, so
the state shown is the one right after every event up to SEQ.  The run is the same run as
``ndisemu run`` (same scenario, seed, strategy, registry): the stop is a ``Trace`` that raises
when that delivery is about to be written, which happens before its handler runs and after every
monitor has checked the delivery before.  A delivery's handler runs whole, so the notes it writes
(``state.adapter``, ``oid.queue`` ...) are part of the state even when their lines come after SEQ.
Deterministic, because the run is (architecture rule 3), and one run long: nothing is re-run.

``--tape T`` replays a tape written by ``ndisemu explore`` or the pytest plugin
(``stack.explore``): the tape's scenario or test (or the file given), seed and every recorded
decision.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.errors import BadInput, StackError
from stack.runtime import Bus, Envelope, Registry, Trace, load_reg
from stack.scenario import RunResult, load_scenario, run_stack
from stack.views._snapshot import AtPoint, StackSnapshot, snapshot

__all__ = ["run_for_view"]

_STOP_RULE = "show.stop"


class _Stop(StackError):
    """Raised by ``_StoppingTrace``: the view's point has been reached."""

    rule = _STOP_RULE


@attrs.define(eq=False)
class _StoppingTrace(Trace):
    stop_after: int = -1
    stopped: bool = False

    def delivery(self, envelope: Envelope, now: int) -> None:
        if len(self) > self.stop_after:
            self.stopped = True
            raise _Stop(f"stopped after trace seq {self.stop_after}")
        super().delivery(envelope, now)


def _explore() -> Any:
    try:
        return importlib.import_module("stack.explore")
    except ImportError as exc:  # pragma: no cover - the package ships with ndisemu
        raise BadInput(f"--tape needs stack.explore, which cannot be imported: {exc}") from None


def _read_registry(path: str | None) -> Registry | None:
    if path is None:
        return None
    if not Path(path).is_file():
        raise BadInput(f"no such registry file {path!r}")
    return load_reg(path)


def run_for_view(
    scenario: str | None,
    *,
    seed: int | None = None,
    at: int | None = None,
    tape: str | None = None,
    registry_path: str | None = None,
) -> StackSnapshot:
    """Run ``scenario`` (or replay ``tape``) and take a snapshot at the end or after ``at``.

    ``registry_path`` is a ``.reg`` file to start from; it is read, never written.  A tape
    starts from the registry file it records unless one is given.
    """
    trace = _StoppingTrace(stop_after=at if at is not None else -1)
    runner_strategy: object = None

    def configure(bus: Bus) -> None:
        if at is not None:
            bus.trace = trace

    if tape is not None:
        if seed is not None:
            raise BadInput("--seed and --tape exclude each other: a tape carries its seed")
        explore = _explore()
        loaded = explore.load_tape(tape)
        scenario_file = explore.scenario_of(loaded, scenario)
        registry, _ = explore.registry_of(loaded, registry_path)
        strategy = explore.Replay(loaded.entries, name=loaded.strategy, complete=True)
        runner_strategy = strategy
        run_seed = loaded.seed

        async def replay() -> RunResult:
            return await run_stack(
                scenario_file,
                seed=run_seed,
                strategy=strategy,
                registry=registry,
                configure=configure,
            )

        runner = replay
    else:
        if scenario is None:
            raise BadInput("give a SCENARIO file (or --tape TAPE)")
        scenario_file = load_scenario(Path(scenario))
        registry = _read_registry(registry_path)

        async def run() -> RunResult:
            return await run_stack(
                scenario_file, seed=seed or 0, registry=registry, configure=configure
            )

        runner = run
    try:
        result = trio.run(runner)
    except BadInput:
        if trace.stopped and trace.last_delivery_seq < 0:
            raise BadInput(
                f"--at {at}: nothing has been delivered by trace seq {at}; the first delivery "
                f"is seq {len(trace.records)}"
            ) from None
        raise
    failure = result.failure
    if failure is not None and failure.rule == _STOP_RULE:
        failure = None
    elif at is not None and at >= len(result.trace.records):
        raise BadInput(
            f"--at {at}: the run has {len(result.trace.records)} trace lines "
            f"(seq 0 to {len(result.trace.records) - 1})"
        )
    point = None
    if at is not None:
        deliveries = (r for r in reversed(result.trace.records[: at + 1]) if "dst" in r)
        delivery: dict[str, Any] = next(deliveries, {})
        # As the JSONL trace holds it (enums as numbers), so JSON output matches the trace file.
        point = AtPoint(seq=at, delivery=json.loads(json.dumps(delivery, sort_keys=True)))
    taken = snapshot(result, at=point, failure=failure)
    diverged = getattr(runner_strategy, "divergence", None)
    if diverged is not None:
        taken = attrs.evolve(taken, divergence=diverged.describe())
    return taken
