"""A filter that completes FilterPause while its sends are still in flight.

Filter bug *pause completed with NBLs held* (issue 9; nmap/npcap#390, "BSOD in Npcap 0.99 when
suspending": NPF_Pause set the paused state and returned success while NBLs were still pending,
where it "should ... wait until all NBLs are processed"; microsoft/win-net-test#77: "NDIS requires
LWFs return any NBLs they held on to before completing a pause request").  "The pause operation is
not complete until NDIS calls FilterSendNetBufferListsComplete for all such outstanding send
requests" (N/pausing-a-filter-module.md; D/ndis/nc-ndis-filter_pause.md).

The one change: FilterPause completes at once (NdisFPauseComplete), where the correct
``PassthroughFilter`` waits until nothing of its own is outstanding.  Under the default schedule
nothing pauses the stack while sends are in the NIC; when NDIS pauses it then, the module reports
itself paused holding NBLs (``filter-pause-idle``).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, PassthroughFilter

__all__ = ["EarlyPauseFilter"]


@attrs.define(eq=False)
class EarlyPauseFilter(PassthroughFilter):
    def FilterPause(self, ctx: DriverContext, adapter: str) -> None:
        # The bug: paused at once, the NBLs sent down still in the miniport's hands.
        self.NdisFPauseComplete(ctx, adapter)
