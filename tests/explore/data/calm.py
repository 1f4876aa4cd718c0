"""Toy: two actors ping-pong; nothing can go wrong in any order."""

from typing import Any, ClassVar

import attrs


@attrs.frozen
class Msg:
    KIND: ClassVar[str] = "toy.msg"
    n: int

    def trace_fields(self) -> dict[str, Any]:
        return {"n": self.n}


@attrs.define(eq=False)
class Echo:
    name: str
    peer: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        if envelope.message.n > 0:
            ctx.post(self.peer, Msg(envelope.message.n - 1))


async def scenario(stack: Any) -> None:
    for name, peer in (("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")):
        stack._add(Echo(name, peer))
    stack.post("a", Msg(5))
    stack.post("c", Msg(5))
    await stack.settle()
