"""Zoo: a MUX that holds sends during a reconfiguration and releases them unchanged
(QueueingMux).

team0 is a failover team over nic0 (intel-x710, LSO). TCP/IP sends a 64000-byte burst (LSO) on
team0 while the administrator's WMI client sets LSO off on team0 at run time
(GUID_NDIS_TCP_OFFLOAD_PARAMETERS with Disable-NetAdapterLso's parameters). Under FIFO the sends
pass the MUX before the set reaches it. When the set gets there first, the buggy MUX holds the LSO
sends it fitted for nic0 and hands them to nic0 after nic0 has reported LSO off
(no-stale-offload-send; nic0 fails them).
"""

from stack.drivers.zoo import QueueingMux

#: The MUX under test (``stack.drivers.mux.Mux`` is the correct one).
MUX = QueueingMux


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.add_mux(MUX(), "team0", members=["nic0"], mode="failover")
    tcpip = stack.tcpip("tcpip", bind=["team0"])
    await stack.start()

    stack.send("tcpip", adapter="team0", count=1, length=64000)
    stack.wmi_set_parameters("team0", "Disable-NetAdapterLso")
    await stack.settle()
    view = tcpip.view("team0")
    stack.expect(view.sends_completed == view.nbls_sent, "every send completed once")
