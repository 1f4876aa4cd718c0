"""A MUX that lets NDIS unbind it from a member while requests it passed down are outstanding.

Bug class 3 of behaviours-and-bugs.md, *OID completed after its adapter was unbound*: the IM
unbind sequence must stop new OIDs and wait for the outstanding ones before closing
(behaviour 19; the WDK MUX sample's ``PtUnbindAdapter`` waits for ``OutstandingRequests`` before
``NdisCloseAdapterEx``, N/intermediate-driver-unbinding-operations.md).  Forgetting the wait is
the classic variant: the forwarded request completes after NdisCloseAdapterEx, against a binding
that no longer exists.

The one change: ProtocolUnbindAdapterEx completes at once, even with clones outstanding on that
binding.  The interleaving that exposes it: a member is surprise-removed while a set the MUX
fanned out to it is still pending there (a long pend, a clogged completion); NDIS then completes
the clone to a closed binding (``no-oid-completion-after-close``).  Under FIFO the set has
completed before the removal.
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext
from stack.drivers.mux import Mux

__all__ = ["EarlyCloseMux"]


@attrs.define(eq=False)
class EarlyCloseMux(Mux):
    def ProtocolUnbindAdapterEx(self, ctx: DriverContext, adapter: str) -> None:
        super().ProtocolUnbindAdapterEx(ctx, adapter)
        # The bug: close now; the requests still out will complete to nothing.
        self.NdisCompleteUnbindAdapterEx(ctx, adapter)
