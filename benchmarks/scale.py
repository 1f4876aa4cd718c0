"""Benchmark: cost of one failover against the number of protocol bindings above a MUX team.

Usage:  .venv/bin/python benchmarks/scale.py [--members 64] [--bindings 10 100 1000]

The stack: one MUX team of ``--members`` miniports in failover mode (member 0, intel-x710, active;
the rest realtek-basic) and N TCP/IP instances, each bound to the team.  After bring-up the
active member is surprise-removed and the run settles (FIFO schedule): NDIS pauses the MUX's
binding, the MUX fails over, withdraws LSO and indicates the new hardware capabilities and
current configuration, which NDIS fans out to all N protocols.

Per N it prints, for bring-up and for the failover apart (the ``bench.failover`` trace line
divides them): deliveries and CPU seconds (``time.process_time``: the machine is shared, so CPU
time, not wall time), microseconds per delivery, and memory per binding:

* ``failover KB/b``: the peak of what the failover allocated (``tracemalloc``, started at the
  failover in a second run, so the bring-up runs untraced and the timed run is not slowed);
* ``held KB/b``: what the whole run holds at its end (the stack, every driver and the trace of
  every delivery, lines unbuilt: ``Trace`` builds them when read), measured the same way over
  the whole of a third, traced run for N up to ``--held-up-to`` (tracemalloc slows a run
  several times over).

Bring-up is not linear in N, and is not meant to be: every TCP/IP sets OID_OFFLOAD_ENCAPSULATION
on the team when it binds, the MUX passes the set to each member, and each resulting
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG from the team goes to every protocol already bound
(N/oid-offload-encapsulation.md; NDIS indicates a status to every bound protocol), so its
deliveries grow as N * members + N * N / 2.  The failover is the figure that has to scale.
Figures, not assertions: the suite never times anything.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from pathlib import Path
from typing import Any

import attrs
import trio

from stack.runtime import Bus
from stack.runtime._trace import Trace
from stack.scenario import RunResult, ScenarioFile, run_stack
from stack.scenario._load import load_scenario

SOURCE = """
async def scenario(stack):
    members = [f"nic{{i}}" for i in range({members})]
    stack.miniport(members[0], preset="intel-x710")
    for name in members[1:]:
        stack.miniport(name, preset="realtek-basic")
    stack.mux("team0", members=members, mode="failover")
    for i in range({bindings}):
        stack.tcpip(f"tcpip{{i}}", bind=["team0"])
    await stack.start()
    stack.bus.trace.emit("bench.failover")
    stack.surprise_remove(members[0])
    await stack.settle()
"""


def scenario_for(members: int, bindings: int) -> ScenarioFile:
    source = SOURCE.format(members=members, bindings=bindings).encode()
    return load_scenario(Path(f"scale_{members}x{bindings}.py"), source=source)


def _unbounded(bus: Bus) -> None:
    bus.max_steps = 100_000_000  # the default livelock guard (100,000) is below N = 100


@attrs.define(eq=False)
class _Phases(Trace):
    """The trace, also noting the CPU time at ``bench.failover`` (and starting tracemalloc
    there when asked), so one run gives both phases."""

    trace_failover: bool = False
    failover_cpu: float = 0.0
    failover_deliveries: int = 0

    def emit(self, kind: str, **fields: Any) -> None:
        super().emit(kind, **fields)
        if kind == "bench.failover":
            self.failover_deliveries = self.deliveries
            if self.trace_failover:
                tracemalloc.start()
            self.failover_cpu = time.process_time()


@attrs.frozen
class Measured:
    passed: bool
    deliveries: int
    failover_deliveries: int
    bringup_cpu: float
    failover_cpu: float


def run(scenario: ScenarioFile, *, trace_failover: bool = False) -> tuple[RunResult, _Phases]:
    phases = _Phases(trace_failover=trace_failover)

    def configure(bus: Bus) -> None:
        _unbounded(bus)
        bus.trace = phases

    return trio.run(lambda: run_stack(scenario, seed=0, configure=configure)), phases


def measure(scenario: ScenarioFile) -> Measured:
    start = time.process_time()
    result, phases = run(scenario)
    end = time.process_time()
    total = result.trace.deliveries
    return Measured(
        passed=result.passed,
        deliveries=total,
        failover_deliveries=total - phases.failover_deliveries,
        bringup_cpu=phases.failover_cpu - start,
        failover_cpu=end - phases.failover_cpu,
    )


def failover_peak(scenario: ScenarioFile) -> int:
    """Bytes: the peak of what the failover allocated (tracemalloc from the failover on)."""
    result, _ = run(scenario, trace_failover=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def held_at_end(scenario: ScenarioFile) -> int:
    """Bytes the whole run holds when it ends (its result: the stack and the trace)."""
    gc.collect()
    tracemalloc.start()
    result, _ = run(scenario)
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--bindings", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument(
        "--held-up-to", type=int, default=100, help="largest N whose held memory is measured"
    )
    args = parser.parse_args()
    run(scenario_for(2, 1))  # warm imports
    print(f"MUX team of {args.members} members, failover of the active member, FIFO schedule")
    print(
        f"{'N':>6} {'bring-up':>10} {'CPU s':>7} {'failover':>9} {'CPU s':>7} "
        f"{'us/deliv':>9} {'us/binding':>11} {'failover KB/b':>14} {'held KB/b':>10}  passed"
    )
    for n in args.bindings:
        scenario = scenario_for(args.members, n)
        m = measure(scenario)
        peak = failover_peak(scenario)
        held = f"{held_at_end(scenario) / n / 1024:10.1f}" if n <= args.held_up_to else f"{'-':>10}"
        bringup = m.deliveries - m.failover_deliveries
        print(
            f"{n:>6} {bringup:>10,} {m.bringup_cpu:>7.2f} {m.failover_deliveries:>9,} "
            f"{m.failover_cpu:>7.3f} {m.failover_cpu / m.failover_deliveries * 1e6:>9.1f} "
            f"{m.failover_cpu / n * 1e6:>11.1f} {peak / n / 1024:>14.2f} {held}  "
            f"{'yes' if m.passed else 'NO'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
