"""A capability the hardware has but a keyword disabled at boot, enabled at run time through
OID_TCP_OFFLOAD_PARAMETERS.

*RscIPv4 = 0 is in the registry before the adapter starts: the miniport reports RSC IPv4 in its
hardware capabilities but not in its current configuration (N/oid-tcp-offload-hardware-
capabilities.md: hardware capabilities include what keywords disabled).  A protocol queries the
hardware capabilities, sees RSC, and turns it on with OID_TCP_OFFLOAD_PARAMETERS, which is the
intended use of the OID (N/oid-tcp-offload-parameters.md); NDIS persists *RscIPv4 = 1.

Under exploration the set may legally fail (RESOURCES, FAILURE ...: RSC stays off, though NDIS
wrote the keyword before handing the set on) and the NIC may be pulled (the run ends there; the
invariants were checked all along).
"""

from stack.ndis import (
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED,
    NDIS_OID_REQUEST,
    OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    OID_TCP_OFFLOAD_PARAMETERS,
)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    stack.registry.adapter("nic0").set("*RscIPv4", "0")
    prot = stack.ndisprot("ndisprot", bind=["nic0"])
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return
    stack.expect(record.hardware.Rsc.IPv4.Enabled != 0, "the hardware supports RSC IPv4")
    stack.expect(record.current.Rsc.IPv4.Enabled == 0, "the keyword disabled it at boot")

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.query(OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
                                                         RequestId=1))  # fmt: skip
    await stack.settle()
    if record.surprise_removed:
        return
    hardware = prot.results[-1].request.InformationBuffer
    stack.expect(hardware.Rsc.IPv4.Enabled != 0, "the query reports RSC IPv4 as a capability")

    enable = NDIS_OFFLOAD_PARAMETERS(RscIPv4=NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED)
    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, enable,
                                                       RequestId=2))  # fmt: skip
    await stack.settle()
    stack.expect(stack.registry.adapter("nic0").get("*RscIPv4") == "1", "NDIS persisted it")
    if record.surprise_removed:
        return
    if prot.results[-1].status != 0:
        stack.expect(record.current.Rsc.IPv4.Enabled == 0, "a failed set changed nothing")
        return
    stack.expect(record.current.Rsc.IPv4.Enabled != 0, "RSC IPv4 is now on")
    stack.expect(tcpip.view("nic0").current.Rsc.IPv4.Enabled != 0, "TCP/IP learned it")
    stack.expect(prot.indications[-1].buffer == record.current, "and so did ndisprot")
