"""The bus decides every interleaving: FIFO by default, per-link order kept, time virtual."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import trio

from stack.runtime._bus import Bus, Context, Envelope, RunFailed


@attrs.frozen
class Ping:
    KIND: ClassVar[str] = "test.ping"
    n: int

    def trace_fields(self) -> dict[str, Any]:
        return {"n": self.n}


@attrs.define(eq=False)
class Echo:
    """Replies to every ping with n-1 until zero, optionally after a delay."""

    name: str
    peer: str
    delay: int = 0
    seen: list[int] = attrs.field(factory=list)

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        n = envelope.message.n
        self.seen.append(n)
        if n > 0:
            ctx.post(self.peer, Ping(n - 1), delay=self.delay)


async def _run(strategy: Any = None, delay: int = 0) -> Bus:
    bus = Bus() if strategy is None else Bus(strategy=strategy)
    async with trio.open_nursery() as nursery:
        a, b, c = Echo("a", "b", delay), Echo("b", "a", delay), Echo("c", "a")
        for actor in (a, b, c):
            bus.add_actor(actor, nursery)
        bus.post("scenario", "a", Ping(3))
        bus.post("scenario", "c", Ping(1))
        await bus.settle()
        nursery.cancel_scope.cancel()
    return bus


async def test_fifo_delivers_in_posting_order() -> None:
    bus = await _run()
    kinds = [(r["src"], r["dst"], r["n"]) for r in bus.trace.records]
    assert kinds == [
        ("scenario", "a", 3),
        ("scenario", "c", 1),
        ("a", "b", 2),
        ("c", "a", 0),
        ("b", "a", 1),
        ("a", "b", 0),
    ]


async def test_delays_advance_virtual_time_in_whole_ticks() -> None:
    bus = await _run(delay=5)
    assert bus.now == 15
    assert [r["t"] for r in bus.trace.records] == [0, 0, 0, 5, 10, 15]


@attrs.define
class Last:
    name = "last"

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int:
        return len(enabled) - 1

    def choose_data(self, site: str, count: int, bus: Bus) -> int:
        return 0


async def test_a_strategy_reorders_across_links_and_its_choices_are_recorded() -> None:
    fifo = await _run()
    last = await _run(Last())
    assert fifo.trace.to_jsonl() != last.trace.to_jsonl()
    assert last.choices and all(c > 0 for c in last.choices)
    assert fifo.choices == [0] * len(fifo.choices)


async def test_trace_is_identical_whatever_trio_does_with_its_run_queue() -> None:
    """trio shuffles batches with a private generator; the ack handshake makes it irrelevant."""
    from trio._core import _run as trio_run

    hashes = set()
    for seed in range(5):
        trio_run._r.seed(seed)
        hashes.add((await _run(Last())).trace.sha256())
    assert len(hashes) == 1


@attrs.define(eq=False)
class TaskRecorder:
    """Counts down by posting to itself, then pings ``peer``; remembers the task of each call."""

    name: str
    peer: str
    tasks: list[Any] = attrs.field(factory=list)

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        self.tasks.append(trio.lowlevel.current_task())
        n = envelope.message.n
        if n > 0:
            ctx.post(self.name, Ping(n - 1))
        elif envelope.src != self.peer:
            ctx.post(self.peer, Ping(0))


async def test_every_handler_runs_in_its_own_actors_task_however_the_baton_passes() -> None:
    bus = Bus()
    a, b = TaskRecorder("a", "b"), TaskRecorder("b", "a")
    async with trio.open_nursery() as nursery:
        bus.add_actor(a, nursery)
        bus.add_actor(b, nursery)
        bus.post("scenario", "a", Ping(3))
        bus.post("scenario", "b", Ping(2))
        await bus.settle()
        nursery.cancel_scope.cancel()
    scenario_task = trio.lowlevel.current_task()
    assert len(set(a.tasks)) == 1 and len(set(b.tasks)) == 1
    assert a.tasks[0] is not b.tasks[0]
    assert scenario_task not in a.tasks + b.tasks
    # FIFO across the two links, each link's own order kept, self-posts included.
    assert [(r["dst"], r["n"]) for r in bus.trace.records] == [
        ("a", 3),
        ("b", 2),
        ("a", 2),
        ("b", 1),
        ("a", 1),
        ("b", 0),
        ("a", 0),
        ("a", 0),
        ("b", 0),
    ]


@attrs.define(eq=False)
class Breaks:
    name: str

    def handle(self, envelope: Envelope, ctx: Context) -> None:
        raise ValueError("handler bug")


async def test_a_handler_exception_fails_the_run_in_the_awaiting_caller() -> None:
    bus = Bus()
    async with trio.open_nursery() as nursery:
        bus.add_actor(Echo("a", "b"), nursery)
        bus.add_actor(Breaks("b"), nursery)
        bus.post("scenario", "a", Ping(2))
        try:
            await bus.settle()
        except RunFailed as failure:
            assert failure.rule == "driver-exception"
            assert isinstance(failure.__cause__, ValueError)
        else:
            raise AssertionError("settle returned")
        nursery.cancel_scope.cancel()
    assert bus.failure is not None and bus.failure.seq == 1


async def test_step_delivers_exactly_one_message() -> None:
    bus = Bus()
    async with trio.open_nursery() as nursery:
        a, b = Echo("a", "b"), Echo("b", "a")
        bus.add_actor(a, nursery)
        bus.add_actor(b, nursery)
        bus.post("scenario", "a", Ping(3))
        assert await bus.step()
        assert (a.seen, b.seen) == ([3], [])
        assert await bus.step()
        assert (a.seen, b.seen) == ([3], [2])
        await bus.settle()
        assert not await bus.step()
        nursery.cancel_scope.cancel()


async def test_delivery_lines_are_built_when_read_and_are_what_the_message_said() -> None:
    bus = await _run()
    trace = bus.trace
    assert len(trace) == trace.deliveries == 6
    assert trace._built == 0  # nothing read them yet
    first = trace.records[0]
    assert first == {"seq": 0, "t": 0, "kind": "test.ping", "src": "scenario", "dst": "a", "n": 3}
    assert trace._built == 6 and trace.records is trace.records
    trace.emit("test.note", x=1)
    assert trace.records[-1] == {"seq": 6, "t": 0, "kind": "test.note", "x": 1}
