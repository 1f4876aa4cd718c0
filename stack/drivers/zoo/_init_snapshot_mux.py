"""A MUX that computes a virtual miniport's initialization attributes from a snapshot of its
members taken when MiniportInitializeEx starts.

Bug class 2 of behaviours-and-bugs.md, *indication lost in the virtual-miniport init window*:
the WDK MUX sample's ``MPInitialize`` reads the lower adapter's state early, and its
``PtStatus`` skips a VELAN whose ``MiniportInitPending`` is set, so a change between the two is
reported neither way; the VELAN advertises the old state until the next change
(microsoft/Windows-driver-samples network/ndis/mux/driver/60, ``miniport.c`` / ``protocol.c``).
The correct MUX computes the attributes when the initialization completes (its rule 1).

The one change: the attributes are the members' capabilities as they were at
MiniportInitializeEx.  The interleaving that exposes it: while team0 (re)initializes, the
administrator swaps the active member to one without LSO, and the swap lands before the
initialization completes; the MUX suppresses the indication (rightly) but then reports the old
member's capabilities, and nothing corrects them until the next change
(``mux-advertised-within-members`` at quiescence).  When the initialization completes first
(FIFO in the scenario), the swap is indicated normally.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux, TeamCapabilities

__all__ = ["InitSnapshotMux"]


@attrs.define(eq=False)
class InitSnapshotMux(Mux):
    _snapshots: dict[str, TeamCapabilities] = attrs.field(init=False, factory=dict)

    def MiniportInitializeEx(
        self, ctx: DriverContext, adapter: str, keywords: Mapping[str, str]
    ) -> None:
        self._snapshots[adapter] = self.capabilities(adapter)  # the bug: read too early
        super().MiniportInitializeEx(ctx, adapter, keywords)

    def initialization_capabilities(self, adapter: str) -> TeamCapabilities:
        snapshot = self._snapshots.pop(adapter, None)
        if snapshot is not None:
            return snapshot
        return super().initialization_capabilities(adapter)
