"""A MUX that passes a cancellation down with the wrong RequestId.

Bug class 5 of behaviours-and-bugs.md, *cancel that never reaches the bottom*: a wrapper that
forwards NdisCancelOidRequest with another id than the one the clone carries (the WDK MUX
sample's cancel path, MUX b1#2), so the underlying miniport never sees a matching
MiniportCancelOidRequest and runs the request to its end; against
D/ndis/nc-ndis-miniport_cancel_oid_request.md (an intermediate driver cancels the request it sent
down) and behaviour 21 (cancellation is by RequestId, and clones carry the original one).

The one change: the MUX cancels each pending clone with the id its own next request would get,
not the clone's RequestId.  The interleaving that exposes it: the originator cancels while the
clone is still pending at the member (a long pend, a clogged completion); NDIS finds no request
with that id and the clone runs on (``im-cancel-forwarded``).  Under FIFO the request completed
before the cancel arrived, and a late cancel is legal and ignored.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux

__all__ = ["WrongCancelIdMux"]


@attrs.define(eq=False)
class WrongCancelIdMux(Mux):
    def NdisCancelOidRequest(self, ctx: DriverContext, adapter: str, request_id: int) -> None:
        # The bug: the id its own next request would get, not the clone's RequestId.
        super().NdisCancelOidRequest(ctx, adapter, self.next_own_request_id)
