"""A MUX that handles its members' configuration indications in a work item, and forwards sends
from its stale view of the member meanwhile.

Issue 14's third MUX bug, a stale view on the send path: ProtocolStatusEx queues a member's
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG to a work item (real intermediate drivers defer status
processing so as not to take their locks at DISPATCH_LEVEL) and returns; until the work item
runs, the MUX still fits sends for that member by the configuration it had, so a send asking for
an offload the member has just turned off -- and told the MUX so -- is handed to the member as
it is.  The member fails it (``post-disable-drops`` passes), and ``no-stale-offload-send``,
which judges senders by LSO only, passes a UDP segmentation (USO) send.

The one change: member CURRENT_CONFIG indications are handled from a work item posted to itself
(``set_timer`` with no delay) instead of at once.  The interleaving that exposes it: the
administrator turns USO off on nic0 itself while TCP/IP sends large UDP bursts on team0, and
TCP/IP's sends reach the MUX after nic0's indication but before the work item
(``no-send-beyond-miniport-config``).  Under FIFO the sends are through first.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux
from stack.ndis import NDIS_STATUS_INDICATION, NdisStatus
from stack.runtime import Command

__all__ = ["DeferredStatusMux"]


@attrs.define(eq=False)
class DeferredStatusMux(Mux):
    #: member indications waiting for the work item, in order
    _queued: list[tuple[str, NDIS_STATUS_INDICATION]] = attrs.field(init=False, factory=list)

    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        if indication.StatusCode != NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG:
            super().ProtocolStatusEx(ctx, adapter, indication)
            return
        # The bug: the MUX's view of the member waits for the work item.
        self._queued.append((adapter, indication))
        self.set_timer(ctx, 0, "status-work")

    def on_timer(self, ctx: DriverContext, timer: Command) -> None:
        if timer.name != "status-work":
            super().on_timer(ctx, timer)
            return
        if self._queued:
            adapter, indication = self._queued.pop(0)
            super().ProtocolStatusEx(ctx, adapter, indication)
