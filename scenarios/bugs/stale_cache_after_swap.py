"""Zoo: a TCP/IP that keeps the bind-time offload configuration (BindSnapshotTcpIp).

team0 is a failover pair that advertises its active member (``advertises="active"``: under the LBFO
default a swap changes nothing the team advertises): nic0 (intel-x710, LSO) active, nic1
(realtek-basic, no LSO) standby; the MUX takes 2 ticks to initialize a virtual miniport. The
administrator restarts team0 and swaps its active member to nic1 two ticks later, just as team0's
initialization completes. Under FIFO the swap lands first: the MUX is still initializing, so it
reports nic1's capabilities in the initialization attributes and NDIS binds TCP/IP with them. When
the swap lands after NDIS built TCP/IP's bind parameters (with nic0's LSO), only the MUX's
indication of the smaller capabilities tells TCP/IP; the buggy TCP/IP ignores it, and its next
large send asks for LSO the team no longer advertises (no-stale-offload-send; the MUX refuses the
send).
"""

from stack.drivers.zoo import BindSnapshotTcpIp

#: The protocol under test (``stack.drivers.TcpIpProtocol`` is the correct one).
TCPIP = BindSnapshotTcpIp


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.miniport("nic1", preset="realtek-basic")
    stack.mux("team0", members=["nic0", "nic1"], mode="failover", init_latency=2,
              advertises="active")  # fmt: skip
    tcpip = stack.add_protocol(TCPIP(name="tcpip"), bind=["team0"])
    await stack.start()

    stack.restart_adapter("team0")
    stack.mux_command("team0", "swap", to="nic1", delay=2)
    await stack.settle()
    stack.send("tcpip", adapter="team0", count=1, length=64000)
    await stack.settle()
    stack.expect(tcpip.view("team0").nbls_sent > 0, "TCP/IP sent on team0")
