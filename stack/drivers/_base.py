"""What every driver shares: the context type its handlers see, command-argument reading, and a
recording context for unit tests.

A driver is an actor (``stack.runtime.Actor``): a ``name`` and a synchronous ``handle(envelope,
ctx)``.  Each driver dispatches with one ``match`` on the message class, so the whole edge it
accepts is visible in one place; a message it has no case for is reported with ``unhandled``
(in the spirit of P's unhandled-event check, behaviours-and-bugs.md "Modelling notes"), never
silently dropped.

Drivers never read the clock or ``random``; a timer is a ``Command`` posted to oneself with a
delay in virtual ticks.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar, overload

import attrs

from stack.errors import BadInput
from stack.ndis import (
    NDIS_OID_REQUEST,
    HardwarePolicy,
    IllegalTransition,
    ProtocolBindingEvent,
    ProtocolBindingState,
    transition,
)
from stack.runtime import (
    Command,
    Envelope,
    Message,
    OidComplete,
    OidRequest,
    Pnp,
    PnpOp,
    SendComplete,
)

_T = TypeVar("_T")

__all__ = [
    "Binding",
    "BindingTable",
    "DriverContext",
    "RecordingContext",
    "command_args",
    "unhandled",
]


class DriverContext(Protocol):
    """What a handler may do (``stack.runtime.Context`` satisfies it; so does
    ``RecordingContext``)."""

    @property
    def now(self) -> int: ...

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None: ...

    def note(self, kind: str, **fields: Any) -> None: ...

    def fail(self, rule: str, reason: str) -> None: ...

    def decide(self, site: str, count: int) -> int: ...


_E = TypeVar("_E", bound=enum.Enum)


def enum_option(kind: type[_E]) -> Callable[[_E | str], _E]:
    """An attrs converter for an option that is one of ``kind``'s values: scenarios may write
    the value (``oid_completion="pend"``) instead of the member; anything else is bad input."""

    def convert(value: _E | str) -> _E:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)
            raise BadInput(f"{kind.__name__}: {value!r} is not one of {known}") from None

    return convert


def hardware_policy_option(value: HardwarePolicy | str) -> HardwarePolicy:
    """The converter of every driver's ``hardware_policy`` option (spec A2); a named function
    because the attrs mypy plugin accepts only those as converters."""
    return enum_option(HardwarePolicy)(value)


def unhandled(driver: str, state: str, envelope: Envelope, ctx: DriverContext) -> None:
    """Report a message the driver has no handler for in its current state."""
    kind = getattr(envelope.message, "KIND", type(envelope.message).__name__)
    ctx.fail(
        "driver-unhandled-message",
        f"{driver}: no handler for {kind} from {envelope.src} in state {state}",
    )


def command_args(
    driver: str, command: Command, allowed: Iterable[str], required: Iterable[str] = ()
) -> dict[str, Any]:
    """The arguments of a scenario ``Command`` as a dict, checked against what it accepts.

    Unknown or missing arguments are bad scenario input (``BadInput`` naming the driver, the
    command and the argument), not something to guess about.
    """
    allowed = tuple(allowed)
    args = dict(command.args)
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise BadInput(
            f"{driver}: command {command.name!r} has no argument {unknown[0]!r} "
            f"(accepted: {', '.join(allowed) or 'none'})"
        )
    missing = [name for name in required if name not in args]
    if missing:
        raise BadInput(f"{driver}: command {command.name!r} needs argument {missing[0]!r}")
    return args


@attrs.define(eq=False)
class RecordingContext:
    """A ``Context`` stand-in for unit tests: records what a handler posts, notes and fails.

    ``deliver(driver, message, src=...)`` calls ``driver.handle`` with a fresh envelope;
    ``posts`` holds ``(dst, message, delay)`` in order, ``notes`` ``(kind, fields)``,
    ``failures`` ``(rule, reason)``.  ``now`` is set by the test.
    """

    actor: str = "test"
    now: int = 0
    posts: list[tuple[str, Any, int]] = attrs.field(factory=list)
    notes: list[tuple[str, Mapping[str, Any]]] = attrs.field(factory=list)
    failures: list[tuple[str, str]] = attrs.field(factory=list)
    #: Answers for ``decide`` by site (0 elsewhere), and every question asked.
    decisions: dict[str, int] = attrs.field(factory=dict)
    asked: list[tuple[str, int]] = attrs.field(factory=list)
    _seq: int = 0

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None:
        self.posts.append((dst, message, delay))

    def note(self, kind: str, **fields: Any) -> None:
        self.notes.append((kind, fields))

    def fail(self, rule: str, reason: str) -> None:
        self.failures.append((rule, reason))

    def decide(self, site: str, count: int) -> int:
        """A fault-site decision: ``decisions[site]`` if the test set one, else 0 (no fault)."""
        self.asked.append((site, count))
        return self.decisions.get(site, 0)

    def deliver(self, driver: Any, message: Any, *, src: str = "ndis") -> None:
        """Hand ``message`` from ``src`` to ``driver`` as the bus would."""
        self.actor = driver.name
        envelope = Envelope(seq=self._seq, src=src, dst=driver.name, message=message, due=self.now)
        self._seq += 1
        driver.handle(envelope, self)

    def take(self) -> list[tuple[str, Any, int]]:
        """The posts recorded so far, clearing them."""
        posts, self.posts = self.posts, []
        return posts

    @overload
    def messages(self, kind: type[_T], dst: str | None = None) -> list[_T]: ...
    @overload
    def messages(self, kind: None = None, dst: str | None = None) -> list[Any]: ...
    def messages(self, kind: type[Any] | None = None, dst: str | None = None) -> list[Any]:
        """Posted messages (optionally of one class, to one destination), in order."""
        return [
            m
            for d, m, _ in self.posts
            if (kind is None or isinstance(m, kind)) and (dst is None or d == dst)
        ]

    def note_kinds(self) -> list[str]:
        return [kind for kind, _ in self.notes]


# -- protocol bindings ---------------------------------------------------------------------------


@attrs.define(eq=False)
class Binding:
    """One protocol's open on one adapter: its state and what it is waiting for."""

    adapter: str
    state: ProtocolBindingState = ProtocolBindingState.Unbound
    #: OID requests this protocol issued on the binding that have not completed, by RequestId.
    pending_oids: dict[int, NDIS_OID_REQUEST] = attrs.field(factory=dict)
    #: NBL ids sent and not yet completed.
    sends_in_flight: set[str] = attrs.field(factory=set)
    unbind_waiting: bool = False
    pause_waiting: bool = False


@attrs.define(eq=False)
class BindingTable:
    """The protocol edge every protocol driver shares: per-adapter binding state machines
    (``stack.ndis.transition`` over N/protocol-binding-states-and-operations.md), the PnP replies,
    and the waits NDIS requires before a pause or an unbind may complete.

    * Bind completes into Paused (ProtocolBindAdapterEx, then NdisOpenAdapterEx and
      NdisCompleteBindAdapterEx).
    * A pause completes only after the binding's own sends have completed
      (N/pausing-a-driver-stack.md).
    * An unbind completes only after the binding's own OID requests have completed
      (behaviours-and-bugs.md 20; ndisprot ``ndisprotShutdownBinding`` waits for pended I/O before
      NdisCloseAdapterEx).

    Each protocol owns its table; nothing here is shared between drivers.
    """

    driver: str
    ndis: str = "ndis"
    bindings: dict[str, Binding] = attrs.field(factory=dict)

    def get(self, adapter: str) -> Binding | None:
        return self.bindings.get(adapter)

    def _event(self, binding: Binding, event: ProtocolBindingEvent, ctx: DriverContext) -> bool:
        try:
            binding.state = transition(binding.state, event)
        except IllegalTransition as exc:
            ctx.fail("protocol-illegal-pnp", f"{self.driver} on {binding.adapter}: {exc}")
            return False
        return True

    def pnp(self, message: Pnp, ctx: DriverContext) -> Binding | None:
        """Run the standard part of a binding PnP operation; returns the binding when the
        operation moved it (the caller then adds its own work), None otherwise."""
        op = message.operation
        binding = self.bindings.get(message.adapter)
        if op is PnpOp.ProtocolBindAdapterEx:
            if binding is None or binding.state is ProtocolBindingState.Unbound:
                binding = Binding(message.adapter)
                self.bindings[message.adapter] = binding
            if not self._event(binding, ProtocolBindingEvent.ProtocolBindAdapterEx, ctx):
                return None
            self._event(binding, ProtocolBindingEvent.BindComplete, ctx)
            ctx.post(self.ndis, Pnp(PnpOp.BindComplete, message.adapter))
            return binding
        if binding is None:
            ctx.fail(
                "protocol-pnp-unbound",
                f"{self.driver}: {op.value} for {message.adapter!r}, which it is not bound to",
            )
            return None
        if op is PnpOp.NetEventRestart:
            if self._event(binding, ProtocolBindingEvent.NetEventRestart, ctx):
                self._event(binding, ProtocolBindingEvent.RestartComplete, ctx)
                ctx.post(self.ndis, Pnp(PnpOp.NetEventRestartComplete, message.adapter))
                return binding
            return None
        if op is PnpOp.NetEventPause:
            if not self._event(binding, ProtocolBindingEvent.NetEventPause, ctx):
                return None
            binding.pause_waiting = True
            self.settle(binding, ctx)
            return binding
        if op is PnpOp.ProtocolUnbindAdapterEx:
            if not self._event(binding, ProtocolBindingEvent.ProtocolUnbindAdapterEx, ctx):
                return None
            binding.unbind_waiting = True
            self.settle(binding, ctx)
            return binding
        ctx.fail("protocol-unexpected-pnp", f"{self.driver}: unexpected {op.value}")
        return None

    def settle(self, binding: Binding, ctx: DriverContext) -> None:
        """Finish a waiting pause or unbind once nothing it waits for is left."""
        if binding.pause_waiting and not binding.sends_in_flight:
            binding.pause_waiting = False
            self._event(binding, ProtocolBindingEvent.PauseComplete, ctx)
            ctx.post(self.ndis, Pnp(PnpOp.NetEventPauseComplete, binding.adapter))
        if binding.unbind_waiting and not binding.pending_oids:
            binding.unbind_waiting = False
            self._event(binding, ProtocolBindingEvent.UnbindComplete, ctx)
            ctx.post(self.ndis, Pnp(PnpOp.UnbindComplete, binding.adapter))

    def issue(self, binding: Binding, request: NDIS_OID_REQUEST, ctx: DriverContext) -> None:
        """NdisOidRequest on the binding; the completion comes back as OidComplete."""
        binding.pending_oids[request.RequestId] = request
        ctx.post(self.ndis, OidRequest(binding.adapter, request))

    def completed(self, message: OidComplete, ctx: DriverContext) -> NDIS_OID_REQUEST | None:
        """Match a completion to the request this protocol issued; None (and a failure) if it
        never issued it or it already completed (DV NdisOidDoubleComplete)."""
        binding = self.bindings.get(message.adapter)
        request_id = message.request.RequestId
        issued = binding.pending_oids.pop(request_id, None) if binding is not None else None
        if binding is None or issued is None:
            ctx.fail(
                "protocol-oid-complete-unknown",
                f"{self.driver}: ProtocolOidRequestComplete for request {request_id} on "
                f"{message.adapter!r} that is not outstanding "
                "(D/ndis/nf-ndis-ndismoidrequestcomplete.md)",
            )
            return None
        return issued

    def sent(self, binding: Binding, nbl_id: str) -> None:
        binding.sends_in_flight.add(nbl_id)

    def send_completed(self, message: SendComplete, ctx: DriverContext) -> Binding | None:
        binding = self.bindings.get(message.adapter)
        if binding is None or message.nbl.Id not in binding.sends_in_flight:
            ctx.fail(
                "protocol-send-complete-unknown",
                f"{self.driver}: send completion for {message.nbl.Id} on {message.adapter!r} "
                "that it has not sent",
            )
            return None
        binding.sends_in_flight.discard(message.nbl.Id)
        return binding
