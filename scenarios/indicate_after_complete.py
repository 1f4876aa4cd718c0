"""A miniport that indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG only after it completes.

The docs require the indication "after the update" without saying whether before or after the
OID completes (spec A1; N/oid-tcp-offload-parameters.md).  With FIFO delivery the indication
still reaches NDIS before it hands the miniport its next OID; every protocol learns the change,
just one step later than with a miniport that indicates first.
"""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", indication_order="after-complete",
                   oid_completion="pend", oid_latency=3)  # fmt: skip
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.cmdlet("Set-NetAdapterChecksumOffload", "nic0", UdpIPv4Enabled="TxEnabled")
    stack.cmdlet("Disable-NetAdapterLso", "nic0", IPv6=True)
    await stack.settle()

    stack.expect(all(r.status == 0 for r in stack.admin.results), "both cmdlets succeed")
    current = stack.ndis.adapters["nic0"].current
    stack.expect(current.Checksum.IPv4Receive.UdpChecksum == 0, "UDP IPv4 receive checksum off")
    stack.expect(current.Checksum.IPv4Transmit.UdpChecksum == 1, "UDP IPv4 transmit checksum on")
    stack.expect(current.LsoV2.IPv6.Encapsulation == 0, "LSOv2 IPv6 off")
    stack.expect(current.LsoV2.IPv4.Encapsulation != 0, "LSOv2 IPv4 still on")
    stack.expect(tcpip.view("nic0").current == current, "TCP/IP learned the final configuration")
    stack.expect(len(prot.indications) >= 2, "ndisprot saw both indications")
