"""Zoo: a TCP/IP that drops CURRENT_CONFIG while its binding is not Running (RunningOnlyTcpIp).

nic0 (realtek-basic: checksum offload only) carries TCP/IP and ndisprot.  The administrator
restarts nic0; as soon as ndisprot's new binding has completed its bind (Paused), its user-mode
client turns every checksum offload off with OID_TCP_OFFLOAD_PARAMETERS, which leaves nic0 no
offload at all.  NDIS has queued the stack restart for its PnP thread (the bind window,
N/starting-a-driver-stack.md steps 7-8).  Under FIFO the restart goes first: MiniportRestart
reaches nic0 before the set, so the set's CURRENT_CONFIG reaches TCP/IP only after its
NetEventRestart, when TCP/IP has already asked for Ethernet encapsulation from its bind
parameters (a request made before it was told; the miniport refuses it).  When ndisprot's set
reaches the miniport before NDIS starts the restart, the indication reaches TCP/IP's Paused
binding: the buggy TCP/IP drops it and, restarted, asks OID_OFFLOAD_ENCAPSULATION for offloads
it was told are off (encapsulation-within-support); the correct one skips the set.
"""

from stack.drivers.zoo import RunningOnlyTcpIp
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
    ProtocolBindingState,
)

#: The protocol under test (``stack.drivers.TcpIpProtocol`` is the correct one).
TCPIP = RunningOnlyTcpIp

OPENING = ProtocolBindingState.Opening
PAUSED = ProtocolBindingState.Paused
OFF = NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED
CHECKSUMS_OFF = NDIS_OFFLOAD_PARAMETERS(
    IPv4Checksum=OFF, TCPIPv4Checksum=OFF, UDPIPv4Checksum=OFF, TCPIPv6Checksum=OFF,
    UDPIPv6Checksum=OFF,
)  # fmt: skip


async def scenario(stack):
    stack.miniport("nic0", preset="realtek-basic")
    stack.add_protocol(TCPIP(name="tcpip"), bind=["nic0"])
    stack.ndisprot("prot", bind=["nic0"])
    await stack.start()

    stack.restart_adapter("nic0")
    await stack.run_until(lambda: stack.binding_state("nic0", "prot") is OPENING)
    await stack.run_until(lambda: stack.binding_state("nic0", "prot") is PAUSED)
    stack.oid("prot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, CHECKSUMS_OFF))
    await stack.settle()
