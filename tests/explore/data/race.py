"""Toy: C must hear A's x before B's y; noise actors ping-pong meanwhile (a planted race)."""

from typing import Any, ClassVar

import attrs


@attrs.frozen
class Msg:
    KIND: ClassVar[str] = "toy.msg"
    name: str
    n: int = 0

    def trace_fields(self) -> dict[str, Any]:
        return {"name": self.name, "n": self.n}


@attrs.define(eq=False)
class Relay:
    """On 'go', sends ``out`` to ``peer``."""

    name: str
    peer: str
    out: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        ctx.post(self.peer, Msg(self.out))


@attrs.define(eq=False)
class Sink:
    name: str
    seen: list[str] = attrs.field(factory=list)

    def handle(self, envelope: Any, ctx: Any) -> None:
        self.seen.append(envelope.message.name)
        if envelope.message.name == "y" and "x" not in self.seen:
            ctx.fail("toy-order", "c received y before x")


@attrs.define(eq=False)
class Noise:
    name: str
    peer: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        n = envelope.message.n
        if n > 0:
            ctx.post(self.peer, Msg("ping", n - 1))


async def scenario(stack: Any) -> None:
    for actor in (
        Relay("a", "c", "x"),
        Relay("b", "c", "y"),
        Sink("c"),
        Noise("n1", "n2"),
        Noise("n2", "n1"),
        Noise("n3", "n4"),
        Noise("n4", "n3"),
    ):
        stack._add(actor)
    stack.post("n1", Msg("ping", 6))
    stack.post("n3", Msg("ping", 6))
    stack.post("a", Msg("go"))
    stack.post("b", Msg("go"))
    await stack.settle()
