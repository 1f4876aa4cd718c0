"""Toy with a planted determinism bug: the posting order follows a set's iteration order,
which depends on PYTHONHASHSEED, so a fresh process replays it differently."""

from typing import Any, ClassVar

import attrs


@attrs.frozen
class Msg:
    KIND: ClassVar[str] = "toy.msg"
    name: str

    def trace_fields(self) -> dict[str, Any]:
        return {"name": self.name}


@attrs.define(eq=False)
class Sink:
    name: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        if envelope.message.name == "last":
            ctx.fail("toy-always", "this run always fails")


async def scenario(stack: Any) -> None:
    stack._add(Sink("sink"))
    for word in {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}:
        stack.post("sink", Msg(word))
    stack.post("sink", Msg("last"))
    await stack.settle()
