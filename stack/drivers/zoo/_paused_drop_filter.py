"""A filter that drops status indications while its module is paused.

Filter bug *indication dropped while paused* (issue 9; the pause/restart contract of
nmap/npcap#390, and the hang of virtio-win/kvm-guest-drivers-windows#86, where a filter above
netkvm hung once the configuration it saw no longer matched what the miniport ran).  Pausing stops
the data path only: "in the Paused state, the filter driver does not perform send or receive
operations" (N/filter-module-states-and-operations.md), while NDIS still calls FilterStatus in the
Pausing and Paused states and the filter passes the indication on
(N/filter-module-status-indications.md; N/pausing-a-filter-module.md lists only sends and receives
among what a pausing filter stops).  A miniport may indicate while its stack is paused, e.g. the
CURRENT_CONFIG of a set that NDIS kept flowing through the pause (N/pausing-a-driver-stack.md,
spec 7 item 16).

The one change: FilterStatus applies the receive path's rule and drops an indication that arrives
while the module is not Running (as ``FilterReceiveNetBufferLists`` returns a receive).  Under the
default schedule the stack's pause and restart are over before the miniport indicates; when the
indication lands while the module is paused it is lost, and the module (and every layer above)
keeps the configuration from before the change (``filter-view-converges``).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, PassthroughFilter
from stack.ndis import NDIS_STATUS_INDICATION, FilterModuleState

__all__ = ["PausedDropFilter"]


@attrs.define(eq=False)
class PausedDropFilter(PassthroughFilter):
    def FilterStatus(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        # The bug: status treated like the data path, dropped unless the module runs.
        state = self.edge(adapter).state
        if state is not FilterModuleState.Running:
            ctx.note("filter.status.dropped", adapter=adapter, status=indication.StatusCode,
                     state=state.value)  # fmt: skip
            return
        super().FilterStatus(ctx, adapter, indication)
