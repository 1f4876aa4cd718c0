"""The bus: the one place that decides which pending message is delivered next.

Theory of operation
-------------------
Every driver instance (and the NDIS library) is an *actor*: a trio task that waits on its inbox and
handles one message at a time with a synchronous handler.  A handler never awaits; it reacts by
posting new messages (``Context.post``), possibly with a delay in virtual ticks.  Posted messages
wait in the bus, one FIFO queue per (source, destination) link.

Delivery happens only while someone awaits the bus (``settle``, ``run_until``, ``advance``): the
bus takes the *enabled* messages — the head of every link queue whose due tick has come, kept
sorted by ``(due, seq)`` — and asks the strategy for an index.  Index 0 is always the FIFO
choice, so a recorded list of indices (a tape) replays a run and "all zeros" is the default
schedule.  The bus
then hands the envelope to the destination's inbox; the actor handles it, runs the monitors and
makes the bus's next decision itself, handing the baton to the next destination (``Bus._drive``),
until the awaited goal is reached and the caller wakes.  At any moment at most one task is
runnable, so trio's own run-queue order (which trio randomises with a private generator) can never
influence the result.

Why per-link FIFO: a driver that calls ``NdisMIndicateStatusEx`` and then
``NdisMOidRequestComplete`` from one thread makes two synchronous calls into NDIS, which see them in
that order; ordering *across*
links (NDIS fanning an indication out to two protocols, a completion racing an indication from
another driver) is what Windows leaves open, and that is what strategies explore.  Ordering rules
NDIS does guarantee (one outstanding OID per miniport) are kept by the NDIS library actor itself.

Virtual time is an integer tick counter owned by the bus.  When nothing is enabled but messages
are waiting for a later tick, time jumps to the earliest due tick.  Wall-clock time is never read.
"""

from __future__ import annotations

import contextlib
import enum
import operator
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, ClassVar, Protocol

import attrs
import outcome
import trio

from stack.errors import BadInput, EmulatorInternalError, StackError
from stack.ndis import IllegalTransition
from stack.runtime._trace import Trace


class Message(Protocol):
    """A bus payload: a frozen attrs value with a dotted ``KIND`` for the trace."""

    KIND: ClassVar[str]

    def trace_fields(self) -> dict[str, Any]: ...


@attrs.frozen
class Envelope:
    """A message in flight from ``src`` to ``dst``, deliverable from virtual tick ``due``."""

    seq: int
    src: str
    dst: str
    message: Any
    due: int


class Strategy(Protocol):
    """Makes every decision of a run.

    ``choose``: which enabled envelope is delivered next.  ``enabled`` is sorted by
    ``(due, seq)``; returning 0 is the FIFO choice.  Returning ``None`` lets one tick of virtual
    time pass before anything is delivered (delay injection).

    ``choose_data``: a data decision at a named site (a fault that may fire, a latency), among
    ``count`` options; 0 is always the default behaviour (no fault).
    """

    name: str

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None: ...

    def choose_data(self, site: str, count: int, bus: Bus) -> int: ...


#: The enabled set's order, ``(due, seq)``; a C-level key, as a fan-out to many protocols makes
#: the sort of a step's enabled set a visible cost (benchmarks/scale.py).
_due_seq = operator.attrgetter("due", "seq")
_due = operator.attrgetter("due")


class _Waited(enum.Enum):
    WAITED = "waited"


#: ``Bus._choose``'s answer when the strategy let a tick pass instead of delivering.
WAITED = _Waited.WAITED


def _nothing_more() -> None:
    """The rest of a one-delivery drive (``Bus.step``)."""
    return None


class Fifo:
    """The default schedule: the oldest due message first, and no fault ever fires."""

    name = "fifo"

    def choose(self, enabled: Sequence[Envelope], bus: Bus) -> int | None:
        return 0

    def choose_data(self, site: str, count: int, bus: Bus) -> int:
        return 0


#: A tape entry: ``("sched", index)`` for a delivery decision among several enabled envelopes,
#: ``("wait", 0)`` for a tick the strategy let pass, ``(site, index)`` for a data decision.
TapeEntry = tuple[str, int]


#: Shared tape entries: a long run records one per decision, and most decisions repeat
#: (benchmarks/scale.py counts the memory a run holds).
_SCHED: tuple[TapeEntry, ...] = tuple(("sched", index) for index in range(64))
_WAIT: TapeEntry = ("wait", 0)


class RunFailed(StackError):
    """The run ended in a failure: an invariant fired or a driver broke an NDIS rule."""

    def __init__(self, rule: str, seq: int, reason: str) -> None:
        super().__init__(f"{rule} at seq {seq}: {reason}")
        self.rule = rule
        self.seq = seq
        self.reason = reason


class MonitorLevel(enum.Enum):
    """How strictly a run holds the drivers to the rules (``--level``).

    A monitor's rule is either one Microsoft's own drivers keep (it fails the run at any level)
    or the docs' letter only (``STRICT``: NetAdapterCx, FnMp or netkvm do otherwise, as the
    fidelity review shows).  At ``PRACTICE``, the default, a strict-only violation is a warning
    (in the summary, the trace's ``invariant.warn`` line and ``--json``), never dropped; at
    ``STRICT`` it fails the run like any other."""

    STRICT = "strict"
    PRACTICE = "practice"

    @classmethod
    def parse(cls, value: MonitorLevel | str) -> MonitorLevel:
        if isinstance(value, MonitorLevel):
            return value
        try:
            return cls(value)
        except ValueError:
            raise BadInput(f"level {value!r} is not 'strict' or 'practice'") from None


class StrictViolation(str):
    """A monitor's reason that breaks only the docs' letter (``MonitorLevel.STRICT``): a monitor
    returns one where Microsoft's drivers do otherwise; a monitor whose ``level`` attribute is
    ``STRICT`` has every reason counted as one."""

    __slots__ = ()


#: The level runs take when their caller names none (``monitor_level`` sets it for a block, so
#: that a command's replays and shrinks run at the level its campaign ran at).
_LEVEL: ContextVar[MonitorLevel] = ContextVar("ndisemu_monitor_level")


def _parse_level(value: MonitorLevel | str) -> MonitorLevel:
    return MonitorLevel.parse(value)


def current_monitor_level() -> MonitorLevel:
    return _LEVEL.get(MonitorLevel.PRACTICE)


@contextlib.contextmanager
def monitor_level(level: MonitorLevel | str) -> Iterator[MonitorLevel]:
    """Run the block's scenario runs at ``level`` (unless a run names its own)."""
    token = _LEVEL.set(MonitorLevel.parse(level))
    try:
        yield _LEVEL.get()
    finally:
        _LEVEL.reset(token)


@attrs.frozen
class MonitorWarning:
    """A strict-only violation a ``PRACTICE`` run reported instead of failing: the monitor, the
    trace seq of the delivery it was seen after, and the reason (first time per reason)."""

    rule: str
    seq: int
    reason: str


class Monitor(Protocol):
    """Watches every delivery; returns a reason string when its rule is broken (a
    ``StrictViolation`` when only the docs' letter is broken).

    A monitor MAY also have ``kinds``: a set of message ``KIND``s (``"oid.request"`` ...) whose
    deliveries it needs to see; the bus then calls its ``on_delivery`` for those kinds only.  A
    monitor without ``kinds`` (or with ``None``) is called on every delivery.  Monitors are called
    in list order either way, so which one reports first does not change.
    """

    #: Stable id, the docs page the rule comes from, and a one-line explanation.
    id: str
    page: str
    explanation: str

    def on_delivery(self, envelope: Envelope, bus: Bus) -> str | None: ...

    def at_quiescence(self, bus: Bus) -> str | None: ...


class Actor(Protocol):
    """What the bus needs from a driver: a stable name and a synchronous handler."""

    name: str

    def handle(self, envelope: Envelope, ctx: Context) -> None: ...


_EMPTY: Any = object()


@attrs.define(eq=False)
class _Slot:
    """A one-item hand-off to one trio task: the inbox of an actor, and the bus's own
    acknowledgement slot.

    It does what a one-slot memory channel does in this protocol (the bus puts, the owner task
    takes, at most one item is ever waiting), with trio's low-level park/reschedule directly:
    a memory channel's receive also raises and catches ``WouldBlock`` and builds an abort
    closure on every message, which was a sixth of a delivery's CPU time (benchmarks/
    profile_run.py).  Still one trio task per actor, woken by the scheduler.
    """

    _item: Any = _EMPTY
    _waiter: trio.lowlevel.Task | None = None

    def put(self, item: Any) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            trio.lowlevel.reschedule(waiter, outcome.Value(item))
        elif self._item is _EMPTY:
            self._item = item
        else:
            raise EmulatorInternalError("bus: a second item for a busy actor")

    async def take(self) -> Any:
        item = self._item
        if item is not _EMPTY:
            self._item = _EMPTY
            return item
        self._waiter = trio.lowlevel.current_task()

        def abort(_: Any) -> trio.lowlevel.Abort:
            self._waiter = None
            return trio.lowlevel.Abort.SUCCEEDED

        return await trio.lowlevel.wait_task_rescheduled(abort)


@attrs.define(eq=False)
class Context:
    """What a handler may do while it handles one message: post, note, read the clock."""

    _bus: Bus
    actor: str

    @property
    def now(self) -> int:
        return self._bus.now

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None:
        self._bus.post(self.actor, dst, message, delay=delay)

    def note(self, kind: str, **fields: Any) -> None:
        """Add a trace line that is not a delivery (a counter, a state change)."""
        self._bus.trace.emit(kind, src=self.actor, **fields)

    def fail(self, rule: str, reason: str) -> None:
        """Report that this actor saw another driver break an NDIS rule."""
        self._bus.record_failure(rule, reason)

    def decide(self, site: str, count: int) -> int:
        """A data decision at fault-injection ``site`` among ``count`` options (0 = default).

        Site names are dotted and stable (``miniport.oid.fail``); the strategy decides and the
        tape records it, so a replay makes the same decision.
        """
        return self._bus.decide(site, count, actor=self.actor)


#: ``on_setattr=NO_OP``: the bus's counters change on every delivery, and attrs would otherwise
#: route every assignment through a Python ``__setattr__`` (for ``level``'s converter), a tenth of
#: the bus's own time (benchmarks/profile_run.py); ``level`` is converted at construction.
@attrs.define(eq=False, on_setattr=attrs.setters.NO_OP)
class Bus:
    """The controlled delivery point; see the module docstring."""

    trace: Trace = attrs.field(factory=Trace)
    strategy: Strategy = attrs.field(factory=Fifo)
    max_steps: int = 100_000
    now: int = 0
    monitors: list[Monitor] = attrs.field(factory=list)
    #: Every decision of the run, in order (see ``TapeEntry``); a replay feeds it back.
    tape: list[TapeEntry] = attrs.field(factory=list)
    failure: RunFailed | None = None
    #: The run's level (``MonitorLevel``), and the strict-only violations it only warned about.
    level: MonitorLevel = attrs.field(factory=current_monitor_level, converter=_parse_level)
    warnings: list[MonitorWarning] = attrs.field(factory=list)
    _warned: set[tuple[str, str]] = attrs.field(factory=set)
    _queues: dict[tuple[str, str], deque[Envelope]] = attrs.field(factory=dict)
    #: The links whose queue is not empty (the same deques): what ``enabled`` looks at, so a step
    #: costs the links with traffic, not every link that ever carried a message.
    _busy: dict[tuple[str, str], deque[Envelope]] = attrs.field(factory=dict)
    #: link -> its position in ``_queues`` (``pending`` order)
    _link_order: dict[tuple[str, str], int] = attrs.field(factory=dict)
    _actors: dict[str, Actor] = attrs.field(factory=dict)
    _inboxes: dict[str, _Slot] = attrs.field(factory=dict)
    #: Where the task that carries the baton puts the drive's result for the caller awaiting
    #: ``_drive``: ``None`` when its goal is reached, or the exception the caller raises.
    _finished: _Slot = attrs.field(factory=_Slot)
    #: The heads of the busy links' queues, sorted by ``(due, seq)``: the enabled set is its
    #: prefix of heads already due, so a step neither visits every busy link nor sorts.
    _heads: list[Envelope] = attrs.field(factory=list)
    #: What the running drive delivers next (``None``: its goal is reached); see ``_drive``.
    _next_envelope: Callable[[], Envelope | None] = _nothing_more
    _driving: bool = False
    #: ``monitors`` as the per-kind index below was built from, and the index: message KIND ->
    #: the monitors (in list order) that want its deliveries (``Monitor.kinds``).
    _indexed: list[Monitor] = attrs.field(factory=list)
    _by_kind: dict[str, list[Monitor]] = attrs.field(factory=dict)
    #: One tuple per distinct data decision, shared by every tape entry that repeats it.
    _tape_entries: dict[TapeEntry, TapeEntry] = attrs.field(factory=dict)
    _next_seq: int = 0
    _last_due: dict[tuple[str, str], int] = attrs.field(factory=dict)
    #: ``posted`` just before the latest delivery's handler ran: envelopes with a ``seq`` at or
    #: above it were posted by that handler or later (monitors use it to tell "after receipt").
    delivery_mark: int = 0
    #: The envelopes posted since the latest delivery began, in post order: what its handler
    #: posted, for monitors that judge a handler by its posts without scanning all in flight.
    just_posted: list[Envelope] = attrs.field(factory=list)
    _delivered: int = 0
    _waits: int = 0

    # -- wiring --------------------------------------------------------------------------------

    def add_actor(self, actor: Actor, nursery: trio.Nursery) -> None:
        if actor.name in self._actors:
            raise EmulatorInternalError(f"bus: two actors named {actor.name!r}")
        inbox = _Slot()
        self._actors[actor.name] = actor
        self._inboxes[actor.name] = inbox
        nursery.start_soon(self._actor_loop, actor, inbox)

    @property
    def posted(self) -> int:
        """How many messages have been posted so far (the next envelope's ``seq``)."""
        return self._next_seq

    def actor(self, name: str) -> Actor:
        return self._actors[name]

    @property
    def actor_names(self) -> list[str]:
        return list(self._actors)

    async def _actor_loop(self, actor: Actor, inbox: _Slot) -> None:
        """The actor's task: handle what the bus hands it, then carry the baton (see
        ``_drive``): decide the next delivery itself and hand it straight to its destination,
        or to itself without a task switch, or give the result back to the driving caller."""
        ctx = Context(self, actor.name)
        handle = actor.handle
        name = actor.name
        inboxes = self._inboxes
        finished = self._finished
        while True:
            envelope = await inbox.take()
            while True:
                try:
                    handle(envelope, ctx)
                except Exception as exc:  # reported to the bus, which decides how the run ends
                    finished.put(self._handler_error(envelope, exc))
                    break
                try:
                    self._check_delivery(envelope)
                    following = self._next_envelope()
                    if following is not None:
                        self._begin_delivery(following)
                except Exception as exc:  # a failure, a strategy's or a trace's error: the caller's
                    finished.put(exc)
                    break
                if following is None:
                    finished.put(None)
                    break
                if following.dst == name:
                    envelope = following
                    continue
                inboxes[following.dst].put(following)
                break

    # -- posting -------------------------------------------------------------------------------

    def post(self, src: str, dst: str, message: Message, *, delay: int = 0) -> None:
        """Queue ``message`` on the ``src -> dst`` link, deliverable ``delay`` ticks from now."""
        if dst not in self._actors:
            raise EmulatorInternalError(f"{src}: posted {message.KIND} to unknown actor {dst!r}")
        link = (src, dst)
        # Keep each link FIFO even when delays differ: a later message is never due earlier.
        due = max(self.now + delay, self._last_due.get(link, 0))
        self._last_due[link] = due
        envelope = Envelope(self._next_seq, src, dst, message, due)
        self._next_seq += 1
        queue = self._queues.get(link)
        if queue is None:
            self._link_order[link] = len(self._queues)
            queue = self._queues[link] = deque()
        if not queue:
            self._busy[link] = queue
            insort(self._heads, envelope, key=_due_seq)
        queue.append(envelope)
        self.just_posted.append(envelope)

    @property
    def choices(self) -> list[int]:
        """The delivery decisions alone."""
        return [index for kind, index in self.tape if kind == "sched"]

    def decide(self, site: str, count: int, *, actor: str = "bus") -> int:
        """The strategy's answer at fault site ``site``; a fault that fires is a ``fault``
        trace line naming the ``actor`` whose site it is."""
        if count <= 1:
            return 0
        index = self.strategy.choose_data(site, count, self)
        if not 0 <= index < count:
            msg = f"strategy {self.strategy.name}: index {index} of {count} at {site}"
            raise EmulatorInternalError(msg)
        entry = (site, index)
        self.tape.append(self._tape_entries.setdefault(entry, entry))
        if index:
            self.trace.emit("fault", src=actor, site=site, choice=index)
        return index

    def record_violation(self, monitor: Monitor, reason: str) -> None:
        """A monitor's reason: a failure, or at ``PRACTICE`` a warning when only the docs'
        letter is broken (``StrictViolation``, or a monitor whose ``level`` is ``STRICT``)."""
        strict_only = isinstance(reason, StrictViolation) or (
            getattr(monitor, "level", MonitorLevel.PRACTICE) is MonitorLevel.STRICT
        )
        if strict_only and self.level is MonitorLevel.PRACTICE:
            self.record_warning(monitor.id, str(reason))
        else:
            self.record_failure(monitor.id, str(reason))

    def record_warning(self, rule: str, reason: str) -> None:
        """Once per (rule, reason): a monitor that keeps seeing the same breach says so once."""
        if (rule, reason) in self._warned or self.failure is not None:
            return
        self._warned.add((rule, reason))
        seq = self.trace.last_delivery_seq
        self.warnings.append(MonitorWarning(rule, seq, reason))
        self.trace.emit("invariant.warn", rule=rule, reason=reason, at_seq=seq)

    def record_failure(self, rule: str, reason: str) -> None:
        if self.failure is None:
            seq = self.trace.last_delivery_seq
            self.failure = RunFailed(rule, seq, reason)
            self.trace.emit("invariant.fail", rule=rule, reason=reason, at_seq=seq)

    # -- delivering ----------------------------------------------------------------------------

    def pending(self) -> Iterator[Envelope]:
        """Every envelope in flight, link by link in the order the links first carried a
        message (``_queues`` order), each link's FIFO in order; only links with traffic are
        visited, so the cost does not grow with every link a run ever used."""
        busy = self._busy
        if len(busy) > 1:
            order = self._link_order
            links: Iterable[tuple[str, str]] = sorted(busy, key=order.__getitem__)
        else:
            links = list(busy)
        for link in links:
            yield from busy[link]

    def enabled(self) -> list[Envelope]:
        """The heads already due, in ``(due, seq)`` order: what a strategy chooses among."""
        heads = self._heads
        now = self.now
        if not heads or heads[-1].due <= now:
            return list(heads)
        return heads[: bisect_right(heads, now, key=_due)]

    def _choose(self) -> Envelope | _Waited | None:
        """One decision: the envelope to deliver next, already taken off its link; ``WAITED``
        when the strategy let a tick pass instead; ``None`` when nothing is pending at all.

        The strategy is asked whenever it has a real choice: between several enabled messages,
        or between the one enabled message and letting time pass while a timer is pending (so a
        delay strategy can hold a lone message past a completion).  Every answer it gives is on
        the tape, so a replay is asked the same questions in the same order.  When nothing is
        due yet, time first jumps to the earliest due tick.
        """
        if self.failure is not None:
            raise self.failure
        heads = self._heads
        if not heads:
            return None
        now = self.now
        if heads[0].due > now:
            now = self.now = heads[0].due
        count = len(heads) if heads[-1].due <= now else bisect_right(heads, now, key=_due)
        if count == 1 and len(heads) == 1:
            index = 0
        else:
            choice = self.strategy.choose(heads[:count], self)
            if choice is None:
                self.tape.append(_WAIT)
                self._waits += 1
                if self._waits > self.max_steps:
                    self.record_failure(
                        "liveness-step-budget", "the strategy kept time from moving"
                    )
                    raise self.failure  # type: ignore[misc]
                self.now = now + 1
                return WAITED
            index = choice
            if not 0 <= index < count:
                msg = f"strategy {self.strategy.name}: index {index} of {count} options"
                raise EmulatorInternalError(msg)
            self.tape.append(_SCHED[index] if index < len(_SCHED) else ("sched", index))
        envelope = heads.pop(index)
        link = (envelope.src, envelope.dst)
        queue = self._busy[link]
        queue.popleft()
        if queue:
            insort(heads, queue[0], key=_due_seq)
        else:
            del self._busy[link]
        return envelope

    def _begin_delivery(self, envelope: Envelope) -> None:
        """Count and trace ``envelope`` as delivered, just before its handler runs."""
        self._delivered += 1
        if self._delivered > self.max_steps:
            self.record_failure(
                "liveness-step-budget",
                f"more than {self.max_steps} deliveries without quiescence (livelock?)",
            )
            raise self.failure  # type: ignore[misc]
        self.trace.delivery(envelope, self.now)
        self.delivery_mark = self._next_seq
        self.just_posted = []

    def _handler_error(self, envelope: Envelope, error: Exception) -> Exception:
        """What the driving caller raises for an exception from ``envelope``'s handler."""
        if isinstance(error, BadInput):
            # A scenario command with bad arguments, found by the driver that parses it.
            return error
        # An NDIS state table refusing an event names its docs page as ``rule``; the run's rule id
        # stays a stable name, and the page goes into the reason.
        rule = (
            "illegal-transition"
            if isinstance(error, IllegalTransition)
            else (getattr(error, "rule", "driver-exception"))
        )
        self.record_failure(rule, f"{envelope.dst}: {error}")
        failure = self.failure
        assert failure is not None
        failure.__cause__ = error
        return failure

    def _check_delivery(self, envelope: Envelope) -> None:
        """Run the monitors that want ``envelope``'s kind, after its handler."""
        for monitor in self._monitors_for(envelope.message.KIND):
            reason = monitor.on_delivery(envelope, self)
            if reason is not None:
                self.record_violation(monitor, reason)
        if self.failure is not None:
            raise self.failure

    async def _drive(
        self, next_envelope: Callable[[], Envelope | None], *, first: Envelope | None = None
    ) -> None:
        """Deliver, one envelope after another, what ``next_envelope`` decides, until it says
        ``None``; raise what ended the drive otherwise.

        Baton passing: the caller's task decides the first delivery and hands it to the
        destination actor's inbox; from then on the task that just handled a message runs its
        monitors, decides the next delivery (``next_envelope``, so strategy, tape and virtual
        time behave exactly as if the caller decided) and hands it on: one trio task switch per
        delivery, none when an actor is its own next destination, instead of a round trip
        through the caller for each.  Still exactly one task runnable at a time, so trio's own
        scheduling order never shows.  ``first``: the first delivery, already decided.
        """
        if self._driving:
            raise EmulatorInternalError("bus: driven from two tasks at once")
        envelope = first if first is not None else next_envelope()
        if envelope is None:
            return
        self._begin_delivery(envelope)
        self._next_envelope = next_envelope
        self._driving = True
        try:
            self._inboxes[envelope.dst].put(envelope)
            error = await self._finished.take()
        finally:
            self._driving = False
            self._next_envelope = _nothing_more
        if error is not None:
            raise error

    async def step(self) -> bool:
        """Deliver one message (or let the one tick the strategy asked for pass); ``False``
        when nothing is pending at all."""
        choice = self._choose()
        if choice is None:
            return False
        if choice is not WAITED:
            await self._drive(_nothing_more, first=choice)
        return True

    def _monitors_for(self, kind: str) -> list[Monitor]:
        """The monitors that want deliveries of ``kind``, in ``monitors`` order.  The index is
        rebuilt whenever ``monitors`` changed (a stack adds monitors with its first filter)."""
        if self._indexed != self.monitors:
            self._indexed = list(self.monitors)
            self._by_kind = {}
        wanted = self._by_kind.get(kind)
        if wanted is None:
            wanted = self._by_kind[kind] = [
                monitor
                for monitor in self._indexed
                if (kinds := getattr(monitor, "kinds", None)) is None or kind in kinds
            ]
        return wanted

    def _next_settling(self) -> Envelope | None:
        while True:
            choice = self._choose()
            if choice is not WAITED:
                return choice

    async def settle(self) -> None:
        """Deliver until nothing is pending (advancing virtual time as needed), then check
        the quiescence monitors."""
        await self._drive(self._next_settling)
        for monitor in self.monitors:
            reason = monitor.at_quiescence(self)
            if reason is not None:
                self.record_violation(monitor, reason)
        if self.failure is not None:
            raise self.failure

    async def run_until(self, done: Callable[[], bool]) -> None:
        """Deliver until ``done()`` holds; fail if the system goes quiet first."""

        def next_envelope() -> Envelope | None:
            while not done():
                choice = self._choose()
                if choice is None:
                    msg = "bus: everything went quiet before the awaited event happened"
                    raise EmulatorInternalError(msg)
                if choice is not WAITED:
                    return choice
            return None

        await self._drive(next_envelope)

    async def advance(self, ticks: int) -> None:
        """Let ``ticks`` of virtual time pass, delivering everything due meanwhile."""
        deadline = self.now + ticks

        def next_envelope() -> Envelope | None:
            while True:
                if self.failure is not None:
                    raise self.failure
                heads = self._heads
                if heads and heads[0].due <= self.now:
                    choice = self._choose()
                    if choice is not WAITED:
                        return choice
                    continue
                if not heads or heads[0].due > deadline:
                    self.now = max(self.now, deadline)  # a delay strategy may have passed it
                    return None
                self.now = heads[0].due

        await self._drive(next_envelope)
