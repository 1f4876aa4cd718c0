"""Toy: a planted race (C must hear A's x before B's y) in a scenario that prints as it goes.

It prints plain words, a line that looks like a replay's --json answer, and a line from an
actor on every delivery, as print() debugging does: none of it may reach the self-check.
"""

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
        print(f"c got {envelope.message.name}")
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
    print("chatty: starting")
    print('{"trace_sha256": "0000", "failure": null}')
    for actor in (
        Relay("a", "c", "x"),
        Relay("b", "c", "y"),
        Sink("c"),
        Noise("n1", "n2"),
        Noise("n2", "n1"),
    ):
        stack._add(actor)
    stack.post("n1", Msg("ping", 6))
    stack.post("a", Msg("go"))
    stack.post("b", Msg("go"))
    await stack.settle()
    print("chatty: done")
