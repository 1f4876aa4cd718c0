"""NDIS writes the standardized keywords when it *queues* an OID_TCP_OFFLOAD_PARAMETERS set.

Bug class: the registry-before-miniport rule (spec 7.2 item 8; N/oid-tcp-offload-parameters.md:
NDIS updates the keywords "before it passes the OID to the miniport driver").  The source is
this emulator's own history: an earlier NDIS library wrote the keywords as it queued the set,
which the ``registry-before-miniport`` monitor caught (README, Design).

The one change: the keywords of a parameters set are written when NDIS accepts it into the
adapter's queue, not when it hands it to the miniport.  Alone in the queue, the two moments
coincide.  The interleaving that exposes it: set A waits in the queue behind an earlier
request, set B arrives and is queued too (its keywords overwrite A's), then A is handed to the
miniport while the registry holds B's values.  Under FIFO the earlier request finishes before B
arrives; a long pend (``miniport.oid.pend_long``) or a clogged completion makes them overlap.
"""

from __future__ import annotations

import attrs

from stack.ndis import NDIS_OFFLOAD_PARAMETERS, NdisRequestType, Oid
from stack.runtime import AdapterRecord, Context, NdisLibrary, PendingOid

__all__ = ["KeywordsAtQueueNdis"]


@attrs.define(eq=False)
class KeywordsAtQueueNdis(NdisLibrary):
    def route_oid_request(self, pending: PendingOid, record: AdapterRecord, ctx: Context) -> None:
        request = pending.request
        if (
            request.Oid == Oid.OID_TCP_OFFLOAD_PARAMETERS
            and request.RequestType == NdisRequestType.NdisRequestSetInformation
            and isinstance(request.InformationBuffer, NDIS_OFFLOAD_PARAMETERS)
        ):
            super().write_offload_keywords(pending, record, ctx)  # the bug: at queue time
        super().route_oid_request(pending, record, ctx)

    def write_offload_keywords(
        self, pending: PendingOid, record: AdapterRecord, ctx: Context
    ) -> None:
        if pending.previous_keywords is not None:
            return  # written when it was queued
        super().write_offload_keywords(pending, record, ctx)
