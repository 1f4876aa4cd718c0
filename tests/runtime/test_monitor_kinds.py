"""Monitors indexed by message kind: a monitor with ``kinds`` sees only those deliveries, one
without sees every delivery, and the order in which monitors report stays the list order."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import attrs
import trio

from stack.runtime import default_monitors
from stack.runtime._bus import Bus, Context, Envelope
from stack.scenario import run_scenario


@attrs.frozen
class Ping:
    KIND: ClassVar[str] = "test.ping"
    n: int

    def trace_fields(self) -> dict[str, Any]:
        return {"n": self.n}


@attrs.frozen
class Pong(Ping):
    KIND: ClassVar[str] = "test.pong"


@attrs.define(eq=False)
class Bouncer:
    name: str
    peer: str

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        n = envelope.message.n
        if n > 0:
            ctx.post(self.peer, (Pong if n % 2 else Ping)(n - 1))


@attrs.define(eq=False)
class Watcher:
    id: str
    kinds: frozenset[str] | None = None
    fail_at: int | None = None
    page: str = ""
    explanation: str = ""
    seen: list[tuple[str, int]] = attrs.field(factory=list)

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        self.seen.append((envelope.message.KIND, envelope.message.n))
        return "stop" if envelope.message.n == self.fail_at else None

    def at_quiescence(self, bus: Bus) -> str | None:
        return None


@attrs.define(eq=False)
class Legacy:
    """A monitor written before ``kinds`` existed: no such attribute at all."""

    id: str = "legacy"
    page: str = ""
    explanation: str = ""
    seen: int = 0

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None:
        self.seen += 1
        return None

    def at_quiescence(self, bus: Bus) -> str | None:
        return None


async def _bounce(bus: Bus, n: int = 5) -> None:
    async with trio.open_nursery() as nursery:
        bus.add_actor(Bouncer("a", "b"), nursery)
        bus.add_actor(Bouncer("b", "a"), nursery)
        bus.post("scenario", "a", Ping(n))
        try:
            await bus.settle()
        finally:
            nursery.cancel_scope.cancel()


async def test_a_monitor_sees_only_its_kinds_and_one_without_kinds_sees_all() -> None:
    pings = Watcher("pings", kinds=frozenset({Ping.KIND}))
    everything = Watcher("all")
    legacy = Legacy()
    bus = Bus(monitors=[pings, everything, legacy])
    await _bounce(bus)
    assert pings.seen == [("test.ping", 5), ("test.ping", 3), ("test.ping", 1)]
    assert [n for _, n in everything.seen] == [5, 4, 3, 2, 1, 0]
    assert legacy.seen == 6


async def test_monitors_added_later_are_indexed_too() -> None:
    pongs = Watcher("pongs", kinds=frozenset({Pong.KIND}))
    bus = Bus()
    async with trio.open_nursery() as nursery:
        bus.add_actor(Bouncer("a", "b"), nursery)
        bus.add_actor(Bouncer("b", "a"), nursery)
        bus.post("scenario", "a", Ping(5))
        await bus.step()  # the index is built without the monitor
        bus.monitors.append(pongs)
        await bus.settle()
        nursery.cancel_scope.cancel()
    assert pongs.seen == [("test.pong", 4), ("test.pong", 2), ("test.pong", 0)]


async def test_the_first_monitor_in_list_order_reports_whatever_the_kinds() -> None:
    first = Watcher("first", kinds=frozenset({Pong.KIND}), fail_at=2)
    second = Watcher("second", fail_at=2)
    bus = Bus(monitors=[first, second])
    with contextlib.suppress(BaseExceptionGroup):  # the run's failure, out of the nursery
        await _bounce(bus)
    assert bus.failure is not None and bus.failure.rule == "first"


def test_every_shipped_monitor_declares_kinds_that_its_messages_have() -> None:
    from stack.runtime import _messages

    known = {
        getattr(cls, "KIND", None) for cls in vars(_messages).values() if isinstance(cls, type)
    }
    result = run_scenario("scenarios/mux_failover_lso.py")
    for monitor in [*default_monitors(result.stack.ndis), *result.stack.bus.monitors]:
        kinds = getattr(monitor, "kinds", None)
        if kinds is not None:
            assert kinds <= known, (monitor.id, kinds - known)


async def test_pending_keeps_the_order_links_first_carried_a_message() -> None:
    bus = Bus()
    async with trio.open_nursery() as nursery:
        for name in ("a", "b", "c"):
            bus.add_actor(Bouncer(name, name), nursery)
        bus.post("scenario", "a", Ping(0))
        bus.post("scenario", "b", Ping(0))
        await bus.step()  # empties scenario -> a
        bus.post("scenario", "c", Ping(0))
        bus.post("scenario", "a", Ping(0))  # refills the first link
        assert [e.dst for e in bus.pending()] == ["a", "b", "c"]
        nursery.cancel_scope.cancel()
