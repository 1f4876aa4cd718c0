"""Disable LSO from the admin client (Disable-NetAdapterLso) and watch every protocol learn it.

The cmdlet becomes a WMI set of GUID_NDIS_TCP_OFFLOAD_PARAMETERS, which NDIS maps to
OID_TCP_OFFLOAD_PARAMETERS: NDIS writes *LsoV2IPv4 / *LsoV2IPv6 / *LsoV1IPv4 = 0 first, the
miniport applies the set, indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (which NDIS fans out
to TCP/IP and ndisprot) and completes.  TCP/IP then stops asking for LSO.
(N/using-the-tcp-ip-offload-administrator-interface.md, N/oid-tcp-offload-parameters.md)

Under exploration the environment may do what Windows allows, and the expectations hold for
each: a set may fail (RESOURCES, FAILURE ...: the miniport changes nothing, and NDIS has
written the keywords already; N/oid-tcp-offload-parameters.md), TCP/IP's own encapsulation set
may fail (then it uses no offload at all; N/oid-offload-encapsulation.md), and the NIC may be
pulled (then the run ends there: what follows needs the NIC; the invariants were checked all
along).
"""


def pulled(stack):
    return stack.ndis.adapters["nic0"].surprise_removed


def lso(view):
    return view.current.LsoV2.IPv4.Encapsulation != 0


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()

    stack.send("tcpip", adapter="nic0", count=2, length=16000)
    await stack.settle()
    if pulled(stack):
        return
    usable = tcpip.view("nic0").offload_usable
    stack.expect(tcpip.view("nic0").lso_nbls == (2 if usable else 0), "LSO is used while it is on")

    stack.cmdlet("Disable-NetAdapterLso", "nic0")
    await stack.settle()
    registry = stack.registry.adapter("nic0")
    stack.expect(registry.get("*LsoV2IPv4") == "0", "NDIS persisted *LsoV2IPv4 = 0")
    if pulled(stack):
        return
    if stack.admin.results[-1].status != 0:
        stack.expect(lso(tcpip.view("nic0")), "a failed set changed nothing")
        return
    current = tcpip.view("nic0").current
    stack.expect(current.LsoV2.IPv4.Encapsulation == 0, "TCP/IP learned LSOv2 IPv4 is off")
    stack.expect(current.LsoV2.IPv6.Encapsulation == 0, "TCP/IP learned LSOv2 IPv6 is off")

    lso_before = tcpip.view("nic0").lso_nbls
    stack.send("tcpip", adapter="nic0", count=2, length=16000)
    await stack.settle()
    stack.expect(tcpip.view("nic0").lso_nbls == lso_before, "no LSO send after the change")

    stack.cmdlet("Enable-NetAdapterLso", "nic0")
    await stack.settle()
    if not pulled(stack):
        enabled = stack.admin.results[-1].status == 0
        stack.expect(lso(tcpip.view("nic0")) == enabled, "LSO is back on (unless the set failed)")
