"""A MUX that takes a member's successful completion of OID_TCP_OFFLOAD_PARAMETERS for the
member's indication.

Issue 14's first MUX bug, a stale indication: the MUX waits for each member's completion of
the clone it fanned out and counts the set as done there, as if the member had indicated its
new configuration with it.  A miniport may complete before it indicates (spec A1:
N/oid-tcp-offload-parameters.md asks for NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG but does not
order it with the completion; a work item may make it later), so the MUX then indicates the
configuration it still holds for the member -- the old one -- upward, and completes the set:
NDIS caches a current configuration that does not reflect a set it reported successful.  The
member's indication arriving afterwards is published too, so the team ends up right, and no
shape monitor sees anything (``indication-after-change`` watches physical miniports only).

The one change: on a successful completion of a parameters clone, before the correct MUX
handles it, the member's configuration as the MUX knows it is handled as the member's
CURRENT_CONFIG, and any such indication answers the set (``indication_answers_set``).
The interleaving that exposes it: nic0 defers its indication past the
completion (``miniport.indicate.delay``); ``parameters-set-reflected`` catches the team's
stale indication.  Under FIFO nic0 indicates before it completes and the MUX has the new
configuration when the completion arrives.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux
from stack.ndis import NDIS_OID_REQUEST, NDIS_STATUS_INDICATION, NdisStatus, Oid

__all__ = ["CompletionAsIndicationMux"]

#: Where the RequestIds of the MUX's own requests start (``Mux.next_own_request_id`` at
#: creation); a clone carries its originator's small id.
_OWN_REQUEST_IDS = 0x4D550000


@attrs.define(eq=False)
class CompletionAsIndicationMux(Mux):
    def ProtocolOidRequestComplete(
        self, ctx: DriverContext, adapter: str, request: NDIS_OID_REQUEST, status: int
    ) -> None:
        if (
            request.RequestId < _OWN_REQUEST_IDS  # a clone, not a request of the MUX's own
            and status == NdisStatus.NDIS_STATUS_SUCCESS
            and request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS
            and not request.is_query
        ):
            # The bug: the completion stands for the indication, with what the MUX knows.
            current = self.member(adapter).current
            ctx.note("mux.completion.as.indication", member=adapter, request_id=request.RequestId)
            indication = NDIS_STATUS_INDICATION.indicate(
                adapter, NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, current
            )
            super().ProtocolStatusEx(ctx, adapter, indication)
        super().ProtocolOidRequestComplete(ctx, adapter, request, status)

    def indication_answers_set(self, adapter: str, request: NDIS_OID_REQUEST) -> bool:
        return True  # the bug: whatever the member (or its completion) said
