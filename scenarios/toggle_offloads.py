"""Disable LSO with the cmdlet (keywords + restart), re-enable it at run time over WMI.

TCP/IP learns both changes, each the way Windows tells it.

1. ``Disable-NetAdapterLso nic0`` writes *LsoV1IPv4 / *LsoV2IPv4 / *LsoV2IPv6 = 0 and restarts
   the adapter, as the cmdlet pages say ("... and restarts the network adapter(s)",
   PS/Set-NetAdapterRsc.md, PS/Disable-NetAdapterChecksumOffload.yml): NDIS pauses and unbinds
   the protocols, halts nic0, initializes it again (the miniport re-reads the keywords,
   N/using-the-tcp-ip-offload-administrator-interface.md) and binds them again; TCP/IP learns
   LSO is off from its new NDIS_BIND_PARAMETERS, not from a status indication.
2. A WMI client sets GUID_NDIS_TCP_OFFLOAD_PARAMETERS with Enable-NetAdapterLso's parameters
   (``stack.wmi_set_parameters``), which NDIS maps to OID_TCP_OFFLOAD_PARAMETERS
   (N/guid-ndis-tcp-offload-admin-settings.md): NDIS writes the keywords back to 1 first, the
   miniport applies the set, indicates NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (which NDIS fans
   out to TCP/IP and ndisprot) and completes; no restart (N/oid-tcp-offload-parameters.md).

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
    stack.expect(registry.get("*LsoV2IPv4") == "0", "the cmdlet wrote *LsoV2IPv4 = 0")
    if pulled(stack):
        return
    current = tcpip.view("nic0").current
    stack.expect(current.LsoV2.IPv4.Encapsulation == 0, "TCP/IP re-bound with LSOv2 IPv4 off")
    stack.expect(current.LsoV2.IPv6.Encapsulation == 0, "TCP/IP re-bound with LSOv2 IPv6 off")

    lso_before = tcpip.view("nic0").lso_nbls
    stack.send("tcpip", adapter="nic0", count=2, length=16000)
    await stack.settle()
    stack.expect(tcpip.view("nic0").lso_nbls == lso_before, "no LSO send after the change")

    stack.wmi_set_parameters("nic0", "Enable-NetAdapterLso")
    await stack.settle()
    stack.expect(registry.get("*LsoV2IPv4") == "1", "NDIS persisted *LsoV2IPv4 = 1")
    if not pulled(stack):
        enabled = stack.admin.results[-1].status == 0
        stack.expect(lso(tcpip.view("nic0")) == enabled, "LSO is back on (unless the set failed)")
