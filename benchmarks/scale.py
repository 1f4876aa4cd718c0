"""Benchmark: cost of one failover against the number of protocol bindings above a MUX team.

Usage:  .venv/bin/python benchmarks/scale.py [--members 64] [--bindings 10 100 1000]

The stack: one MUX team of ``--members`` miniports in failover mode (member 0, intel-x710, active;
the rest realtek-basic) and N TCP/IP instances, each bound to the team.  After bring-up the
active member is surprise-removed and the run settles (FIFO schedule): NDIS pauses the MUX's
binding, the MUX fails over, withdraws LSO and indicates the new hardware capabilities and
current configuration, which NDIS fans out to all N protocols.

Per N it prints the deliveries of the whole run, of the failover alone, CPU seconds
(``time.process_time``: the machine is shared, so CPU time, not wall time) and peak traced memory
(``tracemalloc``, which also slows the run, so time and memory come from two separate runs), then
microseconds per delivery and KB per binding, so linearity can be read off.  Figures, not
assertions: the suite never times anything.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import trio

from stack.runtime import Bus
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
    bus.max_steps = 10_000_000  # the default livelock guard (100,000) is below N = 1,000


def run(scenario: ScenarioFile) -> RunResult:
    return trio.run(lambda: run_stack(scenario, seed=0, configure=_unbounded))


def deliveries(result: RunResult) -> tuple[int, int]:
    """(all deliveries, deliveries after the surprise removal)."""
    total = after = 0
    seen_failover = False
    for record in result.trace.records:
        if record["kind"] == "bench.failover":
            seen_failover = True
        elif "dst" in record:
            total += 1
            after += seen_failover
    return total, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--bindings", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    run(scenario_for(2, 1))  # warm imports
    print(f"MUX team of {args.members} members, failover of the active member, FIFO schedule")
    print(
        f"{'N':>6} {'deliveries':>11} {'failover':>9} {'CPU s':>8} {'us/deliv':>9} "
        f"{'peak MB':>8} {'KB/binding':>11}  passed"
    )
    for n in args.bindings:
        scenario = scenario_for(args.members, n)
        start = time.process_time()
        result = run(scenario)
        cpu = time.process_time() - start
        total, after = deliveries(result)
        result_passed = result.passed
        del result
        tracemalloc.start()
        run(scenario)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{n:>6} {total:>11,} {after:>9,} {cpu:>8.2f} {cpu / total * 1e6:>9.1f} "
            f"{peak / 2**20:>8.1f} {peak / n / 1024:>11.1f}  {'yes' if result_passed else 'NO'}"
        )


if __name__ == "__main__":
    main()
