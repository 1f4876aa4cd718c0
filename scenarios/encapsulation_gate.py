"""Receive offloads stay inactive until a protocol sets OID_OFFLOAD_ENCAPSULATION.

The miniport must not start receive checksum offload before a successful
OID_OFFLOAD_ENCAPSULATION set, and a SET_OFF set deactivates every offload at once
(N/oid-offload-encapsulation.md, N/enabling-and-disabling-task-offload-services.md).  ndisprot
does not set the OID on its own, so the scenario drives it; NDIS answers the encapsulation query
from what this open last set.

Under exploration either set may legally fail (RESOURCES, FAILURE: the miniport changes nothing,
so the gate stays as it was) and the NIC may be pulled (the run ends there; the invariants were
checked all along).
"""

from stack.ndis import (
    NDIS_ENCAPSULATION_IEEE_802_3,
    NDIS_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_SET_OFF,
    NDIS_OFFLOAD_SET_ON,
    NDIS_OID_REQUEST,
    OID_OFFLOAD_ENCAPSULATION,
    NDIS_OFFLOAD_ENCAPSULATION_IPv4,
    NDIS_OFFLOAD_ENCAPSULATION_IPv6,
)


def encapsulation(enabled):
    kind, size = (NDIS_ENCAPSULATION_IEEE_802_3, 14) if enabled == NDIS_OFFLOAD_SET_ON else (0, 0)
    return NDIS_OFFLOAD_ENCAPSULATION(
        IPv4=NDIS_OFFLOAD_ENCAPSULATION_IPv4(
            Enabled=enabled, EncapsulationType=kind, HeaderSize=size
        ),
        IPv6=NDIS_OFFLOAD_ENCAPSULATION_IPv6(
            Enabled=enabled, EncapsulationType=kind, HeaderSize=size
        ),
    )


async def scenario(stack):
    nic = stack.miniport("nic0", preset="intel-x710")
    ndisprot = stack.ndisprot("ndisprot", bind=["nic0"])
    await stack.start()
    record = stack.ndis.adapters["nic0"]

    stack.receive("nic0", count=3)
    await stack.settle()
    stack.expect(not any(o.startswith("Checksum.") for o in nic.receive_offloads()),
                 "no receive checksum offload before the encapsulation set")  # fmt: skip

    query = NDIS_OID_REQUEST.query(OID_OFFLOAD_ENCAPSULATION, RequestId=1)
    stack.oid("ndisprot", "nic0", query)
    await stack.settle()
    stack.expect(ndisprot.results[-1].status != 0, "the query fails before this open set it")

    on = NDIS_OID_REQUEST.set(OID_OFFLOAD_ENCAPSULATION, encapsulation(NDIS_OFFLOAD_SET_ON),
                              RequestId=2)  # fmt: skip
    stack.oid("ndisprot", "nic0", on)
    await stack.settle()
    if record.surprise_removed:
        return
    if ndisprot.results[-1].status != 0:
        stack.expect(not any(o.startswith("Checksum.") for o in nic.receive_offloads()),
                     "a failed SET_ON leaves the gate closed")  # fmt: skip
        return
    stack.expect(any(o.startswith("Checksum.IPv4Receive") for o in nic.receive_offloads()),
                 "IPv4 receive checksum offload is now active")  # fmt: skip
    stack.receive("nic0", count=3)

    stack.oid("ndisprot", "nic0", NDIS_OID_REQUEST.query(OID_OFFLOAD_ENCAPSULATION, RequestId=3))
    await stack.settle()
    answer = ndisprot.results[-1]
    stack.expect(answer.status == 0, "the query now succeeds")
    stack.expect(answer.request.InformationBuffer.IPv4.Enabled == NDIS_OFFLOAD_SET_ON,
                 "and returns what this open set")  # fmt: skip

    off = NDIS_OID_REQUEST.set(OID_OFFLOAD_ENCAPSULATION, encapsulation(NDIS_OFFLOAD_SET_OFF),
                               RequestId=4)  # fmt: skip
    stack.oid("ndisprot", "nic0", off)
    await stack.settle()
    if record.surprise_removed:
        return
    off_ok = ndisprot.results[-1].status == 0
    stack.expect(
        (not nic.receive_offloads()) == off_ok, "SET_OFF deactivates every receive offload"
    )
    stack.expect(nic.stats().receives > 0, "receives kept flowing, without offload results")
    stack.receive("nic0", count=3)
    await stack.settle()
