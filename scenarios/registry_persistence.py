"""Registry persistence: an offload change made with -NoRestart waits in the standardized keywords
until the adapter restarts, and a keyword written directly takes effect at the next initialize.

1. ``Disable-NetAdapterLso -NoRestart`` (``no_restart=True``) writes *LsoV2IPv4 = 0 (and friends)
   and nothing else: the cmdlet "does not restart the network adapter", and many advanced
   properties take effect only after a restart (PS/Set-NetAdapterLso.yml).  The running
   configuration keeps LSO on, and so does TCP/IP, while the registry says off.
2. Restart-NetAdapter (disable + enable): the miniport re-reads every keyword in
   MiniportInitializeEx, so LSO is now off in the current configuration while the hardware
   capabilities still list it (N/using-the-tcp-ip-offload-administrator-interface.md, spec A13),
   and TCP/IP re-binds with it off.
3. Set-NetAdapterAdvancedProperty *RscIPv4 = 0 writes the registry; it takes effect through
   the restart the cmdlet performs (PS/Set-NetAdapterAdvancedProperty.md).

If the NIC is pulled (a legal event under exploration) the run ends there; the invariants were
checked all along.
"""


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return

    lso_running = record.current.LsoV2.IPv4.Encapsulation != 0
    stack.cmdlet("Disable-NetAdapterLso", "nic0", no_restart=True)
    await stack.settle()
    keywords = stack.registry.adapter("nic0")
    stack.expect(keywords.get("*LsoV2IPv4") == "0", "the cmdlet wrote *LsoV2IPv4 = 0")
    stack.expect(keywords.get("*LsoV2IPv6") == "0", "the cmdlet wrote *LsoV2IPv6 = 0")
    if record.surprise_removed:
        return
    stack.expect(
        (record.current.LsoV2.IPv4.Encapsulation != 0) == lso_running,
        "-NoRestart left the running configuration as it was",
    )

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
