"""What every driver shares: the context type its handlers see, command-argument reading, and a
recording context for unit tests (the edges are in ``_edges``, the bases in ``_api``).

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
from stack.ndis import HardwarePolicy
from stack.runtime import Command, Envelope, Message

_T = TypeVar("_T")

__all__ = [
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
