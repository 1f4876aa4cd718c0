"""A filter that issues an OID request from FilterDetach.

Filter bug *OID sent from detach* (issue 9; microsoft/xdp-for-windows#212, "XDP LWF isn't using
NetEventFilterPreDetach": "by the time the detach handler is invoked, the LWF cannot send OIDs
down the stack"; fixed by microsoft/xdp-for-windows#222, cleaning the offloads up before NDIS
tears the control path down).  From FilterDetach on a filter module makes no OID request
(N/detaching-a-filter-module.md; N/generating-oid-requests-from-an-ndis-filter-driver.md: a filter
originates requests from the Paused, Restarting, Running and Pausing states); NDIS refuses one
(``NdisOptions.filter_oid_refused_status``) and the cleanup it carried never happens.

The one change: FilterDetach restores the offload settings with an OID_TCP_OFFLOAD_PARAMETERS set
of its own (NdisFOidRequest), where the correct ``PassthroughFilter`` frees the module and asks
nothing.  Under the default schedule the module is never detached; when NDIS detaches it (to
re-attach it, or as a pulled NIC's stack comes down), the request is made from FilterDetach
(``filter-call-window``).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, PassthroughFilter
from stack.ndis import NDIS_OFFLOAD_PARAMETERS, NDIS_OID_REQUEST, OID_TCP_OFFLOAD_PARAMETERS

__all__ = ["DetachOidFilter"]


@attrs.define(eq=False)
class DetachOidFilter(PassthroughFilter):
    def FilterDetach(self, ctx: DriverContext, adapter: str) -> None:
        # The bug: cleanup OIDs sent from the detach handler (not from NetEventFilterPreDetach).
        cleanup = NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, NDIS_OFFLOAD_PARAMETERS())
        self.NdisFOidRequest(ctx, adapter, self.own_request(cleanup))
