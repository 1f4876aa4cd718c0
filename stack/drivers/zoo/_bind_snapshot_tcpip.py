"""A TCP/IP that builds its sends from the bind parameters and ignores offload indications.

Bug class 1 of behaviours-and-bugs.md, *stale capability cache after a MUX lower swap*: the
protocol caches the offload configuration NDIS_BIND_PARAMETERS carried and ignores
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, as ndisprot's ``NdisprotStatus`` does (it notes only
reset and link state; microsoft/Windows-driver-samples network/ndis/ndisprot/6x/sys), against
N/determining-task-offload-capabilities.md, which says a protocol must track the indications.

The one change: offload status indications are counted and dropped; the view keeps what the
bind parameters said.  The interleaving that exposes it: the administrator swaps team0's active
member to one without LSO while team0 restarts.  If the swap lands while the MUX is still
initializing team0 (FIFO), the initialization attributes and so TCP/IP's bind parameters carry
the new capabilities and nothing is lost; if it lands after NDIS built the bind parameters,
only an indication tells TCP/IP, which drops it and keeps sending LSO
(``no-stale-offload-send``; the MUX refuses the sends).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, TcpIpProtocol
from stack.ndis import NDIS_STATUS_INDICATION

__all__ = ["BindSnapshotTcpIp"]


@attrs.define(eq=False)
class BindSnapshotTcpIp(TcpIpProtocol):
    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        # The bug: indications are not acted on; the bind-time view stays.
        ctx.note("tcpip.status.ignored", adapter=adapter, status=indication.StatusCode)
