"""Benchmark: ndisemu against a hand-written asyncio model of the same MUX failover, per message.

Usage:  .venv/bin/python benchmarks/peer_compare.py [--runs 200] [--protocols 1]

The peer is what someone would write without ndisemu: one asyncio task per actor (NDIS, the MUX,
two NICs, the protocols) with an ``asyncio.Queue`` inbox, plain tuples for messages, no ordering
control (asyncio's own FIFO ready queue decides), no trace, no monitors, no NDIS rules beyond the
propagation itself.  One run: bring the team up (bind, the team advertises nic0's LSO), two large
sends into nic0, surprise removal of nic0 (pause the MUX's binding, halt nic0, the MUX fails over
to nic1, withdraws LSO: CURRENT_CONFIG, HARDWARE_CAPABILITIES, CURRENT_CONFIG, fanned out by NDIS
to every protocol), then one send through nic1 -- the shape of scenarios/mux_failover_lso.py.

ndisemu runs scenarios/mux_failover_lso.py itself under FIFO, tracing on (it always is), with the
monitors, the NDIS library and the drivers.  Both are timed in this process with
``time.process_time`` (CPU seconds: the machine is shared) and compared per message delivered,
which is fair to a model that does less per run: the ratio is what ndisemu's determinism, trace,
monitors and NDIS rules cost per message.  Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

import trio

from stack.scenario import load_scenario, run_stack

ROOT = Path(__file__).resolve().parent.parent

LSO = frozenset({"checksum", "lsov1", "lsov2"})
BASIC = frozenset({"checksum"})


class Model:
    """The failover propagation as asyncio actors; ``delivered`` counts messages handled."""

    def __init__(self, protocols: int) -> None:
        self.delivered = 0
        self.names = ["ndis", "mux", "nic0", "nic1"] + [f"tcpip{i}" for i in range(protocols)]
        self.inbox: dict[str, asyncio.Queue[tuple[Any, ...]]] = {
            name: asyncio.Queue() for name in self.names
        }
        self.protocols = self.names[4:]
        self.caps = {"nic0": LSO, "nic1": BASIC}
        self.members = ["nic0", "nic1"]
        self.active = "nic0"
        self.team_current: frozenset[str] = frozenset()
        self.views: dict[str, frozenset[str]] = {}
        self.in_hw: dict[str, int] = {"nic0": 0, "nic1": 0}
        self.outstanding = 0

    def post(self, dst: str, *message: Any) -> None:
        self.outstanding += 1
        self.inbox[dst].put_nowait(message)

    async def actor(self, name: str) -> None:
        inbox = self.inbox[name]
        handler = getattr(self, f"on_{name.rstrip('0123456789')}")
        while True:
            message = await inbox.get()
            self.delivered += 1
            handler(name, *message)
            self.outstanding -= 1

    # -- NDIS: routes, caches, fans out ---------------------------------------------------------
    def on_ndis(self, me: str, kind: str, src: str, *args: Any) -> None:
        if kind == "status":  # an indication from the MUX's virtual miniport: fan out
            code, value = args
            if code == "current":
                self.team_current = value
            for protocol in self.protocols:
                self.post(protocol, "status", "ndis", code, value)
        elif kind == "bind":
            for protocol in self.protocols:
                self.post(protocol, "bind", "ndis", self.team_current)
        elif kind == "send":
            self.post("mux", "send", "ndis", *args)
        elif kind == "send.miniport":
            member, length = args
            self.post(member, "send", "ndis", length)
        elif kind in ("send.complete",):
            self.post("mux", "send.complete", "ndis", *args)
        elif kind == "send.complete.up":
            protocol, status = args
            self.post(protocol, "send.complete", "ndis", status)
        elif kind == "surprise":
            (member,) = args
            self.post("mux", "pause", "ndis", member)
        elif kind == "pause.complete":
            (member,) = args
            self.post(member, "halt", "ndis")
        elif kind == "halt.complete":
            pass

    # -- the MUX: failover and the aggregate ----------------------------------------------------
    def on_mux(self, me: str, kind: str, src: str, *args: Any) -> None:
        if kind == "start":
            self.team_current = self.caps[self.active]
            self.post("ndis", "bind", "mux")
        elif kind == "send":
            protocol, length, lso = args
            if lso and "lsov2" not in self.caps[self.active]:
                self.post("ndis", "send.complete.up", "mux", protocol, "withdrawn")
            else:
                self.post("ndis", "send.miniport", "mux", self.active, length)
                self.pending_from = protocol
        elif kind == "send.complete":
            status = args[0]
            self.post("ndis", "send.complete.up", "mux", self.pending_from, status)
        elif kind == "pause":
            (member,) = args
            self.members.remove(member)
            if member == self.active:
                self.active = self.members[0]
            caps = self.caps[self.active]
            self.post("ndis", "pause.complete", "mux", member)
            self.post("ndis", "status", "mux", "current", caps)
            self.post("ndis", "status", "mux", "hardware", caps)
            self.post("ndis", "status", "mux", "current", caps)

    # -- miniports -------------------------------------------------------------------------------
    def on_nic(self, me: str, kind: str, src: str, *args: Any) -> None:
        if kind == "send":
            self.in_hw[me] += 1
            self.post("ndis", "send.complete", me, "success")
        elif kind == "halt":
            self.post("ndis", "halt.complete", me)

    # -- protocols -------------------------------------------------------------------------------
    def on_tcpip(self, me: str, kind: str, src: str, *args: Any) -> None:
        if kind in ("bind", "status") and (kind == "bind" or args[0] == "current"):
            self.views[me] = args[-1]
        elif kind == "send.complete":
            pass

    def send(self, protocol: str, length: int) -> None:
        lso = "lsov2" in self.views.get(protocol, frozenset())
        self.post("ndis", "send", protocol, protocol, length, lso)

    async def settle(self) -> None:
        while self.outstanding:
            await asyncio.sleep(0)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self.actor(name)) for name in self.names]
        self.post("mux", "start", "scenario")
        await self.settle()
        for _ in range(2):
            self.send("tcpip0", 64000)
        await self.settle()
        self.post("ndis", "surprise", "scenario", "nic0")
        self.send("tcpip0", 64000)
        await self.settle()
        assert self.views["tcpip0"] == BASIC, "the protocol learned the team lost LSO"
        self.send("tcpip0", 64000)
        await self.settle()
        for task in tasks:
            task.cancel()


def peer_rate(runs: int, protocols: int) -> tuple[float, int]:
    async def many() -> int:
        delivered = 0
        for _ in range(runs):
            model = Model(protocols)
            await model.run()
            delivered += model.delivered
        return delivered

    start = time.process_time()
    delivered = asyncio.run(many())
    return delivered / (time.process_time() - start), delivered // runs


def ndisemu_rate(runs: int) -> tuple[float, int]:
    scenario = load_scenario(ROOT / "scenarios" / "mux_failover_lso.py")

    async def many() -> int:
        delivered = 0
        for seed in range(runs):
            result = await run_stack(scenario, seed=seed)
            delivered += result.trace.deliveries
        return delivered

    trio.run(many)  # warm
    start = time.process_time()
    delivered = trio.run(many)
    return delivered / (time.process_time() - start), delivered // runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--protocols", type=int, default=1)
    args = parser.parse_args()
    peer, peer_per_run = peer_rate(args.runs, args.protocols)
    ours, ours_per_run = ndisemu_rate(max(1, args.runs // 4))
    print("MUX failover under LSO traffic, CPU time (time.process_time), one process")
    print(f"  asyncio model (no ordering control)  : {peer:10,.0f} messages/s  "
          f"({peer_per_run} messages per run)")  # fmt: skip
    print(f"  ndisemu mux_failover_lso, FIFO, trace: {ours:10,.0f} deliveries/s "
          f"({ours_per_run} deliveries per run)")  # fmt: skip
    print(f"  ratio peer / ndisemu per message     : {peer / ours:10.1f}x")


if __name__ == "__main__":
    main()
