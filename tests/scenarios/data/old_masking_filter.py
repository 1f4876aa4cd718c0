"""A masking LWF built for NDIS 6.20 (masking LSO) over a 6.85 NIC: it rebuilds the
NDIS_OFFLOAD it reports at revision 2, so TCP/IP above it sees neither RSC nor USO."""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.filter("old", adapter="nic0", kind="mask", masked=("lso",), ndis_version="6.20")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    view = tcpip.view("nic0").current
    below = stack.ndis.adapters["nic0"].current
    stack.expect(below.UdpSegmentation.IPv4.Encapsulation != 0, "the NIC runs USO")
    stack.expect(view.Header.Revision == 2, "TCP/IP sees a revision-2 NDIS_OFFLOAD")
    stack.expect(view.UdpSegmentation.IPv4.Encapsulation == 0, "without USO")
    stack.expect(view.Rsc.IPv4.Enabled == 0, "and without RSC")
    stack.expect(view.Checksum == below.Checksum, "checksum passes")
