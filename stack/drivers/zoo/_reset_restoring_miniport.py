"""A miniport that keeps its offload configuration across a halt and restores it at the next
MiniportInitializeEx instead of reading its keywords again.

Bug class: the offload change sequence (behaviour 6 of behaviours-and-bugs.md: NDIS first updates
the standardized keywords, which the miniport reads when it is restarted; issue 14).  A
miniport reads the standardized keywords in MiniportInitializeEx and enables what they allow
(N/using-registry-values-to-enable-and-disable-task-offloading.md); what NDIS wrote for a set it
handed on is what the driver must find there after a restart.  A driver that keeps its run-time
settings in driver-global state (to "survive" a reset) and restores them at re-initialization
drops every keyword change its running configuration does not already carry.

The one change: MiniportHaltEx saves the current configuration; the next MiniportInitializeEx
registers that one (within the hardware) instead of the keywords'.  The interleaving that exposes
it: NDIS writes the keywords as it hands a run-time set on (N/oid-tcp-offload-parameters.md) and
the miniport fails the set (fault ``miniport.oid.fail``: a legal status), so the keywords and the
running configuration differ; the adapter is then restarted, and the buggy miniport comes back
with the offload on that its keywords turn off (``keywords-at-initialization``).  Under FIFO the
set succeeds, the two agree, and the restored configuration is the keywords' one.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, Miniport
from stack.ndis import NDIS_OFFLOAD
from stack.runtime import NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES

__all__ = ["ResetRestoringMiniport"]


@attrs.define(eq=False)
class ResetRestoringMiniport(Miniport):
    #: The configuration MiniportHaltEx saved ("driver-global": it outlives the adapter context).
    _saved: NDIS_OFFLOAD | None = attrs.field(init=False, default=None)

    def MiniportHaltEx(self, ctx: DriverContext, adapter: str) -> None:
        self._saved = self.current
        super().MiniportHaltEx(ctx, adapter)

    def NdisMSetMiniportAttributes(
        self,
        ctx: DriverContext,
        adapter: str,
        attributes: NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
    ) -> None:
        if self._saved is not None:  # the bug: the saved settings win over the keywords
            self.current = self._saved
            attributes = attrs.evolve(attributes, DefaultOffloadConfiguration=self._saved)
        super().NdisMSetMiniportAttributes(ctx, adapter, attributes)
