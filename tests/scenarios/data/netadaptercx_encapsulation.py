"""A NetAdapterCx-like NIC under TCP/IP: its OID_OFFLOAD_ENCAPSULATION set succeeds with no
NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (translator/nxoffload.cpp SetEncapsulation)."""


async def scenario(stack):
    stack.miniport("nic0", preset="netadaptercx")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    stack.expect(tcpip.view("nic0").offload_usable, "TCP/IP may use offload")
