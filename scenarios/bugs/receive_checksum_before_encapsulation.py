"""Zoo: a miniport that starts receive checksum on the parameters set (EagerChecksumMiniport).

nic0 boots with TCP IPv4 checksum transmit-only (*TCPChecksumOffloadIPv4 = 1) and takes 3 ticks
per request.  As TCP/IP's binding becomes Running (it then sets OID_OFFLOAD_ENCAPSULATION), the
administrator's WMI client turns TCP IPv4 receive checksum on at run time (the parameters of
Set-NetAdapterChecksumOffload, set as GUID_NDIS_TCP_OFFLOAD_PARAMETERS), and packets
arrive at every tick for 8 ticks.  Under FIFO TCP/IP's encapsulation set reaches the miniport
first, so no packet carries a checksum result before the gate opens.  When the administrator's
set gets there first, the buggy miniport starts receive checksum at once, and the packets that
arrive while TCP/IP's set is pending carry results with the gate closed (receive-gate).
"""

from stack.drivers.zoo import EagerChecksumMiniport
from stack.ndis import ProtocolBindingState

#: The miniport under test (``stack.drivers.Miniport`` is the correct one).
MINIPORT = EagerChecksumMiniport


async def scenario(stack):
    stack.add_miniport(MINIPORT("nic0", preset="intel-x710", oid_completion="pend",
                                oid_latency=3))  # fmt: skip
    stack.registry.adapter("nic0").set("*TCPChecksumOffloadIPv4", "1")
    stack.tcpip("tcpip", bind=["nic0"])

    stack.enable_adapter("nic0")
    await stack.run_until(
        lambda: stack.binding_state("nic0", "tcpip") is ProtocolBindingState.Running
    )
    stack.wmi_set_parameters("nic0", "Set-NetAdapterChecksumOffload", TcpIPv4Enabled="RxTxEnabled")
    for tick in range(1, 9):
        stack.receive("nic0", count=1, delay=tick)
    await stack.settle()
    stack.expect(len(stack.admin.results) <= 1, "the WMI set completed at most once")
