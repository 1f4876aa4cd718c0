"""Toy: a requester times out after 5 ticks unless a two-hop reply comes back first."""

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
class Requester:
    name: str
    answered: bool = False

    def handle(self, envelope: Any, ctx: Any) -> None:
        what = envelope.message.name
        if what == "start":
            ctx.post("server", Msg("request"))
            ctx.post(self.name, Msg("timeout"), delay=5)
        elif what == "reply":
            self.answered = True
        elif what == "timeout" and not self.answered:
            ctx.fail("toy-timeout", "no reply within 5 ticks")


@attrs.define(eq=False)
class Hop:
    name: str
    peer: str
    out: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        ctx.post(self.peer, Msg(self.out))


@attrs.define(eq=False)
class Chatter:
    name: str
    peer: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        if envelope.message.n > 0:
            ctx.post(self.peer, Msg("chatter", envelope.message.n - 1))


async def scenario(stack: Any) -> None:
    stack._add(Requester("client"))
    stack._add(Hop("server", "backend", "work"))
    stack._add(Hop("backend", "client", "reply"))
    stack._add(Chatter("other", "other2"))
    stack._add(Chatter("other2", "other"))
    stack.post("other", Msg("chatter", 12))
    stack.post("client", Msg("start"))
    await stack.settle()
