"""A TCP/IP that acts on NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG only while its binding is Running.

Bug class 1 of behaviours-and-bugs.md (a stale capability cache), in the bind window: the
protocol treats a binding that is not Running yet as not "really" there and drops the offload
indications it gets, as if only a Running binding could need them.  Windows delivers status
indications to a binding in every state after the open (the binding grid of
N/protocol-binding-states-and-operations.md, N/determining-task-offload-capabilities.md: a
protocol must act on the capability changes indicated to it); a binding is Paused from
NdisCompleteBindAdapterEx until NDIS restarts the stack (N/starting-a-driver-stack.md steps 7-8),
and NDIS calls ProtocolStatusEx from the thread the miniport indicates on while its PnP thread
gets to the restart.

The one change: a CURRENT_CONFIG indication that arrives while the binding is not Running is
counted and dropped; the view keeps the bind parameters.  The interleaving that exposes it: the
administrator restarts nic0 while ndisprot turns LSO off.  Under FIFO the set lands before the
restart takes the stack down, so the new bind parameters already carry LSO off.  When the set is
issued after ndisprot's new binding completed, in the bind window before NDIS restarts the stack,
its indication reaches TCP/IP's Paused binding; the buggy TCP/IP drops it and its next large send
asks for LSO (``no-stale-offload-send``).
"""

from __future__ import annotations

import attrs

from stack.drivers import DriverContext, TcpIpProtocol
from stack.ndis import (
    NDIS_STATUS_INDICATION,
    NdisStatus,
    ProtocolBindingState,
)

__all__ = ["RunningOnlyTcpIp"]


@attrs.define(eq=False)
class RunningOnlyTcpIp(TcpIpProtocol):
    def ProtocolStatusEx(
        self, ctx: DriverContext, adapter: str, indication: NDIS_STATUS_INDICATION
    ) -> None:
        binding = self.binding(adapter)
        if indication.StatusCode == NdisStatus.NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG and (
            binding is None or binding.state is not ProtocolBindingState.Running
        ):
            # The bug: a binding that is not Running yet ignores the configuration change.
            state = binding.state.value if binding is not None else "Unbound"
            ctx.note("tcpip.status.dropped", adapter=adapter, state=state)
            return
        super().ProtocolStatusEx(ctx, adapter, indication)
