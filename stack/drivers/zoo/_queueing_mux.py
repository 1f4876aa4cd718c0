"""A MUX that holds sends while one of its configuration sets is in flight and releases them
as they were built.

Bug class 6 of behaviours-and-bugs.md, *offload turned off with packets already built*: NBLs
built against the old configuration wait in a filter's or a MUX's queue and reach the miniport
after the change (the msquic / XDP-for-Windows discussion of queued NBLs racing an offload
change; xdp-for-windows ``XdpOffloadFilterStatus`` snapshots, behaviour 27).  Quiescing the data
path during a reconfiguration is reasonable; handing the queued NBLs on without fitting them to
the new configuration is the bug (N/offloading-the-segmentation-of-large-tcp-packets.md: after
LSO is disabled, no more LSO sends).

The one change: while a parameters or encapsulation set the MUX fanned out is in flight, the
sends it fits for a member are held, and posted unchanged when the set completes.  The
interleaving that exposes it: the administrator disables LSO on team0 while TCP/IP sends large
packets, and the set reaches the MUX before the sends do; the held LSO sends reach nic0 after
the MUX has been told nic0's LSO is off (``no-stale-offload-send``, the MUX being the protocol
on nic0).  Under FIFO the sends are through before the set arrives.
"""

from __future__ import annotations

from typing import Any

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux
from stack.ndis import NDIS_OID_REQUEST
from stack.runtime import NET_BUFFER_LIST, Message, Send

__all__ = ["QueueingMux"]


@attrs.define(eq=False)
class QueueingMux(Mux):
    #: team -> the member sends held back, in order
    _held: dict[str, list[Send]] = attrs.field(init=False, factory=dict)

    def MiniportSendNetBufferLists(
        self, ctx: DriverContext, adapter: str, nbl: NET_BUFFER_LIST
    ) -> None:
        if not self.forwarded_set_pending(adapter):
            super().MiniportSendNetBufferLists(ctx, adapter, nbl)
            return
        held = self._held.setdefault(adapter, [])
        super().MiniportSendNetBufferLists(_HoldSends(ctx, held), adapter, nbl)

    def forward_completed(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        super().forward_completed(ctx, adapter, request, status)
        for send in self._held.pop(adapter, []):
            ctx.post(self.ndis, send)  # the bug: as fitted before the set


@attrs.define(eq=False)
class _HoldSends:
    """The context a held send is fitted through: member sends go to ``held``."""

    inner: DriverContext
    held: list[Send]

    def post(self, dst: str, message: Message, *, delay: int = 0) -> None:
        if isinstance(message, Send):
            self.held.append(message)
            return
        self.inner.post(dst, message, delay=delay)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
