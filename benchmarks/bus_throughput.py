"""Benchmark: deliveries per second through the bus, against the raw trio memory-channel rate.

Usage:  .venv/bin/python benchmarks/bus_throughput.py [--scenario scenarios/toggle_offloads.py]

Prints three figures measured in one process, in CPU time (``time.process_time``: the machine
may be shared, and CPU time is what other load distorts least):
  * raw trio: messages per second handed from one task to another through a memory channel
    and handled there (a receive loop calling a no-op handler), the same shape as a bus delivery
    minus the bus's bookkeeping;
  * bus: deliveries per second of the ping-pong micro-load through ``Bus`` (choice, trace line,
    inbox, acknowledgement);
  * scenario: deliveries per second of whole runs of a shipped scenario (topology building,
    drivers, NDIS library, monitors included);
and the ratio bus / raw.  Figures, not assertions: the suite never times anything.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, ClassVar

import attrs
import trio

from stack.runtime import Bus, Context, Envelope
from stack.scenario import load_scenario, run_stack

N = 50_000


@attrs.frozen
class Ping:
    KIND: ClassVar[str] = "bench.ping"
    n: int

    def trace_fields(self) -> dict[str, Any]:
        return {"n": self.n}


@attrs.define(eq=False)
class Pong:
    name: str
    peer: str

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        if envelope.message.n:
            ctx.post(self.peer, Ping(envelope.message.n - 1))


async def raw_channel(n: int) -> float:
    """One task hands n messages to another, which handles each and acknowledges it."""
    send, receive = trio.open_memory_channel[Any](1)
    ack_send, ack_receive = trio.open_memory_channel[Any](1)

    async def consumer() -> None:
        async for item in receive:
            _ = item.n  # the handler's work: read the message
            ack_send.send_nowait(None)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(consumer)
        start = time.process_time()
        for i in range(n):
            send.send_nowait(Ping(i))
            await ack_receive.receive()
        elapsed = time.process_time() - start
        nursery.cancel_scope.cancel()
    return n / elapsed


async def bus_pingpong(n: int) -> float:
    bus = Bus(max_steps=n + 10)
    async with trio.open_nursery() as nursery:
        bus.add_actor(Pong("a", "b"), nursery)
        bus.add_actor(Pong("b", "a"), nursery)
        bus.post("bench", "a", Ping(n - 1))
        start = time.process_time()
        await bus.settle()
        elapsed = time.process_time() - start
        nursery.cancel_scope.cancel()
    return n / elapsed


def scenario_rate(path: Path, runs: int) -> tuple[float, int]:
    scenario = load_scenario(path)
    deliveries = 0
    start = time.process_time()
    for seed in range(runs):
        result = trio.run(lambda: run_stack(scenario, seed=seed))  # noqa: B023
        deliveries += result.trace.deliveries
    return deliveries / (time.process_time() - start), deliveries // runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/toggle_offloads.py"))
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    raw = trio.run(raw_channel, N)
    bus = trio.run(bus_pingpong, N)
    print(f"raw trio memory channel : {raw:12,.0f} messages/s")
    print(f"bus (ping-pong)         : {bus:12,.0f} deliveries/s")
    print(f"ratio bus / raw         : {bus / raw:12.2f}")
    if args.scenario.exists():
        rate, per_run = scenario_rate(args.scenario, args.runs)
        print(
            f"scenario {args.scenario.stem:<15}: {rate:12,.0f} deliveries/s "
            f"({per_run} deliveries per run, {args.runs} runs)"
        )


if __name__ == "__main__":
    main()
