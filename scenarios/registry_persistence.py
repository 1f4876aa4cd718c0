"""Registry persistence: an offload change survives an adapter restart because NDIS wrote the
standardized keywords, and a keyword written directly takes effect at the next initialize.

1. Disable-NetAdapterLso goes through OID_TCP_OFFLOAD_PARAMETERS; NDIS writes *LsoV2IPv4 = 0 (and
   friends) before the miniport sees the set (N/oid-tcp-offload-parameters.md).
2. Restart-NetAdapter (disable + enable): the miniport re-reads every keyword in
   MiniportInitializeEx, so LSO stays off in the current configuration while the hardware
   capabilities still list it (N/using-the-tcp-ip-offload-administrator-interface.md, spec A13).
3. Set-NetAdapterAdvancedProperty *RscIPv4 = 0 writes the registry only; it takes effect through
   the restart the cmdlet performs (PS/Set-NetAdapterAdvancedProperty.md).

Persistence does not depend on the set succeeding: NDIS writes the keywords before it hands the
set on, so even when the miniport fails it (a legal outcome the explorer injects) the restart
applies them.  If the NIC is pulled (another legal event under exploration) the run ends there;
the invariants were checked all along.
"""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return

    stack.cmdlet("Disable-NetAdapterLso", "nic0")
    await stack.settle()
    keywords = stack.registry.adapter("nic0")
    stack.expect(keywords.get("*LsoV2IPv4") == "0", "NDIS wrote *LsoV2IPv4 = 0")
    stack.expect(keywords.get("*LsoV2IPv6") == "0", "NDIS wrote *LsoV2IPv6 = 0")
    if record.surprise_removed:
        return

    stack.restart_adapter("nic0")
    await stack.settle()
    if record.surprise_removed:
        return
    stack.expect(record.state.value == "Running", "the adapter is running again")
    stack.expect(record.current.LsoV2.IPv4.Encapsulation == 0, "LSOv2 stays off after restart")
    stack.expect(record.hardware.LsoV2.IPv4.Encapsulation != 0, "the hardware still has LSOv2")
    view = tcpip.view("nic0")
    stack.expect(view.current.LsoV2.IPv4.Encapsulation == 0, "TCP/IP's bind parameters say off")

    stack.cmdlet("Set-NetAdapterAdvancedProperty", "nic0", RegistryKeyword="*RscIPv4",
                 RegistryValue="0")  # fmt: skip
    await stack.settle()
    stack.expect(keywords.get("*RscIPv4") == "0", "the advanced property is in the registry")
    stack.cmdlet("Get-NetAdapterAdvancedProperty", "nic0", RegistryKeyword="*Rsc*")
    await stack.settle()
    if record.surprise_removed:
        return
    rows = stack.admin.results[-1].properties
    stack.expect(rows["*RscIPv4"]["DisplayValue"] == "Disabled", "Get shows *RscIPv4 Disabled")
    stack.expect(rows["*RscIPv6"]["RegistryValue"] == "1", "and *RscIPv6 at its default")
    stack.expect(record.current.Rsc.IPv4.Enabled == 0, "RSC IPv4 is off after the restart")
    stack.expect(record.current.Rsc.IPv6.Enabled != 0, "RSC IPv6 is untouched")
    stack.expect(
        tcpip.view("nic0").current.Rsc.IPv4.Enabled == 0, "TCP/IP re-bound with RSC IPv4 off"
    )
