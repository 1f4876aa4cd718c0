"""A filter that republishes the configuration of its attach parameters when it restarts.

Filter bug *attach-time snapshot racing an in-flight set* (issue 9; xdp-for-windows#56, "Handle
offload initialization race": the XDP LWF takes the offload state when it attaches, and "the OID
might already be in flight before this LWF has a chance to inspect it and might still be in
flight after we query NDIS").  A filter inserted into a running stack gets
NDIS_FILTER_ATTACH_PARAMETERS whose DefaultOffloadConfiguration is the view below it at that moment
(D/ndis/ns-ndis-_ndis_filter_attach_parameters.md); a set already at the miniport may change it
right after, and the NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG it owes is the only news of that
(N/ndis-status-task-offload-current-config.md).

The one change: FilterRestart republishes the configuration the attach parameters carried (the
module's snapshot), where the correct ``PassthroughFilter`` republishes what it reports now
(``FilterEdge.reported_current``).  While nothing changes between FilterAttach and FilterRestart
the two are the same and nothing is indicated.  When the in-flight set's CURRENT_CONFIG reaches
the module in that window (it is Paused: FilterStatus is called, N/filter-module-states-and-
operations.md), the filter passes it up and then, restarting, overwrites it with the snapshot: the
layers above see the configuration from before the set (``filter-view-converges``).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, PassthroughFilter
from stack.ndis import NDIS_OFFLOAD, NDIS_STATUS_INDICATION, NdisStatus
from stack.runtime import NDIS_FILTER_ATTACH_PARAMETERS

__all__ = ["AttachSnapshotFilter"]


@attrs.define(eq=False)
class AttachSnapshotFilter(PassthroughFilter):
    #: Per adapter: what the module reported in its attach parameters.
    snapshots: dict[str, NDIS_OFFLOAD] = attrs.field(init=False, factory=dict)

    def FilterAttach(
        self, ctx: DriverContext, adapter: str, params: NDIS_FILTER_ATTACH_PARAMETERS
    ) -> NDIS_FILTER_ATTACH_PARAMETERS | int:
        result = super().FilterAttach(ctx, adapter, params)
        offered = result.DefaultOffloadConfiguration if not isinstance(result, int) else None
        if offered is not None:
            self.snapshots[adapter] = offered
        return result

    def FilterRestart(self, ctx: DriverContext, adapter: str) -> None:
        # The bug: the attach-time snapshot is taken for the module's configuration.
        edge = self.edge(adapter)
        snapshot = self.snapshots.get(adapter)
        if snapshot is not None and snapshot != edge.reported_current:
            ctx.note("filter.restart.snapshot", adapter=adapter)
            indication = NDIS_STATUS_INDICATION.indicate(
                self.name, NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, snapshot
            )
            self.NdisFIndicateStatus(ctx, adapter, indication)
        self.NdisFRestartComplete(ctx, adapter)
