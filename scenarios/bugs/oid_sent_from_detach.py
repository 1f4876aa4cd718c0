"""Zoo: a filter that sends a cleanup OID request from FilterDetach (DetachOidFilter).

nic0 (intel-x710, pending its OID requests) carries ``xdp``, the filter under test, below TCP/IP
and ndisprot.  ndisprot sets OID_TCP_OFFLOAD_PARAMETERS (checksum offload off) through the
filter; TCP/IP then sends.  Under FIFO the filter is never detached.  When NDIS detaches it while
the set is at nic0 (to re-attach it, or as a pulled NIC's stack comes down), the buggy filter
issues its cleanup request from FilterDetach (filter-call-window; NDIS refuses it,
xdp-for-windows#212), where the correct one makes no request.
"""

from stack.drivers.zoo import DetachOidFilter
from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_PARAMETERS,
)
from stack.scenario import DISRUPTIVE_FAULTS

#: The filter under test (``stack.drivers.PassthroughFilter`` is the correct one).
FILTER = DetachOidFilter

CHECKSUM_OFF = NDIS_OFFLOAD_PARAMETERS(
    TCPIPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    TCPIPv6Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", oid_completion="pend", oid_latency=2)
    stack.add_filter(FILTER(name="xdp"), adapter="nic0")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, CHECKSUM_OFF))
    await stack.settle()
    if stack.faults_fired() & DISRUPTIVE_FAULTS:
        return
    stack.expect(prot.results[-1].status == 0, "ndisprot's set succeeded through xdp")
    offload = tcpip.view("nic0").current
    stack.expect(
        offload.Checksum.IPv4Transmit.TcpChecksum != 1, "TCP/IP learned checksum offload is off"
    )
    stack.send("tcpip", adapter="nic0", count=1, length=4000)
    await stack.settle()
    stack.expect(tcpip.view("nic0").checksum_nbls == 0, "TCP/IP sends no checksum offload")
