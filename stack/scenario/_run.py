"""Running one scenario: a pure function of (scenario, seed, strategy, registry contents)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.errors import BadInput, StackError
from stack.runtime import (
    Bus,
    MonitorLevel,
    MonitorWarning,
    Registry,
    RunFailed,
    Strategy,
    Trace,
    current_monitor_level,
    default_monitors,
)
from stack.scenario._load import ScenarioFile, load_scenario
from stack.scenario._stack import ExpectationFailed, Stack


@attrs.frozen
class Failure:
    """Why a run failed: the rule (an invariant id, or ``scenario-expectation``), the trace seq
    of the event that broke it, and a one-line reason."""

    rule: str
    seq: int
    reason: str


@attrs.define(eq=False)
class RunResult:
    scenario: ScenarioFile
    seed: int
    strategy: str
    trace: Trace
    stack: Stack
    failure: Failure | None
    monitors: list[str]
    #: The run's monitor level, and the strict-only violations it reported as warnings
    #: (``stack.runtime.MonitorLevel``; always empty at ``strict``, where they fail the run).
    level: MonitorLevel = MonitorLevel.PRACTICE
    warnings: list[MonitorWarning] = attrs.field(factory=list)

    @property
    def passed(self) -> bool:
        return self.failure is None


def _classify(
    exc: Exception, scenario: ScenarioFile, bus: Bus
) -> tuple[Failure | None, BadInput | None]:
    """An exception out of the scenario: broken input before anything was delivered (exit 2),
    a failure of the run afterwards (exit 1)."""
    if bus.trace.last_delivery_seq < 0:
        reason = f"{type(exc).__name__}: {exc}"
        return None, BadInput(f"{scenario.path.name}: scenario raised before starting: {reason}")
    if isinstance(exc, AssertionError):
        rule = "scenario-assert"
    elif isinstance(exc, StackError):
        rule = getattr(exc, "rule", type(exc).__name__)
    else:
        rule = "scenario-exception"
    return Failure(rule, bus.trace.last_delivery_seq, f"{type(exc).__name__}: {exc}"), None


async def run_stack(
    scenario: ScenarioFile,
    *,
    seed: int = 0,
    strategy: Strategy | None = None,
    registry: Registry | None = None,
    configure: Callable[[Bus], None] | None = None,
    level: MonitorLevel | str | None = None,
) -> RunResult:
    """Run ``scenario`` inside the current trio run and return what happened.  ``level``
    (default: ``stack.runtime.current_monitor_level()``, ``practice`` unless a caller set it)
    decides whether strict-only monitor violations fail the run or are warnings."""
    chosen = MonitorLevel.parse(level) if level is not None else current_monitor_level()
    bus = Bus(level=chosen) if strategy is None else Bus(strategy=strategy, level=chosen)
    if configure is not None:
        configure(bus)
    failure: Failure | None = None
    bad_input: BadInput | None = None
    # Exceptions are turned into results *inside* the nursery and re-raised after it, so that
    # trio's exception groups never reach the caller.
    async with trio.open_nursery() as nursery:
        stack = Stack(bus, registry if registry is not None else Registry(), seed, nursery)
        bus.monitors.extend(default_monitors(stack.ndis))
        bus.trace.emit(
            "run.start",
            scenario=scenario.name,
            seed=seed,
            strategy=getattr(bus.strategy, "name", "custom"),
        )
        try:
            await scenario.fn(stack)
            await stack.settle()
        except RunFailed as exc:
            failure = Failure(exc.rule, exc.seq, exc.reason)
        except ExpectationFailed as exc:
            failure = Failure("scenario-expectation", bus.trace.last_delivery_seq, str(exc))
        except BadInput as exc:
            bad_input = exc
        except Exception as exc:
            failure, bad_input = _classify(exc, scenario, bus)
        finally:
            nursery.cancel_scope.cancel()
    if bad_input is not None:
        raise bad_input
    bus.trace.emit("run.end", passed=failure is None, **({"rule": failure.rule} if failure else {}))
    return RunResult(
        scenario=scenario,
        seed=seed,
        strategy=getattr(bus.strategy, "name", "custom"),
        trace=bus.trace,
        stack=stack,
        failure=failure,
        monitors=[m.id for m in bus.monitors],
        level=bus.level,
        warnings=list(bus.warnings),
    )


def run_scenario(
    path: str | Path,
    *,
    seed: int = 0,
    strategy: Strategy | None = None,
    registry: Registry | None = None,
    **kwargs: Any,
) -> RunResult:
    """Load and run a scenario file in a fresh trio run."""
    scenario = load_scenario(path)
    return trio.run(
        lambda: run_stack(scenario, seed=seed, strategy=strategy, registry=registry, **kwargs)
    )
