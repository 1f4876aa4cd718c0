"""A parameters set whose header contradicts itself is refused before NDIS writes a keyword.

A Hyper-V guest's client sends OID_TCP_OFFLOAD_PARAMETERS as a revision-3 NDIS_OFFLOAD_PARAMETERS
with Header.Size 22 (NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2), below the 26 bytes of
NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3, asking for IPv4 checksum off and LSOv2 IPv4 on.
NDIS checks the header before it uses a member (N/version-information-requirements-for-ndis.md,
N/overview-of-ndis-support-for-header-versions.md) and fails the set with
NDIS_STATUS_INVALID_DATA, the status for invalid contents (N/oid-tcp-offload-parameters.md):
the miniport never sees it, *IPChecksumOffloadIPv4 and *LsoV2IPv4 keep their values, and after
Restart-NetAdapter (keywords re-read at initialize, spec A13) the configuration from before the
refused set is still in force.  The no-keywords-for-refused-set monitor watches the registry
throughout.

The same client then asks for the hardware capabilities the way real clients do, with a buffer
of NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3 (156) bytes: NDIS answers a revision-3 NDIS_OFFLOAD
(N/oid-tcp-offload-hardware-capabilities.md; newer members dropped) and BytesWritten 156.

Under exploration the refused set and the query never reach the miniport, so no miniport fault
touches them; the NIC may be pulled while NDIS hands TCP/IP's encapsulation sets on (then the
run ends there; the invariants were checked all along).
"""

from stack.ndis import (
    NDIS_OBJECT_HEADER,
    NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_OFFLOAD_PARAMETERS,
    NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
    NDIS_OFFLOAD_PARAMETERS_REVISION_3,
    NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    NDIS_OFFLOAD_REVISION_3,
    NDIS_OID_REQUEST,
    NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3,
    NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2,
    NDIS_STATUS_INVALID_DATA,
    OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
    OID_TCP_OFFLOAD_PARAMETERS,
)

#: Revision 3 claimed, revision 2's size given.
SHORT_HEADER = NDIS_OBJECT_HEADER(
    Type=NDIS_OBJECT_TYPE_DEFAULT,
    Revision=NDIS_OFFLOAD_PARAMETERS_REVISION_3,
    Size=NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2,
)
GUEST_SET = NDIS_OFFLOAD_PARAMETERS(
    Header=SHORT_HEADER,
    IPv4Checksum=NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED,
    LsoV2IPv4=NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
)


async def scenario(stack):
    stack.miniport("nic0", preset="intel-x710")
    keywords = stack.registry.adapter("nic0")
    keywords.set("*LsoV2IPv4", "0")  # Disable-NetAdapterLso, some time ago
    guest = stack.ndisprot("guest", bind=["nic0"])
    tcpip = stack.tcpip("tcpip", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]
    if record.surprise_removed:
        return
    before = {k: keywords.get(k) for k in ("*IPChecksumOffloadIPv4", "*LsoV2IPv4")}
    stack.expect(record.current.LsoV2.IPv4.Encapsulation == 0, "LSOv2 IPv4 is off at boot")
    stack.expect(record.current.Checksum.IPv4Transmit.IpChecksum == 1, "IPv4 checksum is on")

    stack.oid("guest", "nic0", NDIS_OID_REQUEST.set(OID_TCP_OFFLOAD_PARAMETERS, GUEST_SET,
                                                    RequestId=1))  # fmt: skip
    await stack.settle()
    (refused,) = guest.results
    stack.expect(refused.status == NDIS_STATUS_INVALID_DATA, "NDIS refused the set INVALID_DATA")
    stack.expect(
        {k: keywords.get(k) for k in before} == before, "no keyword was written for the set"
    )
    handed = [
        r
        for r in stack.bus.trace.records
        if r["kind"] == "oid.request" and r.get("dst") == "nic0" and r["origin"] == "guest"
    ]
    stack.expect(not handed, "the miniport never saw the set")

    query = NDIS_OID_REQUEST.query(
        OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
        RequestId=2,
        InformationBufferLength=NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3,
    )
    stack.oid("guest", "nic0", query)
    await stack.settle()
    if record.surprise_removed:
        return
    answer = guest.results[-1].request
    stack.expect(answer.InformationBuffer.Header.Revision == NDIS_OFFLOAD_REVISION_3,
                 "a 156-byte buffer gets a revision-3 NDIS_OFFLOAD")  # fmt: skip
    stack.expect(answer.BytesWritten == NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3, "BytesWritten 156")
    stack.expect(
        answer.InformationBuffer.LsoV2 == record.hardware.LsoV2, "with the hardware's LSOv2"
    )

    stack.restart_adapter("nic0")
    await stack.settle()
    if record.surprise_removed:
        return
    stack.expect(record.state.value == "Running", "the adapter is running again")
    stack.expect(record.current.LsoV2.IPv4.Encapsulation == 0, "LSOv2 IPv4 is still off")
    stack.expect(record.current.Checksum.IPv4Transmit.IpChecksum == 1, "IPv4 checksum still on")
    view = tcpip.view("nic0").current
    stack.expect(view == record.current, "TCP/IP re-bound with the configuration in force")
