"""A miniport that indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG only after it completes.

The docs require the indication "after the update" without saying whether before or after the
OID completes (spec A1; N/oid-tcp-offload-parameters.md).  With FIFO delivery the indication
still reaches NDIS before it hands the miniport its next OID; every protocol learns the change,
just one step later than with a miniport that indicates first.

Under exploration either set may legally fail (RESOURCES, FAILURE ...: then that change is not
made and not indicated), and the NIC may be pulled (the run ends there; the invariants were
checked all along): the expectations follow what each set reported.  Both sets are a WMI
client's run-time OID_TCP_OFFLOAD_PARAMETERS (``stack.wmi_set_parameters``), not the cmdlets,
which would restart the adapter (PS/Set-NetAdapterLso.yml).
"""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710", indication_order="after-complete",
                   oid_completion="pend", oid_latency=3)  # fmt: skip
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.wmi_set_parameters("nic0", "Set-NetAdapterChecksumOffload", UdpIPv4Enabled="TxEnabled")
    stack.wmi_set_parameters("nic0", "Disable-NetAdapterLso", IPv6=True)
    await stack.settle()

    if stack.ndis.adapters["nic0"].surprise_removed:
        return
    checksum_set, lso_set = stack.admin.results  # completion order = post order (serialized)
    ok = {"checksum": checksum_set.status == 0, "lso": lso_set.status == 0}
    current = stack.ndis.adapters["nic0"].current
    udp_rx = 0 if ok["checksum"] else 1
    stack.expect(
        current.Checksum.IPv4Receive.UdpChecksum == udp_rx, "UDP IPv4 receive checksum off"
    )
    stack.expect(current.Checksum.IPv4Transmit.UdpChecksum == 1, "UDP IPv4 transmit checksum on")
    lso_v6_on = not ok["lso"]
    stack.expect((current.LsoV2.IPv6.Encapsulation != 0) == lso_v6_on, "LSOv2 IPv6 off")
    stack.expect(current.LsoV2.IPv4.Encapsulation != 0, "LSOv2 IPv4 still on")
    stack.expect(tcpip.view("nic0").current == current, "TCP/IP learned the final configuration")
    stack.expect(len(prot.indications) >= sum(ok.values()), "ndisprot saw every indication")
