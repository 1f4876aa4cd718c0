"""Toy: a server that may fail requests at fault site toy.oid.fail; a failed 3rd request breaks
the client's rule (a planted fault-dependent bug)."""

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
class Client:
    name: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        m = envelope.message
        if m.name == "start":
            for i in range(6):
                ctx.post("server", Msg("request", i))
        elif m.name == "failed" and m.n == 3:
            ctx.fail("toy-fault", "request 3 failed and the client cannot cope")


@attrs.define(eq=False)
class Server:
    name: str

    def handle(self, envelope: Any, ctx: Any) -> None:
        status = ctx.decide("toy.oid.fail", 3)
        ctx.post("client", Msg("failed" if status else "ok", envelope.message.n))


async def scenario(stack: Any) -> None:
    stack._add(Client("client"))
    stack._add(Server("server"))
    stack.post("client", Msg("start"))
    await stack.settle()
